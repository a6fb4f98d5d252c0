import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { dbTime } from '#lib/db_time'

/**
 * Turns whose platform process died mid-answer stay "streaming" with their
 * balance held. This sweep marks them interrupted, keeps the text that was
 * saved (none is saved before the end of a turn, so it is empty) and gives
 * the held balance back. A turn is only taken for dead once it has not been
 * touched for longer than any live turn can run, so several platform
 * instances can sweep safely.
 */
export default class TurnRecoveryService {
  async sweep(olderThanMinutes = 15): Promise<number> {
    const cutoff = dbTime(new Date(Date.now() - olderThanMinutes * 60_000))
    const stuck = await db
      .from('ai_messages')
      .join('ai_sessions', 'ai_sessions.id', 'ai_messages.ai_session_id')
      .join('projects', 'projects.id', 'ai_sessions.project_id')
      .where('ai_messages.status', 'streaming')
      .where('ai_messages.updated_at', '<', cutoff)
      .select('ai_messages.id', 'ai_messages.reserved_tokens', 'projects.workspace_id')
    let recovered = 0
    for (const row of stuck) {
      await db.transaction(async (trx) => {
        // Conditional: if another instance swept it first, do nothing.
        const claimed = await trx
          .from('ai_messages')
          .where({ id: row.id, status: 'streaming' })
          .update({ status: 'error', error: 'Interrupted: the platform restarted while answering', reserved_tokens: 0, updated_at: dbTime() })
        if (Number(Array.isArray(claimed) ? claimed[0] : claimed) !== 1) return
        await trx
          .from('workspaces')
          .where('id', row.workspace_id)
          .update({ tokens_reserved: db.knexRawQuery('tokens_reserved - ?', [Number(row.reserved_tokens)]) })
        recovered += 1
      })
    }
    if (recovered) logger.warn('released the balance of %d interrupted AI turn(s)', recovered)
    return recovered
  }
}
