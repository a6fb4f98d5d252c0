import type { HttpContext } from '@adonisjs/core/http'
import Deployment from '#models/deployment'
import type { AppRef } from '#lib/app_urls'

/** A deployment on its way to live: the app is "starting", not "not running". */
const ON_ITS_WAY = ['queued', 'building', 'deploying', 'starting']

/**
 * The apps proxy's answer when an app has no live deployment: a styled 503
 * page that says whether it is starting (and reloads itself) or not
 * running. Nothing about the deployment (reasons, logs) reaches the
 * visitor: they are not necessarily its owner.
 */
export async function sendAppUnavailable(ctx: HttpContext, ref: AppRef) {
  const starting = Boolean(
    await Deployment.query().where('project_id', ref.projectId).where('environment', ref.environment).whereIn('status', ON_ITS_WAY).first()
  )
  const page = await ctx.view.render('pages/errors/app_unavailable', { starting })
  ctx.response
    .status(503)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('retry-after', starting ? '3' : '30')
    // Only the inline styles of the page itself: no script, no form, nothing loaded.
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
    .send(page)
}
