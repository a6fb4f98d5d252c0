/*
| Runs pending migrations when the web server starts, if configured to
| (always for the embedded SQLite default), so a newcomer never types a
| migration command. Several instances starting at once are serialized by
| the migrator's lock table.
*/
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import xbasis from '#config/xbasis'

if (xbasis.migrateOnStart) {
  const migrator = new MigrationRunner(db, app, { direction: 'up', dryRun: false, disableLocks: false })
  await migrator.run()
  if (migrator.error) {
    logger.fatal({ err: migrator.error }, 'database migrations failed')
    throw migrator.error
  }
  const applied = Object.keys(migrator.migratedFiles).length
  if (applied) logger.info('applied %d database migration(s)', applied)
}
