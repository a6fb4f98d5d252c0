import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import billing from '#billing/billing_manager'
import WorkspacePolicy from '#policies/workspace_policy'
import BillingService, { BillingConflictError } from '#services/billing_service'
import { BillingProviderError } from '#billing/contract'
import { billingQueryValidator, checkoutItem, checkoutValidator, utcDay } from '#validators/billing'
import { appUrl } from '#controllers/billing_controller'
import type Workspace from '#models/workspace'

/**
 * The billing API (/api/v1/billing): plans and packs, checkout, usage and
 * the ledger. `workspace_id` (optional, default the personal workspace)
 * picks a workspace the token's user owns or administers.
 */
@inject()
export default class ApiBillingController {
  constructor(private billing: BillingService) {}

  async #workspace(ctx: HttpContext, workspaceId?: number | null): Promise<Workspace> {
    const workspace = await this.billing.workspaceFor(ctx.auth.getUserOrFail(), workspaceId)
    await ctx.bouncer.with(WorkspacePolicy).authorize('manage', workspace)
    return workspace
  }

  /** GET /api/v1/billing/plans */
  async plans(ctx: HttpContext) {
    const { workspace_id: workspaceId } = await billingQueryValidator.validate(ctx.request.qs())
    const workspace = await this.#workspace(ctx, workspaceId)
    return {
      provider: billing.current,
      payments: await this.billing.payments(),
      workspace: this.billing.summary(workspace),
      ...this.billing.plans(workspace.plan),
    }
  }

  /**
   * POST /api/v1/billing/checkout {plan} | {pack} → 201 {id, url} to pay at;
   * a workspace with a live subscription asking for another plan → 202
   * {changed: true, plan} (the subscription is moved, prorated).
   */
  async checkout(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(checkoutValidator)
    const workspace = await this.#workspace(ctx, input.workspace_id)
    try {
      const outcome = await this.billing.checkout(ctx.auth.getUserOrFail(), workspace, checkoutItem(input), `${appUrl(ctx)}/billing`)
      if (outcome.kind === 'changed') return ctx.response.accepted({ changed: true, plan: outcome.plan })
      return ctx.response.created({ id: outcome.id, url: outcome.url })
    } catch (error) {
      if (!(error instanceof BillingProviderError)) throw error
      const conflict = error instanceof BillingConflictError
      return ctx.response.status(conflict ? 409 : 502).send({ errors: [{ message: error.message, code: conflict ? 'conflict' : 'billing_provider_error' }] })
    }
  }

  /** GET /api/v1/billing/usage?from=YYYY-MM-DD&to=YYYY-MM-DD */
  async usage(ctx: HttpContext) {
    const filters = await billingQueryValidator.validate(ctx.request.qs())
    const workspace = await this.#workspace(ctx, filters.workspace_id)
    return this.billing.usage(workspace.id, this.billing.range(utcDay(filters.from), utcDay(filters.to)))
  }

  /** GET /api/v1/billing/transactions?type&project_id&from&to&page&per_page[&format=csv] */
  async transactions(ctx: HttpContext) {
    const filters = await billingQueryValidator.validate(ctx.request.qs())
    const workspace = await this.#workspace(ctx, filters.workspace_id)
    const ledgerFilters = { type: filters.type, projectId: filters.project_id, from: utcDay(filters.from), to: utcDay(filters.to) }
    if (filters.format === 'csv') {
      ctx.response.header('content-type', 'text/csv; charset=utf-8')
      ctx.response.header('content-disposition', `attachment; filename="xbasis-transactions-${workspace.id}.csv"`)
      return this.billing.transactionsCsv(workspace.id, ledgerFilters)
    }
    return this.billing.transactions(workspace.id, ledgerFilters, filters.page ?? 1, filters.per_page ?? 50)
  }
}
