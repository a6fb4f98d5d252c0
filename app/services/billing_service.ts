import db from '@adonisjs/lucid/services/db'
import billingConfig, { PACK_IDS, PLAN_IDS } from '#config/billing'
import billing from '#billing/billing_manager'
import { BillingProviderError, type CheckoutItem, type CheckoutSession } from '#billing/contract'
import type { PlanId } from '#config/billing'
import { dbTime, fromDbTime } from '#lib/db_time'
import Workspace from '#models/workspace'
import type User from '#models/user'

/** Ledger types that are spending (usage), shown in the usage chart. */
export const USAGE_TYPES = ['ai_usage', 'compute', 'domain'] as const

/** A purchase that makes no sense for the workspace's state (its plan already). */
export class BillingConflictError extends BillingProviderError {}

export type CheckoutOutcome = ({ kind: 'checkout' } & CheckoutSession) | { kind: 'changed'; plan: PlanId }

export type DateRange = { from: Date; to: Date }

export type TransactionFilters = {
  type?: string | null
  projectId?: number | null
  from?: Date | null
  to?: Date | null
}

const DAY = 24 * 3600 * 1000
const dayOf = (date: Date) => date.toISOString().slice(0, 10)

/**
 * What the billing page and API show and do: the workspace's plan and
 * balance, its usage per day and project, its ledger, and the way to the
 * provider's checkout and portal. Money is reported in US dollars, tokens
 * as balance tokens; the ledger's micro-dollars stay inside.
 */
export default class BillingService {
  /**
   * The workspace a billing request is about: the one asked for (the user
   * must be a member: otherwise it does not exist for them), else their
   * personal workspace. Managing rights are checked by the controller's
   * policy.
   */
  async workspaceFor(user: User, workspaceId?: number | null): Promise<Workspace> {
    if (!workspaceId) return user.personalWorkspace()
    return Workspace.query()
      .where('id', workspaceId)
      .whereIn('id', db.from('workspace_members').where('user_id', user.id).select('workspace_id'))
      .firstOrFail()
  }

  /** The workspace's projects (for the page's project filter). */
  projects(workspaceId: number): Promise<Array<{ id: number; name: string }>> {
    return db.from('projects').where('workspace_id', workspaceId).select('id', 'name').orderBy('name')
  }

  async payments(): Promise<boolean> {
    return (await billing.use()).payments
  }

  plans(currentPlan?: string) {
    return {
      plans: PLAN_IDS.map((id) => {
        const plan = billingConfig.plans[id]
        return {
          id,
          name: plan.name,
          tagline: plan.tagline,
          price_usd: plan.priceCents / 100,
          monthly_tokens: plan.monthlyTokens,
          limits: plan.limits,
          for_sale: plan.priceId !== null,
          current: id === currentPlan,
        }
      }),
      packs: PACK_IDS.map((id) => {
        const pack = billingConfig.packs[id]
        return { id, name: pack.name, price_usd: pack.priceCents / 100, tokens: pack.tokens, for_sale: pack.priceId !== null }
      }),
    }
  }

  summary(workspace: Workspace) {
    const plan = billingConfig.plans[workspace.plan] ?? billingConfig.plans[billingConfig.defaultPlan]
    return {
      workspace_id: workspace.id,
      plan: workspace.plan,
      plan_name: plan.name,
      subscription_status: workspace.subscriptionStatus,
      renews_at: workspace.planRenewsAt?.toISO() ?? null,
      tokens_balance: workspace.tokensBalance,
      has_portal: workspace.billingCustomerId !== null,
    }
  }

  /**
   * Buying a plan or a pack. A workspace that already has a live
   * subscription is not sent to a second checkout (that would bill two
   * subscriptions): its subscription moves to the new plan instead, when
   * the provider can do that, and the provider's webhook applies it.
   */
  async checkout(user: User, workspace: Workspace, item: CheckoutItem, returnUrl: string): Promise<CheckoutOutcome> {
    const provider = await billing.use()
    const live = workspace.billingSubscriptionId && workspace.subscriptionStatus !== 'canceled' && workspace.subscriptionStatus !== null
    if (item.kind === 'plan' && live) {
      if (item.plan === workspace.plan) throw new BillingConflictError(`This workspace is on the ${billingConfig.plans[item.plan].name} plan already`)
      if (!provider.changePlan) throw new BillingConflictError('This workspace has a subscription: change its plan in the billing portal')
      await provider.changePlan({ subscriptionId: workspace.billingSubscriptionId!, plan: item.plan })
      return { kind: 'changed', plan: item.plan }
    }
    const session = await provider.checkout({
      workspaceId: workspace.id,
      email: user.email,
      customerId: workspace.billingCustomerId,
      item,
      returnUrl,
    })
    return { kind: 'checkout', ...session }
  }

  async portalUrl(workspace: Workspace): Promise<string | null> {
    const provider = await billing.use()
    return provider.portalUrl({ customerId: workspace.billingCustomerId, subscriptionId: workspace.billingSubscriptionId })
  }

  /**
   * A date range from optional `from`/`to` days (inclusive), default the
   * last 30 days, at most 366 days.
   */
  range(from?: Date | null, to?: Date | null): DateRange {
    const end = to ? new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()) + DAY - 1) : new Date()
    let start = from ? new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate())) : new Date(end.getTime() - 29 * DAY)
    if (end.getTime() - start.getTime() > 366 * DAY) start = new Date(end.getTime() - 366 * DAY)
    start = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()))
    return { from: start, to: end }
  }

  /**
   * Spending (AI turns, compute, domains) per day and per project: tokens
   * taken from the balance and their money value. Every day of the range
   * is present (zero when nothing was spent), so a chart has no gaps.
   */
  async usage(workspaceId: number, range: DateRange) {
    const rows = await db
      .from('transactions')
      .leftJoin('projects', 'projects.id', 'transactions.project_id')
      .where('transactions.workspace_id', workspaceId)
      .whereIn('transactions.type', [...USAGE_TYPES])
      .where('transactions.created_at', '>=', dbTime(range.from))
      .where('transactions.created_at', '<=', dbTime(range.to))
      .select('transactions.created_at', 'transactions.project_id', 'projects.name as project_name', 'transactions.tokens', 'transactions.amount', 'transactions.type')

    type Bucket = { tokens: number; micros: number }
    const days = new Map<string, Bucket & { projects: Map<string, Bucket> }>()
    for (let t = range.from.getTime(); t <= range.to.getTime(); t += DAY) days.set(dayOf(new Date(t)), { tokens: 0, micros: 0, projects: new Map() })
    const projects = new Map<string, { project_id: number | null; project_name: string; tokens: number; micros: number }>()
    let tokens = 0
    let micros = 0
    for (const row of rows) {
      const spentTokens = -Number(row.tokens)
      const spentMicros = -Number(row.amount)
      const day = days.get(dayOf(fromDbTime(row.created_at)))
      const key = String(row.project_id ?? 'none')
      if (!projects.has(key)) {
        projects.set(key, { project_id: row.project_id === null ? null : Number(row.project_id), project_name: row.project_name ?? 'Workspace (no project)', tokens: 0, micros: 0 })
      }
      const project = projects.get(key)!
      project.tokens += spentTokens
      project.micros += spentMicros
      tokens += spentTokens
      micros += spentMicros
      if (day) {
        day.tokens += spentTokens
        day.micros += spentMicros
        if (!day.projects.has(key)) day.projects.set(key, { tokens: 0, micros: 0 })
        day.projects.get(key)!.tokens += spentTokens
        day.projects.get(key)!.micros += spentMicros
      }
    }
    const usd = (value: number) => Number((value / 1e6).toFixed(6))
    return {
      from: dayOf(range.from),
      to: dayOf(range.to),
      total: { tokens, usd: usd(micros) },
      per_day: [...days].map(([day, bucket]) => ({
        day,
        tokens: bucket.tokens,
        usd: usd(bucket.micros),
        projects: [...bucket.projects].map(([key, p]) => ({ project_id: projects.get(key)!.project_id, tokens: p.tokens, usd: usd(p.micros) })),
      })),
      per_project: [...projects.values()]
        .sort((a, b) => b.tokens - a.tokens)
        .map((p) => ({ project_id: p.project_id, project_name: p.project_name, tokens: p.tokens, usd: usd(p.micros) })),
    }
  }

  #transactionsQuery(workspaceId: number, filters: TransactionFilters) {
    const query = db
      .from('transactions')
      .leftJoin('projects', 'projects.id', 'transactions.project_id')
      .where('transactions.workspace_id', workspaceId)
    if (filters.type) query.where('transactions.type', filters.type)
    if (filters.projectId) query.where('transactions.project_id', filters.projectId)
    if (filters.from) query.where('transactions.created_at', '>=', dbTime(this.range(filters.from, filters.from).from))
    if (filters.to) query.where('transactions.created_at', '<=', dbTime(this.range(filters.to, filters.to).to))
    return query
  }

  #present(row: any) {
    return {
      id: Number(row.id),
      created_at: fromDbTime(row.created_at).toISOString(),
      type: row.type as string,
      description: row.description as string | null,
      project_id: row.project_id === null ? null : Number(row.project_id),
      project_name: (row.project_name as string | null) ?? null,
      tokens: Number(row.tokens),
      usd: Number((Number(row.amount) / 1e6).toFixed(6)),
      reference: (row.reference as string | null) ?? null,
    }
  }

  async transactions(workspaceId: number, filters: TransactionFilters, page = 1, perPage = 50) {
    const [{ total }] = await this.#transactionsQuery(workspaceId, filters).count('transactions.id as total')
    const rows = await this.#transactionsQuery(workspaceId, filters)
      .select('transactions.*', 'projects.name as project_name')
      .orderBy('transactions.created_at', 'desc')
      .orderBy('transactions.id', 'desc')
      .offset((page - 1) * perPage)
      .limit(perPage)
    const count = Number(total)
    return {
      data: rows.map((row) => this.#present(row)),
      meta: { total: count, page, per_page: perPage, last_page: Math.max(1, Math.ceil(count / perPage)) },
    }
  }

  /** The filtered ledger as CSV (RFC 4180), newest first. */
  async transactionsCsv(workspaceId: number, filters: TransactionFilters): Promise<string> {
    const rows = await this.#transactionsQuery(workspaceId, filters)
      .select('transactions.*', 'projects.name as project_name')
      .orderBy('transactions.created_at', 'desc')
      .orderBy('transactions.id', 'desc')
      .limit(100_000)
    const cell = (value: unknown) => {
      let text = value === null || value === undefined ? '' : String(value)
      // A cell a spreadsheet would run as a formula is kept as text.
      if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
    }
    const header = ['id', 'created_at', 'type', 'description', 'project_id', 'project_name', 'tokens', 'usd', 'reference']
    const lines = [header.join(',')]
    for (const row of rows) {
      const entry = this.#present(row)
      lines.push(header.map((name) => cell((entry as any)[name])).join(','))
    }
    return lines.join('\r\n') + '\r\n'
  }
}
