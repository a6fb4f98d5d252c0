import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * node ace xbasis:admin <email>: makes an existing account an instance admin.
 */
export default class XbasisAdmin extends BaseCommand {
  static commandName = 'xbasis:admin'
  static description = 'Promote an existing account to instance admin'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'E-mail of the account to promote' })
  declare email: string

  async run() {
    const { default: AccountService } = await import('#services/account_service')
    const user = await new AccountService().promote(this.email)
    if (!user) {
      this.logger.error(`No account with the e-mail "${this.email}"`)
      this.exitCode = 1
      return
    }
    this.logger.success(`${user.email} is now an instance admin`)
  }
}
