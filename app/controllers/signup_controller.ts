import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { signupValidator } from '#validators/auth'
import AccountService from '#services/account_service'

@inject()
export default class SignupController {
  constructor(private accounts: AccountService) {}

  async show({ view }: HttpContext) {
    return view.render('pages/auth/signup')
  }

  async store({ request, auth, response, session }: HttpContext) {
    const input = await request.validateUsing(signupValidator)
    const { user } = await this.accounts.register(input)
    await auth.use('web').login(user)
    session.flash('success', `Welcome to xBasis, ${user.fullName}! Your workspace is ready.`)
    return response.redirect('/dashboard')
  }
}
