import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Bounded deployment logs (app/services/deploy_log_writer.ts,
 * app/services/deploy_log_retention.ts):
 * - `deployments.log_lines_dropped`: how many lines of the deployment were
 *   not kept (beyond the rate limit or the caps); its "… N lines dropped"
 *   marker row says the same.
 * - `deployments.logs_deleted_at`: when housekeeping deleted the logs of an
 *   old stopped/failed deployment.
 * - an index per deployment and stream: the oldest runtime lines are found
 *   (and removed) without reading the rest.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('deployments', (table) => {
      table.integer('log_lines_dropped').notNullable().defaultTo(0)
      table.timestamp('logs_deleted_at', { useTz: true }).nullable()
    })
    this.schema.alterTable('deployment_logs', (table) => {
      table.index(['deployment_id', 'stream', 'id'])
    })
  }

  async down() {
    this.schema.alterTable('deployment_logs', (table) => {
      table.dropIndex(['deployment_id', 'stream', 'id'])
    })
    this.schema.alterTable('deployments', (table) => {
      table.dropColumn('log_lines_dropped')
      table.dropColumn('logs_deleted_at')
    })
  }
}
