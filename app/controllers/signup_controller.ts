import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { signupValidator } from '#validators/auth'
import AccountService from '#services/account_service'
import SessionService from '#services/session_service'
import SignupPolicy, { SignupClosedError, SignupThrottledError } from '#services/signup_policy'
import EmailVerificationService from '#services/email_verification_service'
import { validateForm } from '#lib/forms'
import { afterResponse } from '#lib/after_response'

@inject()
export default class SignupController {
  constructor(
    private accounts: AccountService,
    private sessions: SessionService,
    private policy: SignupPolicy,
    private verification: EmailVerificationService
  ) {}

  async show({ view, response }: HttpContext) {
    try {
      await this.policy.assertPublicSignupAllowed()
    } catch (error) {
      if (!(error instanceof SignupClosedError)) throw error
      response.status(403)
      return view.render('pages/auth/signup', { closed: error.message })
    }
    return view.render('pages/auth/signup', { verificationRequired: EmailVerificationService.required() })
  }

  async store(ctx: HttpContext) {
    const { auth, response, session, view } = ctx
    try {
      await this.policy.assertPublicSignupAllowed()
      const input = await validateForm(ctx, signupValidator, 'pages/auth/signup')
      await this.policy.consume(ctx)
      const { user } = await this.accounts.register(input)
      await auth.use('web').login(user)
      await this.sessions.track(ctx, user)
      if (EmailVerificationService.required()) {
        afterResponse(ctx, 'e-mail verification mail', () => this.verification.send(user))
        session.flash('success', `Welcome to xBasis, ${user.fullName}! Confirm your e-mail address (we sent you a link) to receive your free tokens.`)
      } else {
        session.flash('success', `Welcome to xBasis, ${user.fullName}! Your workspace is ready.`)
      }
      return response.redirect('/dashboard')
    } catch (error) {
      if (error instanceof SignupClosedError) {
        response.status(403)
        return view.render('pages/auth/signup', { closed: error.message })
      }
      if (error instanceof SignupThrottledError) {
        response.header('Retry-After', String(error.retryAfterSeconds))
        response.status(429)
        return view.render('pages/auth/signup', { throttled: error.message })
      }
      throw error
    }
  }
}
