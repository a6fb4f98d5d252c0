import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { randomBytes } from 'node:crypto'
import logger from '@adonisjs/core/services/logger'
import xbasis from '#config/xbasis'
import SignupPolicy from '#services/signup_policy'
import AccountService from '#services/account_service'
import PasswordResetService from '#services/password_reset_service'
import { adminCreateAccountValidator, signupModeValidator } from '#validators/admin_signup'
import { validateForm } from '#lib/forms'

/**
 * Admin → Sign-up: who may create an account (the saved mode wins over
 * XBASIS_SIGNUP), and accounts the admin adds (the only way in when the
 * mode is `invite`).
 */
@inject()
export default class AdminSignupController {
  constructor(
    private policy: SignupPolicy,
    private accounts: AccountService,
    private resets: PasswordResetService
  ) {}

  private async state() {
    const current = await this.policy.mode()
    return { current, envMode: xbasis.signup.mode, edition: xbasis.edition, perHour: xbasis.signup.perAddressPerHour }
  }

  async show({ view }: HttpContext) {
    return view.render('pages/admin/signup', await this.state())
  }

  async update(ctx: HttpContext) {
    const { auth, response, session } = ctx
    const { mode } = await validateForm(ctx, signupModeValidator, 'pages/admin/signup', await this.state())
    await this.policy.setMode(mode === 'env' ? null : mode, auth.getUserOrFail().id)
    const now = await this.policy.mode()
    session.flash('success', `Sign-up is now ${now.mode}${now.source === 'env' ? ' (from XBASIS_SIGNUP)' : ''}.`)
    return response.redirect('/admin/signup')
  }

  /**
   * Adds an account with an unusable random password; its owner gets a
   * mail with a link to choose theirs.
   */
  async createAccount(ctx: HttpContext) {
    const { auth, response, session, view } = ctx
    const admin = auth.getUserOrFail()
    const { mode } = await this.policy.mode()
    if (mode === 'closed') {
      response.status(403)
      return view.render('pages/admin/signup', {
        ...(await this.state()),
        refused: 'Sign-up is closed: no account can be added. Switch to "invite" or "open" first.',
      })
    }
    const input = await validateForm(ctx, adminCreateAccountValidator, 'pages/admin/signup', await this.state())
    const { user } = await this.accounts.register({ ...input, password: randomBytes(32).toString('base64url') })
    try {
      await this.resets.invite(user, admin)
      session.flash('success', `Account created for ${user.email}: a mail with a link to choose a password is on its way.`)
    } catch (error) {
      logger.error({ err: error, userId: user.id }, 'could not send the account invitation mail')
      session.flash('error', `Account created for ${user.email}, but the mail could not be sent. They can use "Forgot password?" on the login page.`)
    }
    return response.redirect('/admin/signup')
  }
}
