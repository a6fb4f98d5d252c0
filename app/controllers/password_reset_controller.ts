import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { forgotPasswordValidator, resetPasswordValidator } from '#validators/auth'
import PasswordResetService from '#services/password_reset_service'
import AuthThrottle, { isThrottled } from '#services/auth_throttle'
import { validateForm } from '#lib/forms'
import { afterResponse } from '#lib/after_response'

@inject()
export default class PasswordResetController {
  constructor(
    private resets: PasswordResetService,
    private throttle: AuthThrottle
  ) {}

  async showRequest({ view }: HttpContext) {
    return view.render('pages/auth/forgot_password')
  }

  async storeRequest(ctx: HttpContext) {
    const { response, session, view } = ctx
    const { email } = await validateForm(ctx, forgotPasswordValidator, 'pages/auth/forgot_password')

    const throttled = await this.throttle.resetRequest(ctx, email)
    if (isThrottled(throttled)) {
      response.header('Retry-After', String(throttled.retryAfterSeconds))
      response.status(429)
      return view.render('pages/auth/forgot_password', {
        throttled: 'Too many reset requests for this address. Try again later.',
      })
    }

    // Looked up and mailed after the answer: the same answer, in the same
    // time, whether or not the address has an account.
    afterResponse(ctx, 'password reset request', () => this.resets.request(email))
    session.flash(
      'success',
      'If an account exists for that address, a reset link is on its way. It is valid for one hour.'
    )
    return response.redirect('/login')
  }

  async showReset({ params, view, response }: HttpContext) {
    const usable = await this.resets.findUsable(String(params.token))
    if (!usable) {
      response.status(410)
      return view.render('pages/auth/reset_password', { invalid: true })
    }
    return view.render('pages/auth/reset_password', { token: params.token })
  }

  async storeReset(ctx: HttpContext) {
    const { request, response, session } = ctx
    const { token, password, keep_api_tokens: keepApiTokens } = await validateForm(ctx, resetPasswordValidator, 'pages/auth/reset_password', {
      token: String(request.input('token', '')),
    })
    const user = await this.resets.reset(token, password, { keepApiTokens: Boolean(keepApiTokens) })
    if (!user) {
      session.flash('error', 'This reset link is invalid, expired or already used. Ask for a new one.')
      return response.redirect('/forgot-password')
    }
    session.flash(
      'success',
      keepApiTokens
        ? 'Your password was changed and every session ended. Log in with the new one.'
        : 'Your password was changed; every session and API token ended. Log in with the new one.'
    )
    return response.redirect('/login')
  }
}
