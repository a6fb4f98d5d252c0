import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import aiConfig from '#config/ai'
import { dbTime } from '#lib/db_time'
import MeteringService from '#services/metering_service'

/**
 * Turns whose platform process died mid-answer stay "streaming" with their
 * balance held. This sweep marks them interrupted, keeps the text that was
 * saved (none is saved before the end of a turn, so it is empty) and gives
 * the held balance back.
 *
 * It never touches a live turn: a live turn touches its message every
 * `turnHeartbeatMs` (PreparedTurn.run), and a turn is taken for dead only
 * once it went `staleTurnMs` without a touch. Even if a turn were taken by
 * mistake, its hold is released exactly once (MeteringService.releaseHold),
 * so several platform instances can sweep safely.
 */
export default class TurnRecoveryService {
  constructor(private metering = new MeteringService()) {}

  async sweep(staleMs = aiConfig.staleTurnMs): Promise<number> {
    const cutoff = dbTime(new Date(Date.now() - staleMs))
    const stuck = await db
      .from('ai_messages')
      .join('ai_sessions', 'ai_sessions.id', 'ai_messages.ai_session_id')
      .join('projects', 'projects.id', 'ai_sessions.project_id')
      .where('ai_messages.status', 'streaming')
      .where('ai_messages.updated_at', '<', cutoff)
      .select('ai_messages.id', 'projects.workspace_id')
    let recovered = 0
    for (const row of stuck) {
      await db.transaction(async (trx) => {
        // Conditional: a heartbeat since the select, or another sweeper, wins.
        const claimed = await trx
          .from('ai_messages')
          .where({ id: row.id, status: 'streaming' })
          .where('updated_at', '<', cutoff)
          .update({ status: 'error', error: 'Interrupted: the platform restarted while answering', updated_at: dbTime() })
        if (Number(Array.isArray(claimed) ? claimed[0] : claimed) !== 1) return
        await this.metering.releaseHold(trx, Number(row.workspace_id), Number(row.id))
        recovered += 1
      })
    }
    if (recovered) logger.warn('released the balance of %d interrupted AI turn(s)', recovered)
    return recovered
  }
}
