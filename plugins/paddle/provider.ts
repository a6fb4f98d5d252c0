import type { Environment as PaddleEnvironment } from '@paddle/paddle-node-sdk'
import billingConfig, { PACK_IDS, PLAN_IDS, type PackId, type PlanId } from '#config/billing'
import {
  BillingProviderError,
  WebhookSignatureError,
  type BillingEvent,
  type BillingProvider,
  type CheckoutInput,
  type SubscriptionStatus,
} from '#billing/contract'

export type PaddleProviderOptions = {
  apiKey: string
  webhookSecret: string
  environment: 'sandbox' | 'production'
  /**
   * Another API address (a proxy, or a local fake in tests). The SDK has no
   * `baseUrl` option; its client resolves the base as
   * `API_ENVIRONMENT_TO_BASE_URL_MAP[environment] || environment`, so an
   * address given as `environment` is used as the base as it is. That is
   * the SDK's own fallback, not a patch of it.
   */
  apiUrl?: string
}

const STATUSES: SubscriptionStatus[] = ['active', 'trialing', 'past_due', 'paused', 'canceled']

type Json = Record<string, any>

/** The plan sold at this Paddle price id (config/billing.ts), if any. */
export function planForPrice(priceId: string | null | undefined): PlanId | null {
  if (!priceId) return null
  return PLAN_IDS.find((id) => billingConfig.plans[id].priceId === priceId) ?? null
}

/** The pack sold at this Paddle price id, if any. */
export function packForPrice(priceId: string | null | undefined): PackId | null {
  if (!priceId) return null
  return PACK_IDS.find((id) => billingConfig.packs[id].priceId === priceId) ?? null
}

const itemPriceId = (item: Json): string | null => item?.price?.id ?? item?.price_id ?? null

const workspaceIdOf = (customData: unknown): number | null => {
  const value = (customData as Json | null)?.workspace_id
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN
  return Number.isSafeInteger(id) && id > 0 ? id : null
}

const dateOrNull = (value: unknown): Date | null => {
  if (typeof value !== 'string') return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

const integer = (value: unknown): number => {
  const number = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN
  return Number.isSafeInteger(number) ? number : 0
}

/** How far ahead of this machine's clock a signature's timestamp may be (clock skew), in seconds. */
export const WEBHOOK_MAX_FUTURE_SKEW_SECONDS = 5

/**
 * Why the `ts=` of a Paddle-Signature header is not acceptable, or null:
 * it must be a plain number of seconds, at most
 * WEBHOOK_MAX_FUTURE_SKEW_SECONDS ahead of `now` (ms). Its age is the SDK's check.
 */
export function signatureTimeProblem(signature: string, now: number): string | null {
  const values = signature
    .split(';')
    .map((part) => part.split('='))
    .filter(([key]) => key.trim() === 'ts')
    .map(([, value]) => (value ?? '').trim())
  if (values.length !== 1 || !/^\d{1,12}$/.test(values[0])) {
    return 'The Paddle-Signature has no valid timestamp (ts=<unix seconds>)'
  }
  if (Number(values[0]) * 1000 > now + WEBHOOK_MAX_FUTURE_SKEW_SECONDS * 1000) {
    return `The Paddle-Signature is dated in the future (more than ${WEBHOOK_MAX_FUTURE_SKEW_SECONDS} seconds ahead of this server's clock)`
  }
  return null
}

/**
 * Maps a verified Paddle notification (the JSON of its wire format) to the
 * platform's provider-neutral event. Plans and packs are recognised by
 * their price ids in config/billing.ts.
 */
export function mapPaddleEvent(payload: Json): BillingEvent {
  const id = payload?.event_id
  const type = payload?.event_type
  const occurredAt = dateOrNull(payload?.occurred_at)
  const data: Json = payload?.data ?? {}
  if (typeof id !== 'string' || !id || typeof type !== 'string' || !occurredAt) {
    throw new BillingProviderError('The Paddle event has no event_id, event_type or occurred_at')
  }
  const workspaceId = workspaceIdOf(data.custom_data)
  const items: Json[] = Array.isArray(data.items) ? data.items : []

  if (type.startsWith('subscription.') && typeof data.id === 'string') {
    const status = STATUSES.includes(data.status) ? (data.status as SubscriptionStatus) : null
    if (status) {
      const plan = items.map((item) => planForPrice(itemPriceId(item))).find((p) => p !== null) ?? null
      return {
        kind: 'subscription',
        id,
        type,
        occurredAt,
        workspaceId,
        subscriptionId: data.id,
        customerId: typeof data.customer_id === 'string' ? data.customer_id : null,
        status,
        plan,
        renewsAt: dateOrNull(data.current_billing_period?.ends_at) ?? dateOrNull(data.next_billed_at),
      }
    }
  }

  if (type === 'transaction.completed' && typeof data.id === 'string') {
    const packs: PackId[] = []
    let plan: PlanId | null = null
    for (const item of items) {
      const priceId = itemPriceId(item)
      const pack = packForPrice(priceId)
      if (pack) for (let n = 0; n < Math.max(1, integer(item.quantity)); n++) packs.push(pack)
      plan = plan ?? planForPrice(priceId)
    }
    const totals: Json = data.details?.totals ?? {}
    return {
      kind: 'transaction_completed',
      id,
      type,
      occurredAt,
      workspaceId,
      transactionId: data.id,
      customerId: typeof data.customer_id === 'string' ? data.customer_id : null,
      subscriptionId: typeof data.subscription_id === 'string' ? data.subscription_id : null,
      packs,
      plan,
      reason:
        data.origin === 'subscription_recurring'
          ? 'renewal'
          : data.origin === 'subscription_update' || data.origin === 'subscription_charge'
            ? 'plan_change'
            : 'purchase',
      // Paddle is the merchant of record: the tax it collects is not ours.
      totalCents: Math.max(0, integer(totals.total) - integer(totals.tax)),
      currency: typeof data.currency_code === 'string' ? data.currency_code : 'USD',
    }
  }

  return { kind: 'other', id, type, occurredAt, workspaceId }
}

/**
 * A Paddle API failure as a sentence a user can act on: Paddle's own
 * `detail` and `code` from its error envelope, or what went wrong on the way.
 */
function describe(error: any, action: string): BillingProviderError {
  if (error && typeof error.code === 'string' && typeof error.detail === 'string') {
    const hint =
      error.code === 'invalid_token' || error.code === 'authentication_missing' || error.code === 'authentication_malformed'
        ? ' Check PADDLE_API_KEY (and that it belongs to the PADDLE_ENVIRONMENT it is used with).'
        : ''
    return new BillingProviderError(`Paddle could not ${action}: ${error.detail} (${error.code}).${hint}`, { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new BillingProviderError(`Paddle could not ${action}: ${message}`, { cause: error })
}

export async function createPaddleProvider(options: PaddleProviderOptions): Promise<BillingProvider> {
  // The SDK loads only when the Paddle plugin is actually used.
  const { Paddle, Environment } = await import('@paddle/paddle-node-sdk')
  const environment = options.apiUrl
    ? (options.apiUrl.replace(/\/+$/, '') as PaddleEnvironment)
    : options.environment === 'production'
      ? Environment.production
      : Environment.sandbox
  const paddle = new Paddle(options.apiKey, { environment })

  return {
    payments: true,

    async checkout(input: CheckoutInput) {
      const item = input.item
      const product = item.kind === 'plan' ? billingConfig.plans[item.plan] : billingConfig.packs[item.pack]
      if (!product) throw new BillingProviderError('There is no such plan or pack')
      if (!product.priceId) {
        const variable = item.kind === 'plan' ? `PADDLE_PRICE_${item.plan.toUpperCase()}` : `PADDLE_PRICE_PACK_${item.pack.toUpperCase()}`
        throw new BillingProviderError(`${product.name} is not for sale yet: its Paddle price id (${variable}) is not set`)
      }
      // `input.email` and `input.returnUrl` have no place in a Paddle
      // transaction: the hosted checkout (the account's default payment
      // link) asks for the e-mail and handles the way back.
      let transaction
      try {
        transaction = await paddle.transactions.create({
          items: [{ priceId: product.priceId, quantity: 1 }],
          customerId: input.customerId ?? undefined,
          customData: { workspace_id: input.workspaceId, item: item.kind === 'plan' ? `plan:${item.plan}` : `pack:${item.pack}` },
        })
      } catch (error) {
        throw describe(error, 'start the checkout')
      }
      const url = transaction.checkout?.url
      if (!url) {
        throw new BillingProviderError(
          'Paddle created the transaction but returned no checkout URL: set a default payment link in Paddle (Checkout → Checkout settings)'
        )
      }
      return { id: transaction.id, url }
    },

    async portalUrl({ customerId, subscriptionId }) {
      if (!customerId) return null
      try {
        const session = await paddle.customerPortalSessions.create(customerId, subscriptionId ? [subscriptionId] : [])
        return session.urls.general.overview
      } catch (error) {
        throw describe(error, 'open the customer portal')
      }
    },

    async changePlan({ subscriptionId, plan }) {
      const definition = billingConfig.plans[plan]
      if (!definition?.priceId) {
        throw new BillingProviderError(`${definition?.name ?? plan} is not for sale: its Paddle price id (PADDLE_PRICE_${plan.toUpperCase()}) is not set`)
      }
      try {
        // The subscription's items are replaced: the new plan's price only,
        // charged (or credited) pro rata now.
        await paddle.subscriptions.update(subscriptionId, {
          items: [{ priceId: definition.priceId, quantity: 1 }],
          prorationBillingMode: 'prorated_immediately',
        })
      } catch (error) {
        throw describe(error, 'change the plan')
      }
    },

    async parseWebhook(rawBody, headers) {
      const raw = headers['paddle-signature']
      const signature = Array.isArray(raw) ? raw[0] : raw
      if (!signature) throw new WebhookSignatureError('The request has no Paddle-Signature header')
      // The SDK only refuses a timestamp older than 5 s: one dated in the
      // future would stay valid (replayable) until that date, and its parseInt
      // reads "123abc" as 123. So the timestamp is checked here first.
      const problem = signatureTimeProblem(signature, Date.now())
      if (problem) throw new WebhookSignatureError(problem)
      let valid = false
      try {
        // The SDK's check (the one `webhooks.unmarshal` runs): HMAC-SHA256 of
        // `${ts}:${rawBody}` with the secret, and ts at most 5 s old.
        valid = await paddle.webhooks.isSignatureValid(rawBody, options.webhookSecret, signature)
      } catch {
        valid = false
      }
      if (!valid) throw new WebhookSignatureError('The Paddle-Signature does not match the body, or it is older than 5 seconds')
      let payload: Json
      try {
        payload = JSON.parse(rawBody)
      } catch {
        throw new BillingProviderError('The Paddle event is not JSON')
      }
      return mapPaddleEvent(payload)
    },
  }
}
