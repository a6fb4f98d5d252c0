import type { PackId, PlanId } from '#config/billing'

/**
 * The billing contract: what a `billing` plugin implements. The platform
 * owns plans, limits and the ledger (config/billing.ts,
 * LedgerService); a billing plugin only takes payments and tells the
 * platform what happened, as provider-neutral events.
 *
 *   const billing = await billingManager.use()         // the configured one (BILLING)
 *   billing.payments                                     // false: no payment UI or route
 *   await billing.checkout({ workspace, item, ... })    // → { url } to send the user to
 *   await billing.portalUrl(workspace)                  // → customer portal, or null
 *   await billing.parseWebhook(rawBody, headers)        // verify, then normalise
 *
 * Rules the platform relies on:
 * - `parseWebhook` verifies the request's signature against the raw body
 *   BEFORE anything else and throws `WebhookSignatureError` when it is
 *   missing, wrong or stale; nothing is stored or changed then.
 * - Events carry the provider's own id (redeliveries repeat it) and the time
 *   the provider produced them (`occurredAt`), used for idempotency and
 *   ordering by the platform.
 * - The workspace is named by the id the platform passed to checkout (in the
 *   provider's custom data), or by the provider's customer/subscription id
 *   the platform stored earlier.
 */
export type CheckoutItem = { kind: 'plan'; plan: PlanId } | { kind: 'pack'; pack: PackId }

export type CheckoutInput = {
  workspaceId: number
  /** The paying user's e-mail (prefills the provider's checkout). */
  email: string
  /** The provider's customer id stored for this workspace, if any. */
  customerId: string | null
  item: CheckoutItem
  /** Where the provider sends the user back. */
  returnUrl: string
}

export type CheckoutSession = {
  /** The provider's id of what was created (Paddle: the transaction `txn_…`). */
  id: string
  /** Where to send the user to pay. */
  url: string
}

export type SubscriptionStatus = 'active' | 'trialing' | 'past_due' | 'paused' | 'canceled'

export type BillingEvent =
  | {
      kind: 'subscription'
      id: string
      type: string
      occurredAt: Date
      workspaceId: number | null
      subscriptionId: string
      customerId: string | null
      status: SubscriptionStatus
      /** The plan its items map to (by price id); null when none matches. */
      plan: PlanId | null
      /** End of the current billing period. */
      renewsAt: Date | null
    }
  | {
      kind: 'transaction_completed'
      id: string
      type: string
      occurredAt: Date
      workspaceId: number | null
      transactionId: string
      customerId: string | null
      subscriptionId: string | null
      /** What was bought, by price id: packs, or a plan (first payment or renewal). */
      packs: PackId[]
      plan: PlanId | null
      /**
       * Why the provider charged: a first purchase, a subscription's
       * renewal, or a mid-period plan change (a prorated difference).
       */
      reason: 'purchase' | 'renewal' | 'plan_change'
      /** What the customer paid, in cents (before tax if the provider says so). */
      totalCents: number
      currency: string
    }
  | {
      /** Verified, stored for audit, but nothing the platform acts on. */
      kind: 'other'
      id: string
      type: string
      occurredAt: Date
      workspaceId: number | null
    }

export interface BillingProvider {
  /** Does this provider take payments (false for `none`: no payment UI, no payment routes)? */
  readonly payments: boolean
  checkout(input: CheckoutInput): Promise<CheckoutSession>
  /** The customer portal (manage payment method, invoices, cancel), or null. */
  portalUrl(input: { customerId: string | null; subscriptionId: string | null }): Promise<string | null>
  /**
   * Moves an existing subscription to another paid plan (upgrade or
   * downgrade, prorated by the provider). The provider's subscription
   * webhook then applies the new plan; nothing changes locally before it.
   * Optional: without it, plan changes go through the portal.
   */
  changePlan?(input: { subscriptionId: string; plan: PlanId }): Promise<void>
  parseWebhook(rawBody: string, headers: Record<string, string | string[] | undefined>): Promise<BillingEvent>
}

/** The webhook's signature is missing, wrong or too old: nothing was done. */
export class WebhookSignatureError extends Error {
  constructor(message = 'Invalid webhook signature') {
    super(message)
    this.name = 'WebhookSignatureError'
  }
}

/** The provider refused or failed a request; the message is shown to the user. */
export class BillingProviderError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'BillingProviderError'
  }
}
