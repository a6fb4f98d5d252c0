import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'
import { loginUrlFor } from '#lib/redirects'

/**
 * Requires an authenticated user. Browsers are sent to the login page, with
 * the page they asked for in `redirect` (GET only: a form post cannot be
 * replayed after login); API clients get a JSON 401 from the exception
 * handler.
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(
    ctx: HttpContext,
    next: NextFn,
    options: { guards?: (keyof Authenticators)[] } = {}
  ) {
    const loginRoute = ctx.request.method() === 'GET' ? loginUrlFor(ctx.request.url(true)) : this.redirectTo
    await ctx.auth.authenticateUsing(options.guards, { loginRoute })
    return next()
  }
}
