import { createHash, randomBytes } from 'node:crypto'
import { dbTime } from '#lib/db_time'
import { DateTime } from 'luxon'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import xbasis from '#config/xbasis'
import { appUrl } from '#config/app'
import User from '#models/user'
import PasswordResetToken from '#models/password_reset_token'
import AccountService from '#services/account_service'
import EmailVerificationService from '#services/email_verification_service'

function affectedRows(result: unknown): number {
  return Number(Array.isArray(result) ? result[0] : result)
}

export const INVITE_TTL_DAYS = 7

function sha256(value: string) {
  return createHash('sha256').update(value).digest('hex')
}

/**
 * Password reset by e-mail. Only the SHA-256 of a token is stored; a token
 * works once and expires after `passwordResetTtlMinutes`. Asking for a reset
 * never tells whether the address has an account.
 */
export default class PasswordResetService {
  constructor(
    private accounts = new AccountService(),
    private now: () => DateTime = () => DateTime.now()
  ) {}

  async request(email: string): Promise<void> {
    const user = await User.findBy('email', email)
    if (!user) return

    const link = await this.#issue(user, xbasis.passwordResetTtlMinutes)
    try {
      await mail.send((message) => {
        message
          .to(user.email, user.fullName)
          .subject('Reset your xBasis password')
          .htmlView('emails/reset_password', { user, link, ttl: xbasis.passwordResetTtlMinutes })
          .textView('emails/reset_password_text', { user, link, ttl: xbasis.passwordResetTtlMinutes })
      })
    } catch (error) {
      // The user sees the same answer either way (the request was answered
      // before this ran: see the controller); the operator sees why.
      logger.error({ err: error, userId: user.id }, 'could not send the password reset mail')
    }
  }

  /**
   * An account an admin added: its owner chooses their password through a
   * reset link that works for INVITE_TTL_DAYS (one use, like any reset).
   */
  async invite(user: User, invitedBy: User): Promise<void> {
    const ttlMinutes = INVITE_TTL_DAYS * 24 * 60
    const link = await this.#issue(user, ttlMinutes)
    const state = { user, link, invitedBy, days: INVITE_TTL_DAYS, appUrl }
    await mail.send((message) => {
      message
        .to(user.email, user.fullName)
        .subject('Your xBasis account is ready')
        .htmlView('emails/account_invite', state)
        .textView('emails/account_invite_text', state)
    })
  }

  async #issue(user: User, ttlMinutes: number): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    await PasswordResetToken.create({
      userId: user.id,
      tokenHash: sha256(token),
      expiresAt: this.now().plus({ minutes: ttlMinutes }),
      usedAt: null,
    })
    return `${appUrl}/reset-password/${token}`
  }

  /**
   * A token the reset form can use: exists, unused, not expired.
   */
  async findUsable(token: string): Promise<PasswordResetToken | null> {
    const row = await PasswordResetToken.findBy('tokenHash', sha256(token))
    if (!row || row.usedAt || row.expiresAt <= this.now()) return null
    return row
  }

  /**
   * Sets the new password and burns the token (and every other outstanding
   * token of that user). The "used" update is conditional, so two
   * simultaneous submissions of one link cannot both succeed.
   */
  async reset(token: string, password: string, options: { keepApiTokens?: boolean } = {}): Promise<User | null> {
    const row = await this.findUsable(token)
    if (!row) return null

    const claimed = await db
      .from('password_reset_tokens')
      .where('id', row.id)
      .whereNull('used_at')
      .update({ used_at: dbTime(this.now()) })
    if (affectedRows(claimed) !== 1) return null

    const user = await User.findOrFail(row.userId)
    // Every session of the account ends (whoever asked is not signed in).
    await this.accounts.setPassword(user, password, { keepApiTokens: options.keepApiTokens })
    // The link came by mail: the address is the user's.
    await new EmailVerificationService().markVerified(user)
    await db
      .from('password_reset_tokens')
      .where('user_id', user.id)
      .whereNull('used_at')
      .update({ used_at: dbTime(this.now()) })
    return user
  }
}
