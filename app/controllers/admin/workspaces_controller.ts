import { randomUUID } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Workspace from '#models/workspace'
import AdminBalanceService from '#services/admin_balance_service'
import { InsufficientFundsError } from '#services/ledger_service'
import { balanceAdjustmentValidator } from '#validators/admin_balance'
import { validateForm } from '#lib/forms'

/**
 * Instance admin: a workspace's ledger, and grants or revokes of its
 * balance with a reason.
 */
@inject()
export default class WorkspacesController {
  constructor(private balances: AdminBalanceService) {}

  async #state(params: Record<string, any>, page = 1) {
    const workspace = await Workspace.query().where('id', Number(params.id) || 0).preload('owner').firstOrFail()
    const { entries, drift } = await this.balances.ledgerPage(workspace, page)
    return { workspace, entries, drift, idempotencyKey: randomUUID() }
  }

  async ledger({ params, request, view }: HttpContext) {
    const page = Math.max(1, Number(request.input('page', 1)) || 1)
    return view.render('pages/admin/workspace_ledger', await this.#state(params, page))
  }

  async adjust(ctx: HttpContext) {
    const { params, response, session, auth } = ctx
    const state = await this.#state(params)
    const input = await validateForm(ctx, balanceAdjustmentValidator, 'pages/admin/workspace_ledger', state)
    try {
      const posted = await this.balances.adjust(auth.getUserOrFail(), state.workspace, {
        action: input.action,
        tokens: input.tokens,
        reason: input.reason,
        idempotencyKey: input.idempotency_key,
      })
      const verb = input.action === 'grant' ? 'Granted' : 'Revoked'
      session.flash(
        'success',
        posted.created
          ? `${verb} ${input.tokens.toLocaleString('en-US')} tokens. Balance: ${posted.balance.toLocaleString('en-US')} tokens.`
          : 'This form was already submitted: nothing changed.'
      )
    } catch (error) {
      if (!(error instanceof InsufficientFundsError)) throw error
      session.flash('error', `Cannot revoke ${input.tokens.toLocaleString('en-US')} tokens: the workspace has ${error.free.toLocaleString('en-US')} tokens free.`)
    }
    return response.redirect(`/admin/workspaces/${state.workspace.id}/ledger`)
  }
}
