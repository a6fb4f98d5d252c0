import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import hash from '@adonisjs/core/services/hash'
import { changePasswordValidator, deleteAccountValidator } from '#validators/auth'
import AccountService from '#services/account_service'
import SessionService from '#services/session_service'
import { validateForm } from '#lib/forms'

@inject()
export default class AccountController {
  constructor(
    private accounts: AccountService,
    private sessions: SessionService
  ) {}

  async show({ view, auth }: HttpContext) {
    const user = auth.getUserOrFail()
    const workspace = await user.personalWorkspace()
    return view.render('pages/settings/account', { workspace })
  }

  async updatePassword(ctx: HttpContext) {
    const { auth, response, session } = ctx
    const user = auth.getUserOrFail()
    const input = await validateForm(ctx, changePasswordValidator, 'pages/settings/account', {
      workspace: await user.personalWorkspace(),
    })
    const keepApiTokens = Boolean(input.keep_api_tokens)
    const changed = await this.accounts.changePassword(user, input.current_password, input.password, {
      keepSessionId: session.sessionId,
      keepApiTokens,
    })
    if (!changed) {
      session.flashExcept(['current_password', 'password', 'password_confirmation'])
      session.flash('inputErrorsBag', { current_password: ['The current password is not correct'] })
      return response.redirect('/settings/account')
    }
    // This browser stays signed in, under a new session id (and a new
    // "remember me" token if it had one: all of them were revoked).
    await auth.use('web').login(user, Boolean(ctx.request.encryptedCookie('remember_web')))
    await this.sessions.track(ctx, user)
    session.flash(
      'success',
      keepApiTokens
        ? 'Password changed. Your other sessions were logged out; your API tokens still work.'
        : 'Password changed. Your other sessions were logged out and your API tokens revoked.'
    )
    return response.redirect('/settings/account')
  }

  async destroy(ctx: HttpContext) {
    const { auth, response, session } = ctx
    const user = auth.getUserOrFail()
    const { delete_password: password } = await validateForm(ctx, deleteAccountValidator, 'pages/settings/account', {
      workspace: await user.personalWorkspace(),
    })
    if (!(await hash.verify(user.password, password))) {
      session.flash('inputErrorsBag', { delete_password: ['The password is not correct'] })
      return response.redirect('/settings/account')
    }
    await auth.use('web').logout()
    await this.accounts.deleteAccount(user)
    session.flash('success', 'Your account and its data were deleted')
    return response.redirect('/')
  }
}
