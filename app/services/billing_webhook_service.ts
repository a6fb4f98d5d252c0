import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import billingConfig, { type PlanId } from '#config/billing'
import type { BillingEvent, BillingProvider } from '#billing/contract'
import { dbTime, fromDbTime } from '#lib/db_time'
import LedgerService from '#services/ledger_service'

/**
 * A provider's event time as stored for ordering: with its milliseconds on
 * every dialect (SQLite's default timestamp format drops them, and two
 * events of one subscription within a second must still be told apart).
 */
function eventTime(date: Date): string {
  const format = db.connection().dialect.dateTimeFormat
  return DateTime.fromJSDate(date).toFormat(format.includes('SSS') ? format : format.replace('ss', 'ss.SSS'))
}

/** One cent in the ledger's micro-dollars. */
const MICROS_PER_CENT = 10_000

export type WebhookOutcome = {
  /** processed: applied; ignored: stored, nothing to apply; duplicate: seen before, nothing done. */
  status: 'processed' | 'ignored' | 'duplicate'
  eventId: string
  note?: string
}

type Applied = { status: 'processed' | 'ignored'; workspaceId: number | null; note?: string }

/**
 * Billing webhooks: verified by the provider first (a bad or stale
 * signature throws before anything is stored), then stored once in
 * `billing_events` and applied in the same database transaction.
 *
 * - Idempotent: `billing_events` is unique by (provider, event_id). The
 *   event row is inserted with ON CONFLICT DO NOTHING inside the
 *   transaction that applies it, so a second delivery, even one arriving at
 *   the same moment, waits for the first to commit and then finds it done.
 *   A failed application rolls back; the event is then recorded as
 *   `failed` and the provider's retry applies it.
 * - Out-of-order safe: a subscription event changes the workspace only when
 *   it is newer (occurred_at) than `workspaces.subscription_state_at`.
 * - Plan end: the workspace keeps its paid plan while the subscription is
 *   active, trialing or past_due (a payment retry is under way), and goes
 *   back to the free plan when the provider reports it `canceled` or
 *   `paused`. A cancellation asked for by the customer takes effect at the
 *   end of the paid period: Paddle first sends `subscription.updated` with a
 *   scheduled change (the plan stays) and `subscription.canceled` when the
 *   period is over.
 * - Money: a completed transaction posts one ledger entry with the
 *   provider's transaction id as its reference (exactly once): packs as
 *   `top_up` with their tokens, a subscription payment (first or renewal)
 *   as `plan_payment` with the plan's monthly tokens (a prorated plan
 *   change: the share of them it paid for).
 */
export default class BillingWebhookService {
  constructor(private ledger = new LedgerService()) {}

  async handle(
    providerId: string,
    provider: BillingProvider,
    rawBody: string,
    headers: Record<string, string | string[] | undefined>
  ): Promise<WebhookOutcome> {
    // Throws WebhookSignatureError: nothing below runs.
    const event = await provider.parseWebhook(rawBody, headers)
    try {
      return await db.transaction(async (trx) => {
        const fresh = await this.#claim(trx, providerId, event, rawBody)
        if (!fresh) return { status: 'duplicate' as const, eventId: event.id }
        const applied = await this.#apply(trx, event)
        await trx
          .from('billing_events')
          .where({ provider: providerId, event_id: event.id })
          .update({ status: applied.status, workspace_id: applied.workspaceId, error: applied.note ?? null, processed_at: dbTime() })
        return { status: applied.status, eventId: event.id, note: applied.note }
      })
    } catch (error) {
      await this.#recordFailure(providerId, event, rawBody, error).catch((failure) =>
        logger.error({ err: failure }, 'could not record a failed billing event')
      )
      throw error
    }
  }

  /**
   * Stores the event, or takes over one that failed before. False: it was
   * stored and applied (or ignored) already.
   */
  async #claim(trx: TransactionClientContract, providerId: string, event: BillingEvent, rawBody: string): Promise<boolean> {
    const now = dbTime()
    await trx.rawQuery(
      `INSERT INTO billing_events (provider, event_id, event_type, occurred_at, workspace_id, payload, status, created_at)
       VALUES (?, ?, ?, ?, NULL, ?, 'processing', ?) ON CONFLICT (provider, event_id) DO NOTHING`,
      [providerId, event.id, event.type.slice(0, 64), eventTime(event.occurredAt), rawBody, now]
    )
    const query = trx.from('billing_events').where({ provider: providerId, event_id: event.id }).select('status')
    if (trx.dialect.name === 'postgres') query.forUpdate()
    const row = await query.first()
    return row?.status === 'processing' || row?.status === 'failed'
  }

  async #recordFailure(providerId: string, event: BillingEvent, rawBody: string, error: unknown) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000)
    await db.rawQuery(
      `INSERT INTO billing_events (provider, event_id, event_type, occurred_at, workspace_id, payload, status, error, created_at)
       VALUES (?, ?, ?, ?, NULL, ?, 'failed', ?, ?)
       ON CONFLICT (provider, event_id) DO UPDATE SET status = 'failed', error = excluded.error
       WHERE billing_events.status NOT IN ('processed', 'ignored')`,
      [providerId, event.id, event.type.slice(0, 64), eventTime(event.occurredAt), rawBody, message, dbTime()]
    )
  }

  /**
   * The workspace an event is about: the one named in the checkout's custom
   * data, else the one holding the provider's subscription or customer id.
   * Locked for the rest of the transaction.
   */
  async #workspace(trx: TransactionClientContract, ids: { workspaceId: number | null; subscriptionId?: string | null; customerId?: string | null }) {
    const find = async (column: string, value: unknown) => {
      const query = trx.from('workspaces').where(column, value as any)
      if (trx.dialect.name === 'postgres') query.forUpdate()
      return query.first()
    }
    if (ids.workspaceId) {
      const row = await find('id', ids.workspaceId)
      if (row) return row
    }
    if (ids.subscriptionId) {
      const row = await find('billing_subscription_id', ids.subscriptionId)
      if (row) return row
    }
    if (ids.customerId) {
      const row = await find('billing_customer_id', ids.customerId)
      if (row) return row
    }
    return null
  }

  async #apply(trx: TransactionClientContract, event: BillingEvent): Promise<Applied> {
    if (event.kind === 'subscription') return this.#applySubscription(trx, event)
    if (event.kind === 'transaction_completed') return this.#applyTransaction(trx, event)
    return { status: 'ignored', workspaceId: event.workspaceId, note: `${event.type}: nothing to apply` }
  }

  async #applySubscription(trx: TransactionClientContract, event: Extract<BillingEvent, { kind: 'subscription' }>): Promise<Applied> {
    const workspace = await this.#workspace(trx, event)
    if (!workspace) return { status: 'ignored', workspaceId: null, note: 'no workspace for this subscription' }
    const workspaceId = Number(workspace.id)
    const appliedAt = workspace.subscription_state_at ? fromDbTime(workspace.subscription_state_at) : null
    if (appliedAt && event.occurredAt.getTime() <= appliedAt.getTime()) {
      return { status: 'ignored', workspaceId, note: 'older than the subscription state applied already' }
    }
    const current = workspace.billing_subscription_id as string | null
    const live = ['active', 'trialing', 'past_due'].includes(workspace.subscription_status)
    if (current && current !== event.subscriptionId && (live || event.status === 'canceled')) {
      // Another subscription than the workspace's own: one that ended after
      // the workspace moved on, or one naming a workspace that already has
      // a live subscription (custom data is not proof of ownership). It
      // must not take over the workspace's plan state.
      return { status: 'ignored', workspaceId, note: `subscription ${event.subscriptionId} is not the workspace's current one` }
    }

    let plan: PlanId = workspace.plan
    if (event.status === 'canceled' || event.status === 'paused') plan = billingConfig.defaultPlan
    else if (event.plan) plan = event.plan

    await trx
      .from('workspaces')
      .where('id', workspaceId)
      .update({
        plan,
        subscription_status: event.status,
        billing_subscription_id: event.subscriptionId,
        billing_customer_id: event.customerId ?? workspace.billing_customer_id,
        plan_renews_at: event.status === 'canceled' || !event.renewsAt ? null : dbTime(event.renewsAt),
        subscription_state_at: eventTime(event.occurredAt),
        updated_at: dbTime(),
      })
    return { status: 'processed', workspaceId, note: `${event.type}: plan ${plan}, ${event.status}` }
  }

  async #applyTransaction(trx: TransactionClientContract, event: Extract<BillingEvent, { kind: 'transaction_completed' }>): Promise<Applied> {
    const workspace = await this.#workspace(trx, event)
    if (!workspace) return { status: 'ignored', workspaceId: null, note: 'no workspace for this transaction' }
    const workspaceId = Number(workspace.id)
    if (event.customerId && !workspace.billing_customer_id) {
      // A first purchase (a pack, say) makes the customer portal available.
      await trx.from('workspaces').where('id', workspaceId).update({ billing_customer_id: event.customerId })
    }
    const amount = event.totalCents * MICROS_PER_CENT
    const paid = `${(event.totalCents / 100).toFixed(2)} ${event.currency}`

    if (event.plan && event.subscriptionId) {
      const plan = billingConfig.plans[event.plan]
      // A first payment or a renewal grants the month's tokens; a plan
      // change mid-period grants the share of them its prorated charge paid
      // for (nothing for a downgrade's credit).
      const tokens =
        event.reason === 'plan_change'
          ? Math.min(plan.monthlyTokens, Math.max(0, Math.round((plan.monthlyTokens * event.totalCents) / Math.max(1, plan.priceCents))))
          : plan.monthlyTokens
      const posted = await this.ledger.post(
        {
          workspaceId,
          type: 'plan_payment',
          tokens,
          amount,
          reference: event.transactionId,
          description: `${plan.name} plan ${event.reason === 'plan_change' ? 'change, prorated' : event.reason === 'renewal' ? 'renewal' : 'payment'} (${paid}), Paddle ${event.transactionId}`,
        },
        trx
      )
      return { status: 'processed', workspaceId, note: posted.created ? 'plan payment posted' : 'plan payment was posted before' }
    }
    if (event.packs.length) {
      const tokens = event.packs.reduce((sum, id) => sum + billingConfig.packs[id].tokens, 0)
      const names = event.packs.map((id) => billingConfig.packs[id].name).join(', ')
      const posted = await this.ledger.post(
        {
          workspaceId,
          type: 'top_up',
          tokens,
          amount,
          reference: event.transactionId,
          description: `Top-up: ${names} (${paid}), Paddle ${event.transactionId}`,
        },
        trx
      )
      return { status: 'processed', workspaceId, note: posted.created ? 'top-up posted' : 'top-up was posted before' }
    }
    return { status: 'ignored', workspaceId, note: 'the transaction sells no known plan or pack' }
  }
}
