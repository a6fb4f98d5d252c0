import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { dbTime } from '#lib/db_time'

/**
 * The ledger: one append-only list of entries (`transactions`) per
 * workspace; the workspace's `tokens_balance` is always the sum of its
 * entries' `tokens`. Every movement of money or balance goes through
 * `post`, which changes the balance and appends the entry in one database
 * transaction, with the workspace row locked.
 *
 * Units: `amount` is money in micro-dollars (negative: the workspace spent
 * it from its balance; positive: it paid us, e.g. a plan payment or a
 * top-up), `tokens` is balance tokens (config/ai.ts `microsPerBalanceToken`).
 */
export const LEDGER_TYPES = [
  /** A plan's monthly payment (tokens: the plan's allowance, granted with it). */
  'plan_payment',
  /** A bought token pack. */
  'top_up',
  /** An AI turn: provider cost + markup (MeteringService.settle). */
  'ai_usage',
  /** A day of a running production app. */
  'compute',
  /** A custom domain's yearly fee. */
  'domain',
  /** Balance given by the platform: sign-up allowance, admin grant. */
  'grant',
  /** Balance taken back by an admin. */
  'revoke',
  /** Money given back: a refunded payment (tokens taken back with it). */
  'refund',
] as const
export type LedgerType = (typeof LEDGER_TYPES)[number]

export type LedgerEntry = {
  workspaceId: number
  type: LedgerType
  /** Balance tokens: positive adds to the balance, negative takes from it. */
  tokens: number
  /** Money in micro-dollars. */
  amount?: number
  description?: string | null
  userId?: number | null
  projectId?: number | null
  /**
   * Idempotency key, unique per workspace: a second post with the same
   * reference changes nothing and answers the first entry.
   */
  reference?: string | null
  /**
   * What to do when a debit is larger than the free balance (balance minus
   * what AI turns hold): `reject` (the default) refuses the whole entry,
   * `partial` takes what is free (possibly 0) and records that.
   */
  shortfall?: 'reject' | 'partial'
  /** Extra columns of `transactions` (provider, model, token counts…). */
  extra?: Record<string, unknown>
}

export type PostedEntry = {
  id: number
  tokens: number
  amount: number
  /** False when the reference had been posted before (nothing changed). */
  created: boolean
  balance: number
}

export class InsufficientFundsError extends Error {
  constructor(
    public free: number,
    public needed: number
  ) {
    super(`The balance of ${free.toLocaleString('en-US')} tokens cannot cover ${needed.toLocaleString('en-US')} tokens. Top up to continue.`)
  }
}

export type Drift = { workspaceId: number; balance: number; ledger: number; difference: number }

export default class LedgerService {
  async post(entry: LedgerEntry, trx?: TransactionClientContract): Promise<PostedEntry> {
    if (!Number.isSafeInteger(entry.tokens)) throw new TypeError('ledger tokens must be a safe integer')
    if (entry.amount !== undefined && !Number.isSafeInteger(entry.amount)) throw new TypeError('ledger amount must be a safe integer')
    let suspended = false
    const run = async (client: TransactionClientContract) => {
      const query = client.from('workspaces').where('id', entry.workspaceId).select('tokens_balance', 'tokens_reserved', 'compute_suspended_at')
      if (client.dialect.name === 'postgres') query.forUpdate()
      const row = await query.first()
      if (!row) throw new Error(`workspace ${entry.workspaceId} does not exist`)
      const balance = Number(row.tokens_balance)
      suspended = row.compute_suspended_at !== null && row.compute_suspended_at !== undefined

      if (entry.reference) {
        const existing = await client
          .from('transactions')
          .where('workspace_id', entry.workspaceId)
          .where('reference', entry.reference)
          .first()
        if (existing) {
          return { id: Number(existing.id), tokens: Number(existing.tokens), amount: Number(existing.amount), created: false, balance }
        }
      }

      let tokens = entry.tokens
      let amount = entry.amount ?? 0
      if (tokens < 0) {
        const free = Math.max(0, balance - Number(row.tokens_reserved))
        if (-tokens > free) {
          if ((entry.shortfall ?? 'reject') === 'reject') throw new InsufficientFundsError(free, -tokens)
          // Scale the money with the part of the debit that could be taken.
          amount = entry.tokens === 0 ? amount : Math.round((amount * free) / -entry.tokens)
          tokens = -free
        }
      }

      if (tokens !== 0) {
        await client
          .from('workspaces')
          .where('id', entry.workspaceId)
          .update({ tokens_balance: db.knexRawQuery('tokens_balance + ?', [tokens]) })
      }
      const [inserted] = await client
        .table('transactions')
        .insert({
          workspace_id: entry.workspaceId,
          user_id: entry.userId ?? null,
          project_id: entry.projectId ?? null,
          type: entry.type,
          amount,
          tokens,
          description: entry.description?.slice(0, 500) ?? null,
          reference: entry.reference ?? null,
          created_at: dbTime(),
          ...entry.extra,
        })
        .returning('id')
      const id = typeof inserted === 'object' ? Number(inserted.id) : Number(inserted)
      return { id, tokens, amount, created: true, balance: balance + tokens }
    }
    if (trx) {
      const posted = await run(trx)
      if (posted.created && posted.tokens > 0 && suspended) trx.after('commit', () => void resumeCompute(entry.workspaceId))
      return posted
    }
    const posted = await db.transaction(run)
    // Balance added to a workspace whose apps were stopped for an empty balance: start them again.
    if (posted.created && posted.tokens > 0 && suspended) await resumeCompute(entry.workspaceId)
    return posted
  }

  /**
   * Workspaces whose balance differs from the sum of their ledger entries
   * (all of them when `workspaceId` is not given). Empty: no drift.
   */
  async check(workspaceId?: number): Promise<Drift[]> {
    const sumsQuery = db.from('transactions').select('workspace_id').sum('tokens as total').groupBy('workspace_id')
    const balancesQuery = db.from('workspaces').select('id', 'tokens_balance')
    if (workspaceId !== undefined) {
      sumsQuery.where('workspace_id', workspaceId)
      balancesQuery.where('id', workspaceId)
    }
    const [sums, balances] = await Promise.all([sumsQuery, balancesQuery])
    const ledger = new Map(sums.map((row) => [Number(row.workspace_id), Number(row.total ?? 0)]))
    return balances
      .map((row) => {
        const balance = Number(row.tokens_balance)
        const total = ledger.get(Number(row.id)) ?? 0
        return { workspaceId: Number(row.id), balance, ledger: total, difference: balance - total }
      })
      .filter((row) => row.difference !== 0)
  }
}

/** ComputeBillingService.resumeIfFunded, loaded on demand (it depends on deploys); never fails the post. */
async function resumeCompute(workspaceId: number) {
  try {
    const { default: ComputeBillingService } = await import('#services/compute_billing_service')
    await new ComputeBillingService().resumeIfFunded(workspaceId)
  } catch (error) {
    const { default: logger } = await import('@adonisjs/core/services/logger')
    logger.error({ err: error, workspace: workspaceId }, 'restarting apps after a top-up failed')
  }
}
