import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * The captured mails page is a development aid: open to everyone outside
 * production, to instance admins in production (where it is how an admin
 * without SMTP can still hand a reset link to a user).
 */
export default class DevMailsMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!app.inProduction) return next()
    await ctx.auth.authenticateUsing(['web'], { loginRoute: '/login' })
    await ctx.bouncer.authorize('administerInstance')
    return next()
  }
}
