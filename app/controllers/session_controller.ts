import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { errors as authErrors } from '@adonisjs/auth'
import User from '#models/user'
import { loginValidator } from '#validators/auth'
import AuthThrottle, { isThrottled } from '#services/auth_throttle'
import SessionService from '#services/session_service'
import { validateForm } from '#lib/forms'
import { REDIRECT_PARAM, loginUrlFor, safeRedirectPath } from '#lib/redirects'

@inject()
export default class SessionController {
  constructor(
    private throttle: AuthThrottle,
    private sessions: SessionService
  ) {}

  async show({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  async store(ctx: HttpContext) {
    const { request, auth, response, session, view } = ctx
    const { email, password, remember } = await validateForm(ctx, loginValidator, 'pages/auth/login')

    let outcome: User | { retryAfterSeconds: number }
    try {
      outcome = await this.throttle.login(ctx, email, () => User.verifyCredentials(email, password))
    } catch (error) {
      if (error instanceof authErrors.E_INVALID_CREDENTIALS) {
        session.flashExcept(['password'])
        session.flash('error', 'Invalid e-mail or password')
        return response.redirect(loginUrlFor(safeRedirectPath(request.input(REDIRECT_PARAM))))
      }
      throw error
    }

    if (isThrottled(outcome)) {
      response.header('Retry-After', String(outcome.retryAfterSeconds))
      response.status(429)
      return view.render('pages/auth/login', {
        throttled: `Too many failed attempts. Try again in ${Math.ceil(outcome.retryAfterSeconds / 60)} minutes.`,
        email,
      })
    }

    await auth.use('web').login(outcome, Boolean(remember))
    await this.sessions.track(ctx, outcome)
    return response.redirect().toPath(safeRedirectPath(request.input(REDIRECT_PARAM)))
  }

  /**
   * Ends the session on the server: its id is dropped from the store, so a
   * copy of the cookie no longer opens anything.
   */
  async destroy({ auth, response, session }: HttpContext) {
    await auth.use('web').logout()
    session.regenerate()
    session.flash('success', 'You are logged out')
    return response.redirect('/')
  }
}
