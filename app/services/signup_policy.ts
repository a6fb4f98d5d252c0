import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { dbTime } from '#lib/db_time'
import xbasis from '#config/xbasis'

export const SIGNUP_MODES = ['open', 'invite', 'closed'] as const
export type SignupMode = (typeof SIGNUP_MODES)[number]

const SETTING_KEY = 'signup_mode'

/**
 * Public sign-up is refused: the instance is invite-only or closed.
 */
export class SignupClosedError extends Exception {
  static status = 403
  static code = 'signup_closed'
  constructor(public mode: SignupMode) {
    super(
      mode === 'invite'
        ? 'Sign-up is by invitation only on this instance: ask an administrator for an account'
        : 'Sign-up is closed on this instance',
      { status: 403, code: 'signup_closed' }
    )
  }
}

/**
 * Too many sign-ups from one address.
 */
export class SignupThrottledError extends Exception {
  static status = 429
  static code = 'E_TOO_MANY_REQUESTS'
  constructor(public retryAfterSeconds: number) {
    super(`Too many sign-ups from your address. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`, {
      status: 429,
      code: 'E_TOO_MANY_REQUESTS',
    })
  }
}

/**
 * Who may create an account on this instance, and how fast.
 *
 * Modes: `open` (anyone), `invite` (only accounts an admin adds on Admin →
 * Users; invitations by e-mail do not exist yet) and `closed` (no new
 * accounts at all). The mode saved on Admin → Sign-up wins over
 * XBASIS_SIGNUP, so an admin can close a running instance without a
 * restart; "Use the environment's value" removes the saved choice.
 * The first account of a self-hosted instance (its admin) can always be
 * created: nobody could set the mode before it exists.
 *
 * Rate limit: `perAddressPerHour` sign-ups per client address per hour (the
 * address as TRUSTED_PROXIES lets it be known), web and API alike.
 */
export default class SignupPolicy {
  async mode(): Promise<{ mode: SignupMode; source: 'admin' | 'env' }> {
    const row = await db.from('instance_settings').where('key', SETTING_KEY).first()
    if (row && (SIGNUP_MODES as readonly string[]).includes(row.value)) {
      return { mode: row.value as SignupMode, source: 'admin' }
    }
    return { mode: xbasis.signup.mode, source: 'env' }
  }

  async setMode(mode: SignupMode | null, adminId: number) {
    if (mode === null) {
      await db.from('instance_settings').where('key', SETTING_KEY).delete()
      return
    }
    const values = { key: SETTING_KEY, value: mode, updated_by: adminId, updated_at: dbTime() }
    await db.insertQuery().table('instance_settings').insert(values).knexQuery.onConflict('key').merge(['value', 'updated_by', 'updated_at'])
  }

  /**
   * Is this an instance without any account yet (its first sign-up makes
   * the admin on self-hosted)?
   */
  async awaitingFirstAccount(): Promise<boolean> {
    if (xbasis.edition !== 'selfhosted') return false
    const row = await db.from('users').count('* as total').first()
    return Number(row?.total ?? 0) === 0
  }

  /**
   * Throws unless a visitor may sign up now.
   */
  async assertPublicSignupAllowed() {
    const { mode } = await this.mode()
    if (mode === 'open' || (await this.awaitingFirstAccount())) return
    throw new SignupClosedError(mode)
  }

  /**
   * Counts one sign-up from the request's address; throws when over.
   */
  async consume(ctx: HttpContext) {
    const limit = limiter.use({ requests: xbasis.signup.perAddressPerHour, duration: '1 hour', blockDuration: '1 hour' })
    const key = `signup:${ctx.request.ip()}`
    try {
      await limit.consume(key)
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) throw new SignupThrottledError(error.response.availableIn)
      throw error
    }
  }
}
