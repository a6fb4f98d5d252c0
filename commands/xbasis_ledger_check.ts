import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * node ace xbasis:ledger:check: proves that every workspace's balance equals
 * the sum of its ledger entries. Prints each workspace that drifted (its
 * balance, the ledger's sum, the difference) and exits 1 when one did.
 */
export default class XbasisLedgerCheck extends BaseCommand {
  static commandName = 'xbasis:ledger:check'
  static description = 'Check that each workspace balance equals the sum of its ledger entries (exit 1 on drift)'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Check only this workspace' })
  declare workspace?: number

  async run() {
    const { default: LedgerService } = await import('#services/ledger_service')
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const drift = await new LedgerService().check(this.workspace)
    const checked = this.workspace !== undefined ? 1 : Number((await db.from('workspaces').count('* as total').first())?.total ?? 0)
    if (drift.length === 0) {
      this.logger.success(`No drift: ${checked} workspace(s), every balance equals the sum of its ledger entries`)
      return
    }
    for (const row of drift) {
      this.logger.error(
        `workspace ${row.workspaceId}: balance ${row.balance} tokens, ledger ${row.ledger} tokens, drift ${row.difference > 0 ? '+' : ''}${row.difference}`
      )
    }
    this.logger.error(`Drift in ${drift.length} of ${checked} workspace(s)`)
    this.exitCode = 1
  }
}
