import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { signupValidator } from '#validators/auth'
import AccountService from '#services/account_service'
import SessionService from '#services/session_service'
import { validateForm } from '#lib/forms'

@inject()
export default class SignupController {
  constructor(
    private accounts: AccountService,
    private sessions: SessionService
  ) {}

  async show({ view }: HttpContext) {
    return view.render('pages/auth/signup')
  }

  async store(ctx: HttpContext) {
    const { auth, response, session } = ctx
    const input = await validateForm(ctx, signupValidator, 'pages/auth/signup')
    const { user } = await this.accounts.register(input)
    await auth.use('web').login(user)
    await this.sessions.track(ctx, user)
    session.flash('success', `Welcome to xBasis, ${user.fullName}! Your workspace is ready.`)
    return response.redirect('/dashboard')
  }
}
