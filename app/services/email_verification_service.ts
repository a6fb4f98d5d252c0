import { createHash } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import router from '@adonisjs/core/services/router'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { appUrl } from '#config/app'
import xbasis from '#config/xbasis'
import billingConfig from '#config/billing'
import { dbTime } from '#lib/db_time'
import User from '#models/user'
import MeteringService from '#services/metering_service'

function affectedRows(result: unknown): number {
  return Number(Array.isArray(result) ? result[0] : result)
}

/**
 * A short digest of the address the link was sent to: a link stops working
 * if the account's address is no longer that one.
 */
function addressDigest(email: string) {
  return createHash('sha256').update(email.toLowerCase()).digest('base64url').slice(0, 22)
}

/**
 * E-mail verification. The link is a URL signed with the app key (no
 * table: `/verify-email/:id/:digest?signature=…`, valid
 * `verificationTtlHours`). Following it marks the address verified; on SaaS
 * that is when the Free plan's allowance is granted (once: the grant is
 * tied to the conditional update that sets `email_verified_at`), so
 * farming accounts needs a working mailbox per account. A successful
 * password reset proves the mailbox too and verifies it the same way.
 */
export default class EmailVerificationService {
  /**
   * Does sign-up wait for verification before granting the allowance?
   */
  static required() {
    return xbasis.edition === 'saas'
  }

  link(user: User) {
    return router.makeSignedUrl(
      'email.verify',
      { id: user.id, digest: addressDigest(user.email) },
      { expiresIn: `${xbasis.signup.verificationTtlHours} hours`, prefixUrl: appUrl, purpose: 'verify-email' }
    )
  }

  async send(user: User) {
    const link = this.link(user)
    const allowance = billingConfig.plans[billingConfig.defaultPlan].monthlyTokens
    const state = { user, link, ttl: xbasis.signup.verificationTtlHours, allowance: allowance.toLocaleString('en-US') }
    await mail.send((message) => {
      message
        .to(user.email, user.fullName)
        .subject('Confirm your e-mail address for xBasis')
        .htmlView('emails/verify_email', state)
        .textView('emails/verify_email_text', state)
    })
  }

  /**
   * Follows a link (its signature was checked by the controller). Returns
   * the user, or null when the link does not match the account.
   */
  async verify(userId: number, digest: string): Promise<{ user: User; granted: boolean } | null> {
    const user = await User.find(userId)
    if (!user || addressDigest(user.email) !== digest) return null
    const granted = await this.markVerified(user)
    return { user, granted }
  }

  /**
   * Sets `email_verified_at` if it is not set yet, and on SaaS grants the
   * allowance in the same transaction. True when this call verified it.
   */
  async markVerified(user: User, outer?: TransactionClientContract): Promise<boolean> {
    const run = async (trx: TransactionClientContract) => {
      const updated = await trx.from('users').where('id', user.id).whereNull('email_verified_at').update({ email_verified_at: dbTime() })
      if (affectedRows(updated) !== 1) return false
      if (EmailVerificationService.required()) {
        const workspace = await trx.from('workspaces').where({ owner_id: user.id, personal: true }).first()
        if (workspace) {
          const allowance = billingConfig.plans[billingConfig.defaultPlan].monthlyTokens
          await new MeteringService().grant(workspace.id, allowance, 'Free plan allowance', trx)
        }
      }
      return true
    }
    const verified = outer ? await run(outer) : await db.transaction(run)
    if (verified) await user.refresh()
    return verified
  }
}
