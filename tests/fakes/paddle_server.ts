import { createHmac, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { LoopbackServer } from './loopback_server.js'
import { headerValue, isObject, randomId, receiveRequest, type RecordedRequest } from './fake_llm_server.js'

export type { RecordedRequest } from './fake_llm_server.js'

/**
 * A local stand-in for the part of the Paddle Billing API the platform
 * drives through @paddle/paddle-node-sdk (base `https://api.paddle.com`,
 * sandbox `https://sandbox-api.paddle.com`):
 *
 *   POST /transactions                              items [{price_id, quantity}], customer_id, custom_data
 *                                                   → 201 {data: transaction with checkout.url, meta}
 *   GET  /transactions/:id                          → 200 {data, meta}
 *   POST /customers/:customer_id/portal-sessions    {subscription_ids} → 201 {data: {urls.general.overview…}, meta}
 *   PATCH /subscriptions/:id                        {items, proration_billing_mode} → 200 {data: subscription, meta};
 *                                                   400 subscription_update_when_canceled / subscription_new_items_not_valid
 *
 * Successes use Paddle's `{data, meta: {request_id}}` envelope; failures its
 * `{error: {type, code, detail, documentation_url, errors?}, meta: {request_id}}`
 * envelope with the documented status codes: a missing Authorization
 * header is 403 `authentication_missing`, one that is not `Bearer <key>` 403
 * `authentication_malformed`, a wrong key 403 `invalid_token`; an unknown
 * price 400 `transaction_price_not_found`; an unknown customer 404
 * `not_found`; a bad body 400 `invalid_field`.
 *
 * Webhooks: `paddleEvent()` builds an event envelope as Paddle sends it and
 * `signPaddleWebhook()` signs a raw body exactly as Paddle does
 * (`Paddle-Signature: ts=<unix seconds>;h1=<hex HMAC-SHA256(secret, "ts:body")>`).
 * `fake.completedEvent(txnId)` turns a transaction created through the fake
 * into its `transaction.completed` event, as if the customer had paid.
 *
 *   const paddle = new FakePaddleServer({ apiKey: 'pdl_test', prices: { pri_pro: { amount: 2900, interval: 'month' } } })
 *   await paddle.start()     // paddle.url is the API base
 */

export type FakePaddlePrice = {
  /** Unit price in the lowest denomination (cents). */
  amount: number
  currency?: string
  /** `month`/`year` for a subscription price; omitted for a one-time price. */
  interval?: 'day' | 'week' | 'month' | 'year'
  description?: string
}

export interface FakePaddleServerOptions {
  /** The only API key accepted. Default `pdl_sdbx_apikey_test`. */
  apiKey?: string
  /** Prices the account sells, by id. */
  prices?: Record<string, FakePaddlePrice>
  /** Customers that exist already (`ctm_…`). */
  customers?: string[]
  /** The default payment link of the account (checkout.url is `<it>?_ptxn=<txn>`); null: none set. */
  checkoutUrl?: string | null
}

export type FakePaddleTransaction = {
  id: string
  status: string
  customer_id: string | null
  custom_data: Record<string, unknown> | null
  items: Array<{ price_id: string; quantity: number }>
  currency_code: string
  created_at: string
  checkout: { url: string | null }
}

const DOCS = 'https://developer.paddle.com/errors'

class PaddleError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly docPath: string,
    readonly errors?: Array<{ field: string; message: string }>
  ) {}
}

export class FakePaddleServer {
  readonly requests: RecordedRequest[] = []
  readonly transactions = new Map<string, FakePaddleTransaction>()
  readonly portalSessions: Array<{ id: string; customer_id: string; subscription_ids: string[] }> = []
  readonly customers: Set<string>
  /** Subscriptions (by id): created by `completedEvent` for subscription prices, or added by a test. */
  readonly subscriptions = new Map<string, { id: string; customer_id: string; status: string; items: Array<{ price_id: string; quantity: number }>; custom_data: Record<string, unknown> | null }>()
  readonly apiKey: string
  prices: Record<string, FakePaddlePrice>
  checkoutUrl: string | null

  #http = new LoopbackServer('FakePaddleServer', (req, res) => this.#onRequest(req, res))
  #initialCustomers: string[]
  #failures: PaddleError[] = []

  constructor(options: FakePaddleServerOptions = {}) {
    this.apiKey = options.apiKey ?? 'pdl_sdbx_apikey_test'
    this.prices = options.prices ?? {}
    this.#initialCustomers = options.customers ?? []
    this.customers = new Set(this.#initialCustomers)
    this.checkoutUrl = options.checkoutUrl === undefined ? 'https://pay.example.test/checkout' : options.checkoutUrl
  }

  start(): Promise<void> {
    return this.#http.start()
  }

  close(): Promise<void> {
    return this.#http.close()
  }

  /** The API base, `http://127.0.0.1:PORT`. */
  get url(): string {
    return this.#http.origin
  }

  /** Forgets requests, transactions, portal sessions and scripted failures. */
  reset(): void {
    this.requests.length = 0
    this.transactions.clear()
    this.portalSessions.length = 0
    this.subscriptions.clear()
    this.customers.clear()
    for (const id of this.#initialCustomers) this.customers.add(id)
    this.#failures.length = 0
  }

  /** The next call answers this Paddle error instead (after authentication). */
  failNext(status: number, code: string, detail: string, docPath = `shared/${code}`): this {
    this.#failures.push(new PaddleError(status, code, detail, docPath))
    return this
  }

  /**
   * The `transaction.completed` event of a transaction created through the
   * fake: paid in full, with a customer (created when it had none) and,
   * for subscription prices, the subscription it started.
   */
  completedEvent(transactionId: string, options: { subscriptionId?: string | null; occurredAt?: Date; eventId?: string } = {}) {
    const txn = this.transactions.get(transactionId)
    if (!txn) throw new Error(`no transaction ${transactionId}`)
    txn.status = 'completed'
    if (!txn.customer_id) {
      txn.customer_id = `ctm_${randomId(26).toLowerCase()}`
      this.customers.add(txn.customer_id)
    }
    const recurring = txn.items.some((item) => this.prices[item.price_id]?.interval)
    const subscriptionId = options.subscriptionId === undefined ? (recurring ? `sub_${randomId(26).toLowerCase()}` : null) : options.subscriptionId
    if (subscriptionId && !this.subscriptions.has(subscriptionId)) {
      this.subscriptions.set(subscriptionId, { id: subscriptionId, customer_id: txn.customer_id, status: 'active', items: txn.items, custom_data: txn.custom_data })
    }
    return paddleEvent(
      'transaction.completed',
      transactionData({
        id: txn.id,
        customerId: txn.customer_id,
        subscriptionId,
        customData: txn.custom_data,
        origin: 'web',
        items: txn.items.map((item) => ({ priceId: item.price_id, quantity: item.quantity, ...this.#price(item.price_id) })),
      }),
      options
    )
  }

  #price(id: string) {
    const price = this.prices[id]
    return { amount: price?.amount ?? 0, currency: price?.currency ?? 'USD', interval: price?.interval }
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = await receiveRequest(req)
    if (!received) return
    const { body, jsonError, record } = received
    this.requests.push(record)
    const requestId = randomUUID()
    const send = (status: number, payload: unknown) => {
      const text = JSON.stringify(payload)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': requestId })
      res.end(text)
    }
    try {
      this.#authenticate(headerValue(req.headers, 'authorization'))
      const failure = this.#failures.shift()
      if (failure) throw failure
      if (jsonError) throw new PaddleError(400, 'bad_request', 'Invalid request.', 'shared/bad_request')
      const { status, data } = this.#route(record.method, new URL(record.path, 'http://fake').pathname, body)
      send(status, { data, meta: { request_id: requestId } })
    } catch (error) {
      if (!(error instanceof PaddleError)) throw error
      send(error.status, {
        error: {
          type: 'request_error',
          code: error.code,
          detail: error.detail,
          documentation_url: `${DOCS}/${error.docPath}`,
          ...(error.errors ? { errors: error.errors } : {}),
        },
        meta: { request_id: requestId },
      })
    }
  }

  #authenticate(header: string | undefined) {
    if (!header) throw new PaddleError(403, 'authentication_missing', 'Authentication header missing.', 'shared/authentication_missing')
    const match = /^bearer (\S+)$/i.exec(header.trim())
    if (!match) {
      throw new PaddleError(403, 'authentication_malformed', 'Authentication header included, but incorrectly formatted.', 'shared/authentication_malformed')
    }
    if (match[1] !== this.apiKey) throw new PaddleError(403, 'invalid_token', 'Invalid or revoked API key.', 'shared/invalid_token')
  }

  #route(method: string, path: string, body: unknown): { status: number; data: unknown } {
    if (method === 'POST' && path === '/transactions') return { status: 201, data: this.#createTransaction(body) }
    const txn = /^\/transactions\/(txn_[a-z0-9]+)$/.exec(path)
    if (method === 'GET' && txn) {
      const found = this.transactions.get(txn[1])
      if (!found) throw notFound(txn[1])
      return { status: 200, data: this.#transactionView(found) }
    }
    const portal = /^\/customers\/([^/]+)\/portal-sessions$/.exec(path)
    if (method === 'POST' && portal) return { status: 201, data: this.#createPortalSession(decodeURIComponent(portal[1]), body) }
    const subscription = /^\/subscriptions\/([^/]+)$/.exec(path)
    if (method === 'PATCH' && subscription) return { status: 200, data: this.#updateSubscription(decodeURIComponent(subscription[1]), body) }
    throw new PaddleError(404, 'not_found', `Path ${path} not found`, 'shared/not_found')
  }

  #updateSubscription(id: string, body: unknown) {
    const subscription = this.subscriptions.get(id)
    if (!subscription) throw notFound(id)
    if (!isObject(body)) throw invalid([{ field: '(root)', message: 'must be an object' }])
    if (subscription.status === 'canceled') {
      throw new PaddleError(400, 'subscription_update_when_canceled', 'cannot update subscription, as subscription is canceled', 'subscriptions/subscription_update_when_canceled')
    }
    if (body.items !== undefined) {
      const modes = ['prorated_immediately', 'prorated_next_billing_period', 'full_immediately', 'full_next_billing_period', 'do_not_bill']
      if (typeof body.proration_billing_mode !== 'string' || !modes.includes(body.proration_billing_mode)) {
        throw invalid([{ field: 'proration_billing_mode', message: 'must be provided when items change' }])
      }
      if (!Array.isArray(body.items) || body.items.length === 0) throw invalid([{ field: 'items', message: 'must contain at least 1 item' }])
      const items = body.items.map((item, index) => {
        if (!isObject(item) || typeof item.price_id !== 'string') throw invalid([{ field: `items[${index}].price_id`, message: 'must be provided' }])
        if (!this.prices[item.price_id]?.interval) {
          throw new PaddleError(400, 'subscription_new_items_not_valid', 'the new items are not valid for updating this subscription', 'subscriptions/subscription_new_items_not_valid')
        }
        return { price_id: item.price_id, quantity: typeof item.quantity === 'number' ? item.quantity : 1 }
      })
      subscription.items = items
    }
    return subscriptionData({
      id: subscription.id,
      customerId: subscription.customer_id,
      status: subscription.status as 'active',
      customData: subscription.custom_data,
      items: subscription.items.map((item) => ({ priceId: item.price_id, quantity: item.quantity, ...this.#price(item.price_id) })),
    })
  }

  #createTransaction(body: unknown) {
    if (!isObject(body)) throw invalid([{ field: '(root)', message: 'must be an object' }])
    const items = body.items
    if (!Array.isArray(items) || items.length === 0) throw invalid([{ field: 'items', message: 'must be provided as part of the request' }])
    const parsed: FakePaddleTransaction['items'] = []
    const missing: string[] = []
    for (const [index, item] of items.entries()) {
      if (!isObject(item) || typeof item.price_id !== 'string') throw invalid([{ field: `items[${index}].price_id`, message: 'must be provided as part of the request' }])
      const quantity = item.quantity === undefined ? 1 : item.quantity
      if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
        throw invalid([{ field: `items[${index}].quantity`, message: 'must be an integer of at least 1' }])
      }
      if (!this.prices[item.price_id]) missing.push(item.price_id)
      parsed.push({ price_id: item.price_id, quantity })
    }
    if (missing.length) {
      throw new PaddleError(400, 'transaction_price_not_found', `One or more provided price_ids could not be found, provided: ${missing.join(', ')}`, 'transactions/transaction_price_not_found')
    }
    const customerId = body.customer_id ?? null
    if (customerId !== null && (typeof customerId !== 'string' || !this.customers.has(customerId))) throw notFound(String(customerId))
    const customData = body.custom_data ?? null
    if (customData !== null && !isObject(customData)) throw invalid([{ field: 'custom_data', message: 'must be a JSON object' }])
    const id = `txn_${randomId(26).toLowerCase()}`
    const txn: FakePaddleTransaction = {
      id,
      status: customerId ? 'ready' : 'draft',
      customer_id: customerId as string | null,
      custom_data: customData as Record<string, unknown> | null,
      items: parsed,
      currency_code: this.prices[parsed[0].price_id].currency ?? 'USD',
      created_at: new Date().toISOString(),
      checkout: { url: this.checkoutUrl ? `${this.checkoutUrl}?_ptxn=${id}` : null },
    }
    this.transactions.set(id, txn)
    return this.#transactionView(txn)
  }

  #transactionView(txn: FakePaddleTransaction) {
    return transactionData({
      id: txn.id,
      status: txn.status,
      customerId: txn.customer_id,
      subscriptionId: null,
      customData: txn.custom_data,
      checkoutUrl: txn.checkout.url,
      createdAt: txn.created_at,
      items: txn.items.map((item) => ({ priceId: item.price_id, quantity: item.quantity, ...this.#price(item.price_id) })),
    })
  }

  #createPortalSession(customerId: string, body: unknown) {
    if (!this.customers.has(customerId)) throw notFound(customerId)
    const ids = isObject(body) && Array.isArray(body.subscription_ids) ? body.subscription_ids.map(String) : []
    const id = `cpls_${randomId(26).toLowerCase()}`
    const token = randomId(32)
    this.portalSessions.push({ id, customer_id: customerId, subscription_ids: ids })
    const base = `https://customer-portal.paddle.example.test/cpl_${customerId.slice(4)}`
    return {
      id,
      customer_id: customerId,
      urls: {
        general: { overview: `${base}?action=overview&token=${token}` },
        subscriptions: ids.map((sub) => ({
          id: sub,
          cancel_subscription: `${base}?action=cancel_subscription&subscription_id=${sub}&token=${token}`,
          update_subscription_payment_method: `${base}?action=update_subscription_payment_method&subscription_id=${sub}&token=${token}`,
        })),
      },
      created_at: new Date().toISOString(),
    }
  }
}

const notFound = (id: string) => new PaddleError(404, 'not_found', `Entity ${id} not found`, 'shared/not_found')
const invalid = (errors: Array<{ field: string; message: string }>) =>
  new PaddleError(400, 'invalid_field', 'Request does not pass validation.', 'shared/invalid_field', errors)

/* ---------------------------------------------------------------------------
 * Webhooks
 * ------------------------------------------------------------------------- */

/**
 * The `Paddle-Signature` header for a raw body, as Paddle computes it:
 * `ts=<unix seconds>;h1=<hex HMAC-SHA256(secret, "<ts>:<raw body>")>`.
 */
export function signPaddleWebhook(rawBody: string, secret: string, at: Date = new Date()): string {
  const ts = Math.floor(at.getTime() / 1000)
  const h1 = createHmac('sha256', secret).update(`${ts}:${rawBody}`).digest('hex')
  return `ts=${ts};h1=${h1}`
}

export type PaddleEventEnvelope = {
  event_id: string
  event_type: string
  occurred_at: string
  notification_id: string
  data: Record<string, unknown>
}

/** A webhook event envelope as Paddle delivers it. */
export function paddleEvent(
  type: string,
  data: Record<string, unknown>,
  options: { eventId?: string; occurredAt?: Date } = {}
): PaddleEventEnvelope {
  return {
    event_id: options.eventId ?? `evt_${randomId(26).toLowerCase()}`,
    event_type: type,
    occurred_at: (options.occurredAt ?? new Date()).toISOString().replace('Z', '000Z'),
    notification_id: `ntf_${randomId(26).toLowerCase()}`,
    data,
  }
}

type ItemInput = { priceId: string; quantity?: number; amount?: number; currency?: string; interval?: string }

const priceObject = (item: ItemInput) => ({
  id: item.priceId,
  product_id: `pro_${item.priceId.replace(/^pri_/, '').slice(0, 26)}`,
  description: item.interval ? `Monthly ${item.priceId}` : `One-time ${item.priceId}`,
  type: 'standard',
  name: null,
  billing_cycle: item.interval ? { interval: item.interval, frequency: 1 } : null,
  trial_period: null,
  tax_mode: 'account_setting',
  unit_price: { amount: String(item.amount ?? 0), currency_code: item.currency ?? 'USD' },
  unit_price_overrides: [],
  quantity: { minimum: 1, maximum: 100 },
  status: 'active',
  custom_data: null,
  import_meta: null,
  created_at: '2024-01-01T00:00:00.000000Z',
  updated_at: '2024-01-01T00:00:00.000000Z',
})

const productObject = (item: ItemInput) => ({
  id: priceObject(item).product_id,
  name: item.interval ? `Plan ${item.priceId}` : `Pack ${item.priceId}`,
  description: null,
  type: 'standard',
  tax_category: 'standard',
  image_url: null,
  custom_data: null,
  status: 'active',
  import_meta: null,
  created_at: '2024-01-01T00:00:00.000000Z',
  updated_at: '2024-01-01T00:00:00.000000Z',
})

/**
 * The `data` of a subscription event (subscription.created, .updated,
 * .canceled, .past_due…), with the fields Paddle sends.
 */
export function subscriptionData(input: {
  id: string
  customerId: string
  status: 'active' | 'trialing' | 'past_due' | 'paused' | 'canceled'
  items: ItemInput[]
  customData?: Record<string, unknown> | null
  periodStart?: Date
  periodEnd?: Date
  canceledAt?: Date | null
  scheduledChange?: { action: 'cancel' | 'pause' | 'resume'; effectiveAt: Date } | null
}): Record<string, unknown> {
  const start = input.periodStart ?? new Date()
  const end = input.periodEnd ?? new Date(start.getTime() + 30 * 24 * 3600 * 1000)
  const iso = (date: Date) => date.toISOString().replace('Z', '000Z')
  const period = input.status === 'canceled' ? null : { starts_at: iso(start), ends_at: iso(end) }
  return {
    id: input.id,
    status: input.status,
    customer_id: input.customerId,
    address_id: `add_${randomId(26).toLowerCase()}`,
    business_id: null,
    currency_code: input.items[0]?.currency ?? 'USD',
    created_at: iso(start),
    updated_at: iso(new Date()),
    started_at: iso(start),
    first_billed_at: iso(start),
    next_billed_at: input.status === 'canceled' ? null : iso(end),
    paused_at: null,
    canceled_at: input.canceledAt ? iso(input.canceledAt) : null,
    discount: null,
    collection_mode: 'automatic',
    billing_details: null,
    current_billing_period: period,
    billing_cycle: { interval: 'month', frequency: 1 },
    scheduled_change: input.scheduledChange ? { action: input.scheduledChange.action, effective_at: iso(input.scheduledChange.effectiveAt), resume_at: null } : null,
    items: input.items.map((item) => ({
      status: 'active',
      quantity: item.quantity ?? 1,
      recurring: true,
      created_at: iso(start),
      updated_at: iso(start),
      previously_billed_at: iso(start),
      next_billed_at: input.status === 'canceled' ? null : iso(end),
      trial_dates: null,
      price: priceObject({ interval: 'month', ...item }),
      product: productObject(item),
    })),
    custom_data: input.customData ?? null,
    management_urls: { update_payment_method: null, cancel: 'https://buyer-portal.paddle.com/subscriptions/cancel' },
    import_meta: null,
  }
}

/**
 * The `data` of a transaction event (transaction.completed…), totals
 * computed from the items as Paddle does (tax 0 here unless given).
 */
export function transactionData(input: {
  id: string
  status?: string
  customerId: string | null
  subscriptionId: string | null
  customData?: Record<string, unknown> | null
  items: ItemInput[]
  origin?: string
  tax?: number
  checkoutUrl?: string | null
  createdAt?: string
}): Record<string, unknown> {
  const currency = input.items[0]?.currency ?? 'USD'
  const subtotal = input.items.reduce((sum, item) => sum + (item.amount ?? 0) * (item.quantity ?? 1), 0)
  const tax = input.tax ?? 0
  const now = new Date().toISOString().replace('Z', '000Z')
  const status = input.status ?? 'completed'
  const totals = {
    subtotal: String(subtotal),
    discount: '0',
    tax: String(tax),
    total: String(subtotal + tax),
    credit: '0',
    credit_to_balance: '0',
    balance: '0',
    grand_total: String(subtotal + tax),
    fee: status === 'completed' ? String(Math.round(subtotal * 0.05) + 50) : null,
    earnings: status === 'completed' ? String(subtotal - Math.round(subtotal * 0.05) - 50) : null,
    currency_code: currency,
  }
  return {
    id: input.id,
    status,
    customer_id: input.customerId,
    address_id: null,
    business_id: null,
    custom_data: input.customData ?? null,
    origin: input.origin ?? 'web',
    collection_mode: 'automatic',
    subscription_id: input.subscriptionId,
    invoice_id: status === 'completed' ? `inv_${randomId(26).toLowerCase()}` : null,
    invoice_number: null,
    billing_details: null,
    billing_period: null,
    currency_code: currency,
    discount_id: null,
    created_at: input.createdAt ?? now,
    updated_at: now,
    billed_at: status === 'completed' ? now : null,
    revised_at: null,
    items: input.items.map((item) => ({ price_id: item.priceId, price: priceObject(item), quantity: item.quantity ?? 1, proration: null })),
    details: {
      tax_rates_used: [{ tax_rate: '0', totals: { subtotal: String(subtotal), discount: '0', tax: String(tax), total: String(subtotal + tax) } }],
      totals,
      adjusted_totals: { ...totals },
      payout_totals: null,
      adjusted_payout_totals: null,
      line_items: input.items.map((item) => ({
        id: `txnitm_${randomId(26).toLowerCase()}`,
        price_id: item.priceId,
        quantity: item.quantity ?? 1,
        proration: null,
        tax_rate: '0',
        unit_totals: { subtotal: String(item.amount ?? 0), discount: '0', tax: '0', total: String(item.amount ?? 0) },
        totals: { subtotal: String((item.amount ?? 0) * (item.quantity ?? 1)), discount: '0', tax: '0', total: String((item.amount ?? 0) * (item.quantity ?? 1)) },
        product: { id: priceObject(item).product_id, name: item.priceId, status: 'active' },
      })),
    },
    payments: status === 'completed' ? [{ payment_attempt_id: randomUUID(), status: 'captured', amount: String(subtotal + tax), method_details: { type: 'card' } }] : [],
    checkout: { url: input.checkoutUrl ?? null },
  }
}
