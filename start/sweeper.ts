/*
| Background housekeeping of the web process: interrupted AI turns give
| their held balance back (see TurnRecoveryService).
*/
import logger from '@adonisjs/core/services/logger'
import TurnRecoveryService from '#services/turn_recovery_service'

// Preloads are imported together: wait for the migrations to be applied.
await import('#start/migrate')

const recovery = new TurnRecoveryService()
const { default: DeployService } = await import('#services/deploy_service')
await new DeployService().recoverAfterRestart().catch((error) => logger.error({ err: error }, 'deployment recovery failed'))
const run = () => recovery.sweep().catch((error) => logger.error({ err: error }, 'turn recovery sweep failed'))
await run()
setInterval(run, 60_000).unref()
