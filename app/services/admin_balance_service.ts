import db from '@adonisjs/lucid/services/db'
import aiConfig from '#config/ai'
import LedgerService, { type PostedEntry } from '#services/ledger_service'
import Workspace from '#models/workspace'
import type User from '#models/user'

export type BalanceAdjustment = {
  action: 'grant' | 'revoke'
  tokens: number
  reason: string
  /** The form's one-time key: the same submission posted twice changes the balance once. */
  idempotencyKey?: string
}

/**
 * An instance admin's view of a workspace's balance: grants and revokes
 * (ledger entries `grant` / `revoke` with the reason and the admin's user
 * id), and the workspace's ledger.
 */
export default class AdminBalanceService {
  constructor(private ledger = new LedgerService()) {}

  /**
   * Grants add balance tokens; revokes take them back, never more than the
   * free balance (InsufficientFundsError otherwise, nothing changed). No
   * money changes hands: `amount` records the tokens' money value with the
   * sign of the movement, as balance the platform gave or took back.
   */
  async adjust(admin: User, workspace: Workspace, input: BalanceAdjustment): Promise<PostedEntry> {
    const sign = input.action === 'grant' ? 1 : -1
    return this.ledger.post({
      workspaceId: workspace.id,
      type: input.action,
      tokens: sign * input.tokens,
      amount: sign * input.tokens * aiConfig.microsPerBalanceToken,
      description: `${input.action === 'grant' ? 'Granted' : 'Revoked'} by ${admin.email}: ${input.reason}`,
      userId: admin.id,
      reference: input.idempotencyKey ? `admin:${input.idempotencyKey}` : null,
    })
  }

  async ledgerPage(workspace: Workspace, page: number, perPage = 50) {
    const entries = await db
      .from('transactions')
      .leftJoin('users', 'users.id', 'transactions.user_id')
      .where('transactions.workspace_id', workspace.id)
      .select(
        'transactions.id',
        'transactions.type',
        'transactions.tokens',
        'transactions.amount',
        'transactions.description',
        'transactions.reference',
        'transactions.created_at',
        'users.email as user_email'
      )
      .orderBy('transactions.id', 'desc')
      .paginate(page, perPage)
    entries.baseUrl(`/admin/workspaces/${workspace.id}/ledger`)
    const [drift] = await this.ledger.check(workspace.id)
    return { entries, drift: drift ?? null }
  }
}
