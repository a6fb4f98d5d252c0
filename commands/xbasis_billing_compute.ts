import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * node ace xbasis:billing:compute [--date=yyyy-mm-dd]: charges one day of
 * compute for every running production app (the platform process does it by
 * itself every hour; a day is charged once, however often it runs), warns
 * owners of empty balances, stops apps after the grace period and starts
 * them again once the balance is back.
 */
export default class XbasisBillingCompute extends BaseCommand {
  static commandName = 'xbasis:billing:compute'
  static description = 'Charge a day of compute for running production apps (idempotent per day)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'The day to charge (UTC, yyyy-mm-dd); today by default' })
  declare date?: string

  async run() {
    const { DateTime } = await import('luxon')
    const { default: ComputeBillingService } = await import('#services/compute_billing_service')
    let now = DateTime.utc()
    if (this.date !== undefined) {
      const day = DateTime.fromISO(this.date, { zone: 'utc' })
      if (!/^\d{4}-\d{2}-\d{2}$/.test(this.date) || !day.isValid) {
        this.logger.error(`--date must be a day as yyyy-mm-dd, not "${this.date}"`)
        this.exitCode = 1
        return
      }
      now = day.set({ hour: 12 })
    }
    const report = await new ComputeBillingService().run(now)
    if (report.skipped) {
      this.logger.info('Compute is not charged on this instance (BILLING=none): nothing to do')
      return
    }
    this.logger.success(`${report.day}: ${report.entries} charge(s), ${report.tokens} tokens`)
    if (report.warned.length) this.logger.warning(`warned (balance ran out): workspaces ${report.warned.join(', ')}`)
    if (report.suspended.length) this.logger.warning(`production apps stopped: workspaces ${report.suspended.join(', ')}`)
    if (report.resumed.length) this.logger.info(`production apps started again: workspaces ${report.resumed.join(', ')}`)
  }
}
