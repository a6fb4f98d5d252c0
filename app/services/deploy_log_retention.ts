import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { dbTime } from '#lib/db_time'
import xbasisConfig from '#config/xbasis'

/** Deployments handled per statement (a bounded delete, then the next ones). */
const BATCH = 50

/**
 * Housekeeping of deployment logs (hourly, start/sweeper.ts): the logs of a
 * deployment that ended — stopped (by the user, by billing, or replaced by a
 * newer one) or failed — are deleted once it ended more than `retentionDays`
 * ago, or once it is older than the `keepDeployments` newest deployments of
 * its project. Live deployments and those on their way keep theirs. The
 * deployment itself stays in the history, with `logs_deleted_at` set.
 * Idempotent: several platform processes may run it at once.
 */
export default class DeployLogRetention {
  async sweep(now: DateTime = DateTime.now()) {
    const { retentionDays, keepDeployments } = xbasisConfig.logs
    const cutoff = dbTime(now.minus({ days: retentionDays }))
    let deployments = 0
    let lines = 0
    for (;;) {
      const rows = await db
        .from('deployments as d')
        .whereIn('d.status', ['stopped', 'failed'])
        .whereNull('d.logs_deleted_at')
        .where((query) =>
          query
            .where('d.updated_at', '<', cutoff)
            .orWhereRaw('(select count(*) from deployments as newer where newer.project_id = d.project_id and newer.id > d.id) >= ?', [keepDeployments])
        )
        .orderBy('d.id')
        .limit(BATCH)
        .select('d.id')
      if (!rows.length) break
      const ids = rows.map((row) => Number(row.id))
      await db.transaction(async (trx) => {
        lines += Number(await trx.from('deployment_logs').whereIn('deployment_id', ids).delete())
        await trx.from('deployments').whereIn('id', ids).update({ logs_deleted_at: dbTime(now), log_lines_dropped: 0 })
      })
      deployments += ids.length
      if (rows.length < BATCH) break
    }
    return { deployments, lines }
  }
}
