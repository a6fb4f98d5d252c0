import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import env from '#start/env'
import billingConfig from '#config/billing'
import WorkspacePolicy from '#policies/workspace_policy'
import BillingService from '#services/billing_service'
import { BillingProviderError } from '#billing/contract'
import { billingQueryValidator, checkoutItem, checkoutValidator, utcDay } from '#validators/billing'
import { usageChartSvg, projectColors } from '#lib/usage_chart'
import { LEDGER_TYPES } from '#services/ledger_service'
import type Workspace from '#models/workspace'
import type User from '#models/user'

/**
 * The billing page (/billing): plan, renewal, balance, usage chart and
 * table, the ledger with filters and CSV export, and, when the billing
 * plugin takes payments, upgrade, top-up and portal. Owners and admins of
 * the workspace only.
 */
@inject()
export default class BillingController {
  constructor(private billing: BillingService) {}

  async #workspace(ctx: HttpContext, workspaceId?: number | null): Promise<Workspace> {
    const workspace = await this.billing.workspaceFor(ctx.auth.getUserOrFail(), workspaceId)
    await ctx.bouncer.with(WorkspacePolicy).authorize('manage', workspace)
    return workspace
  }

  async show(ctx: HttpContext) {
    const filters = await billingQueryValidator.validate(ctx.request.qs())
    const workspace = await this.#workspace(ctx, filters.workspace_id)
    const range = this.billing.range(utcDay(filters.from), utcDay(filters.to))
    const ledgerFilters = { type: filters.type, projectId: filters.project_id, from: utcDay(filters.from), to: utcDay(filters.to) }
    const [usage, transactions, payments, projects] = await Promise.all([
      this.billing.usage(workspace.id, range),
      this.billing.transactions(workspace.id, ledgerFilters, filters.page ?? 1, 25),
      this.billing.payments(),
      this.billing.projects(workspace.id),
    ])
    const query = new URLSearchParams()
    for (const [name, value] of Object.entries({
      workspace_id: filters.workspace_id,
      from: filters.from ? usage.from : undefined,
      to: filters.to ? usage.to : undefined,
      type: filters.type,
      project_id: filters.project_id,
    })) {
      if (value !== undefined && value !== null) query.set(name, String(value))
    }
    const colors = projectColors(usage)
    return ctx.view.render('pages/billing', {
      workspace,
      summary: this.billing.summary(workspace),
      catalogue: this.billing.plans(workspace.plan),
      payments,
      usage,
      chart: usageChartSvg(usage),
      colorOf: (projectId: number | null) => colors.get(String(projectId ?? 'none')),
      transactions,
      projects,
      types: LEDGER_TYPES,
      filters: { ...filters, from: filters.from ? usage.from : '', to: filters.to ? usage.to : '' },
      query: query.toString(),
    })
  }

  /** POST /billing/checkout (plan or pack) → the provider's checkout. */
  async checkout(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(checkoutValidator)
    const workspace = await this.#workspace(ctx, input.workspace_id)
    try {
      const outcome = await this.billing.checkout(ctx.auth.getUserOrFail() as User, workspace, checkoutItem(input), `${appUrl(ctx)}/billing`)
      if (outcome.kind === 'checkout') return ctx.response.redirect(outcome.url)
      ctx.session.flash('success', `Your subscription is moving to the ${billingConfig.plans[outcome.plan].name} plan: it shows here as soon as Paddle confirms it.`)
      return ctx.response.redirect('/billing')
    } catch (error) {
      if (!(error instanceof BillingProviderError)) throw error
      ctx.session.flash('error', error.message)
      return ctx.response.redirect('/billing')
    }
  }

  /** GET /billing/portal → the provider's customer portal. */
  async portal(ctx: HttpContext) {
    const { workspace_id: workspaceId } = await billingQueryValidator.validate(ctx.request.qs())
    const workspace = await this.#workspace(ctx, workspaceId)
    try {
      const url = await this.billing.portalUrl(workspace)
      if (url) return ctx.response.redirect(url)
      ctx.session.flash('error', 'There is no billing account for this workspace yet: the portal opens after a first purchase.')
    } catch (error) {
      if (!(error instanceof BillingProviderError)) throw error
      ctx.session.flash('error', error.message)
    }
    return ctx.response.redirect('/billing')
  }

  /** GET /billing/transactions.csv (the same filters as the page). */
  async exportCsv(ctx: HttpContext) {
    const filters = await billingQueryValidator.validate(ctx.request.qs())
    const workspace = await this.#workspace(ctx, filters.workspace_id)
    const csv = await this.billing.transactionsCsv(workspace.id, {
      type: filters.type,
      projectId: filters.project_id,
      from: utcDay(filters.from),
      to: utcDay(filters.to),
    })
    ctx.response.header('content-type', 'text/csv; charset=utf-8')
    ctx.response.header('content-disposition', `attachment; filename="xbasis-transactions-${workspace.id}.csv"`)
    return csv
  }
}

export function appUrl(ctx: HttpContext): string {
  return (env.get('APP_URL') as string | undefined)?.replace(/\/+$/, '') ?? `${ctx.request.protocol()}://${ctx.request.host()}`
}
