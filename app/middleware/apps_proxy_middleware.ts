import { request as httpRequest } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import Deployment from '#models/deployment'
import { parseAppHost, parseAppName, type AppRef } from '#lib/app_urls'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

/**
 * Serves deployed apps of local targets (process) through the platform, so a
 * self-hoster needs no extra proxy: requests for <app>.<APPS_DOMAIN> or
 * /apps/<app>/… go to the live deployment of that app. Runs before the
 * router: the platform's own sessions, CSRF and body parsing never see them.
 */
export default class AppsProxyMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    let ref: AppRef | null = parseAppHost(ctx.request.header('host'))
    let path = ctx.request.url(true)
    if (!ref) {
      const match = path.match(/^\/apps\/([^/?#]+)(\/[^]*)?$/)
      if (!match) return next()
      ref = parseAppName(match[1])
      if (!ref) return next()
      path = match[2] ?? '/'
    }

    const deployment = await Deployment.query()
      .where('project_id', ref.projectId)
      .where('environment', ref.environment)
      .where('status', 'live')
      .orderBy('id', 'desc')
      .first()
    const upstream = deployment?.handle?.url
    if (!deployment || !upstream) {
      return ctx.response.status(503).header('content-type', 'text/html; charset=utf-8').send(
        '<!doctype html><title>Not running</title><h1>This app is not running</h1><p>Deploy it from its project in xBasis.</p>'
      )
    }

    const target = new URL(path, upstream)
    const incoming = ctx.request.request
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
    }
    headers['host'] = target.host
    headers['x-forwarded-host'] = incoming.headers.host ?? ''
    headers['x-forwarded-proto'] = ctx.request.protocol()

    await new Promise<void>((resolve) => {
      const proxied = httpRequest(target, { method: incoming.method, headers }, (answer) => {
        ctx.response.status(answer.statusCode ?? 502)
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) ctx.response.header(name, value)
        }
        ctx.response.stream(answer)
        resolve()
      })
      proxied.on('error', () => {
        ctx.response.status(502).send('The app did not answer')
        resolve()
      })
      incoming.pipe(proxied)
    })
  }
}
