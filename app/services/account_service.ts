import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import hash from '@adonisjs/core/services/hash'
import { errors as vineErrors } from '@vinejs/vine'
import xbasis from '#config/xbasis'
import User from '#models/user'
import Workspace from '#models/workspace'
import billingConfig from '#config/billing'
import MeteringService from '#services/metering_service'
import { slugify } from '#lib/slug'
import SessionService from '#services/session_service'
import EmailVerificationService from '#services/email_verification_service'

export type RegisterInput = { name: string; email: string; password: string }
export type PasswordChangeOptions = { keepSessionId?: string; keepApiTokens?: boolean }

/**
 * A URL-safe workspace slug: the name's letters plus a random suffix, so
 * two "Alex"es never collide.
 */
function workspaceSlug(name: string): string {
  return `${slugify(name, 40, 'workspace')}-${randomBytes(3).toString('hex')}`
}

function isUniqueViolation(error: any): boolean {
  return error?.code === '23505' || /UNIQUE constraint failed/i.test(String(error?.message))
}

/**
 * Accounts: sign-up (user + personal workspace), password changes and
 * account deletion. Controllers stay thin; every path that creates or
 * removes a user goes through here.
 */
export default class AccountService {
  /**
   * Creates the user, their personal workspace and the owner membership in
   * one transaction. On a self-hosted instance the first account becomes
   * the instance admin.
   */
  async register(input: RegisterInput): Promise<{ user: User; workspace: Workspace }> {
    try {
      return await db.transaction(async (trx) => {
        const existing = await trx.from('users').count('* as total').first()
        const firstUser = Number(existing?.total ?? 0) === 0

        const user = await User.create(
          {
            fullName: input.name,
            email: input.email,
            password: input.password,
            isAdmin: firstUser && xbasis.edition === 'selfhosted',
          },
          { client: trx }
        )

        const workspace = await Workspace.create(
          {
            name: `${input.name}'s workspace`.slice(0, 100),
            slug: workspaceSlug(input.name),
            personal: true,
            ownerId: user.id,
            plan: xbasis.defaultPlan,
            tokensBalance: 0,
          },
          { client: trx }
        )
        await user.useTransaction(trx).related('workspaces').attach({ [workspace.id]: { role: 'owner' } })
        // On SaaS the Free allowance waits for the e-mail verification
        // (EmailVerificationService), so accounts cannot be farmed for it.
        if (!EmailVerificationService.required()) {
          await new MeteringService().grant(workspace.id, billingConfig.plans[billingConfig.defaultPlan].monthlyTokens, 'Free plan allowance', trx)
        }
        await workspace.refresh()

        return { user, workspace }
      })
    } catch (error) {
      // Two sign-ups with one e-mail at the same moment: the validator saw
      // neither, the unique index catches the second.
      if (isUniqueViolation(error)) {
        throw new vineErrors.E_VALIDATION_ERROR([
          { field: 'email', message: 'An account with this e-mail already exists', rule: 'database.unique' },
        ])
      }
      throw error
    }
  }

  /**
   * Checks the current password before setting a new one (see setPassword
   * for what else ends).
   */
  async changePassword(user: User, currentPassword: string, newPassword: string, options: PasswordChangeOptions = {}): Promise<boolean> {
    if (!(await hash.verify(user.password, currentPassword))) return false
    await this.setPassword(user, newPassword, options)
    return true
  }

  /**
   * A new password ends every other way into the account: every session
   * but `keepSessionId` (the browser that changed it; none after a reset),
   * every "remember me" token, and — unless the user ticked "keep my API
   * tokens" — every API token.
   */
  async setPassword(user: User, newPassword: string, options: PasswordChangeOptions = {}) {
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.password = newPassword
      await user.save()
      await trx.from('remember_me_tokens').where('tokenable_id', user.id).delete()
      if (!options.keepApiTokens) {
        await trx.from('auth_access_tokens').where('tokenable_id', user.id).delete()
      }
    })
    await new SessionService().revokeOthers(user, options.keepSessionId)
  }

  /**
   * Deletes the user and everything that is theirs: the workspaces they own
   * (with their projects, once projects exist), memberships, tokens. Runs in
   * one transaction; foreign keys cascade the rest.
   */
  async deleteAccount(user: User) {
    const projectIds: number[] = []
    await db.transaction(async (trx) => {
      const owned = await trx.from('workspaces').where('owner_id', user.id).select('id')
      const ids = owned.map((row) => row.id)
      if (ids.length) {
        projectIds.push(...(await trx.from('projects').whereIn('workspace_id', ids).select('id')).map((row) => row.id))
      }
      if (ids.length) {
        await trx.from('workspace_members').whereIn('workspace_id', ids).delete()
        await trx.from('workspaces').whereIn('id', ids).delete()
      }
      await trx.from('workspace_members').where('user_id', user.id).delete()
      await trx.from('auth_access_tokens').where('tokenable_id', user.id).delete()
      await trx.from('remember_me_tokens').where('tokenable_id', user.id).delete()
      await trx.from('password_reset_tokens').where('user_id', user.id).delete()
      await trx.from('users').where('id', user.id).delete()
    })
    // Its sessions end with it (they would find no user, but should not linger).
    await new SessionService().revokeOthers(user)
    // The projects' files go once their rows are gone.
    for (const id of projectIds) {
      await rm(join(xbasis.paths.projects, `${id}.git`), { recursive: true, force: true })
    }
  }

  /**
   * Makes an existing user an instance admin (ace xbasis:admin).
   */
  async promote(email: string): Promise<User | null> {
    const user = await User.findBy('email', email.trim().toLowerCase())
    if (!user) return null
    user.isAdmin = true
    await user.save()
    return user
  }
}
