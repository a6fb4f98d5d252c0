/*
| Background housekeeping of the web process: interrupted AI turns give
| their held balance back (see TurnRecoveryService); running production
| apps are charged their daily compute (see ComputeBillingService); the
| logs of old deployments are deleted (see DeployLogRetention).
*/
import logger from '@adonisjs/core/services/logger'
import TurnRecoveryService from '#services/turn_recovery_service'

// Preloads are imported together: wait for the migrations to be applied.
await import('#start/migrate')

const recovery = new TurnRecoveryService()

// Apps the process target runs are children of the platform: stop them when
// the platform stops, or it could not exit.
const { default: app } = await import('@adonisjs/core/services/app')
const { default: DeployService, shutdownLocalApps } = await import('#services/deploy_service')
app.terminating(() => shutdownLocalApps())
// Apps that were live come back in the background: the platform answers (and is ready) meanwhile.
const recovered = await new DeployService().recoverAfterRestart().catch((error) => logger.error({ err: error }, 'deployment recovery failed'))
if (recovered && recovered.resuming) {
  logger.info(`starting again ${recovered.resuming} app(s) that were live before the restart`)
  void recovered.resumed.then((outcomes) => {
    const values = Object.values(outcomes)
    logger.info(`apps back after the restart: ${values.filter((o) => o === 'live').length} live, ${values.filter((o) => o === 'failed').length} failed`)
  })
}
const run = () => recovery.sweep().catch((error) => logger.error({ err: error }, 'turn recovery sweep failed'))
await run()
setInterval(run, 60_000).unref()

// Compute charges of production apps: every hour, each day charged once
// (idempotent by reference), so a restart or several platform processes never charge twice.
const { default: ComputeBillingService } = await import('#services/compute_billing_service')
const charge = () => new ComputeBillingService().run().catch((error) => logger.error({ err: error }, 'compute billing failed'))
void charge()
setInterval(charge, 60 * 60_000).unref()

// Logs of deployments that ended long ago, or beyond the newest of their project: hourly.
const { default: DeployLogRetention } = await import('#services/deploy_log_retention')
const prune = () => new DeployLogRetention().sweep().catch((error) => logger.error({ err: error }, 'deployment log retention failed'))
void prune()
setInterval(prune, 60 * 60_000).unref()
