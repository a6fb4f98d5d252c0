import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { SessionCollection } from '@adonisjs/session'
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'

/**
 * What a signed-in session records about itself, in its own data (so it
 * works the same in the database and the Redis store).
 */
const DEVICE_KEY = 'xbasis_device'

export type UserSession = {
  id: string
  current: boolean
  ip: string | null
  userAgent: string | null
  signedInAt: string | null
}

/**
 * A user's web sessions. Rules:
 * - every session that signs a user in is tagged with the user's id (the
 *   store keeps the tag: `sessions.user_id`, or a Redis set), right after the
 *   login in the same request; a session recreated from a "remember me"
 *   cookie is tagged by the auth listener (start/sessions.ts);
 * - logging out regenerates the session id, so the old id (a copied cookie)
 *   finds nothing;
 * - revoking destroys sessions in the store: the next request with that
 *   cookie is a visitor's. "Remember me" tokens go too, or they would sign
 *   the browser in again.
 */
export default class SessionService {
  private async collection() {
    return app.container.make(SessionCollection)
  }

  /**
   * Tags the request's (just signed-in) session with its user.
   */
  async track(ctx: HttpContext, user: User) {
    ctx.session.put(DEVICE_KEY, {
      ip: ctx.request.ip(),
      userAgent: String(ctx.request.header('user-agent') ?? '').slice(0, 300) || null,
      signedInAt: new Date().toISOString(),
    })
    await ctx.session.tag(String(user.id))
  }

  async list(user: User, currentSessionId?: string): Promise<UserSession[]> {
    const sessions = await (await this.collection()).tagged(String(user.id))
    return sessions.map(({ id, data }) => {
      const device = (data as Record<string, any>)[DEVICE_KEY] ?? {}
      return {
        id,
        current: id === currentSessionId,
        ip: typeof device.ip === 'string' ? device.ip : null,
        userAgent: typeof device.userAgent === 'string' ? device.userAgent : null,
        signedInAt: typeof device.signedInAt === 'string' ? device.signedInAt : null,
      }
    })
  }

  /**
   * Ends every session of the user except `keepSessionId` (the browser that
   * asked), and every "remember me" token. Returns how many sessions ended.
   */
  async revokeOthers(user: User, keepSessionId?: string): Promise<number> {
    const collection = await this.collection()
    const sessions = await collection.tagged(String(user.id))
    let ended = 0
    for (const { id } of sessions) {
      if (id === keepSessionId) continue
      await collection.destroy(id)
      ended += 1
    }
    await db.from('remember_me_tokens').where('tokenable_id', user.id).delete()
    return ended
  }

  /**
   * Ends one session of the user; a session of someone else is not found.
   */
  async revoke(user: User, sessionId: string): Promise<boolean> {
    const collection = await this.collection()
    const sessions = await collection.tagged(String(user.id))
    if (!sessions.some(({ id }) => id === sessionId)) return false
    await collection.destroy(sessionId)
    return true
  }
}
