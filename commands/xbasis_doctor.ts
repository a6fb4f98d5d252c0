import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { appsDomain } from '#lib/app_urls'

/**
 * node ace xbasis:doctor: what this instance is configured to use, and
 * whether each dependency answers. Exits 1 when something is not healthy.
 */
export default class XbasisDoctor extends BaseCommand {
  static commandName = 'xbasis:doctor'
  static description = 'Show the configuration of this instance and check its database and Redis'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { default: xbasis } = await import('#config/xbasis')
    const { default: env } = await import('#start/env')
    const { healthChecks } = await import('#start/health')

    const database = env.get('DB_CONNECTION', 'sqlite')
    this.logger.info(`edition      ${xbasis.edition}`)
    this.logger.info(`data dir     ${xbasis.dataDir}`)
    this.logger.info(
      `database     ${database === 'sqlite' ? `sqlite (${xbasis.paths.database})` : `pg (${env.get('PG_HOST')}:${env.get('PG_PORT', 5432)}/${env.get('PG_DATABASE')})`}`
    )
    this.logger.info(`redis        ${xbasis.redisEnabled ? `${env.get('REDIS_HOST')}:${env.get('REDIS_PORT', 6379)}` : 'off (sessions in cookies, limiter in memory)'}`)
    this.logger.info(`mail         ${env.get('SMTP_HOST') ? `smtp ${env.get('SMTP_HOST')}` : 'captured (no SMTP_HOST): see /dev/mails'}`)
    this.logger.info(`migrations   ${xbasis.migrateOnStart ? 'run on start' : 'manual (node ace migration:run)'}`)
    const apps = appsDomain()
    this.logger.info(`apps         ${apps ? `<app>.${apps} (wildcard DNS *.${apps.replace(/:\d+$/, '')}) and ` : 'only '}sandboxed /apps/<app>/`)

    const report = await healthChecks.run()
    for (const check of report.checks) {
      const line = `${check.name}: ${check.message}`
      if (check.status === 'error') this.logger.error(line)
      else if (check.status === 'warning') this.logger.warning(line)
      else this.logger.success(line)
    }
    if (!report.isHealthy) this.exitCode = 1
  }
}
