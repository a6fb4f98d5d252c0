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

    const live = () =>
      Deployment.query()
        .where('project_id', ref!.projectId)
        .where('environment', ref!.environment)
        .where('status', 'live')
        .orderBy('id', 'desc')
        .first()
    const deployment = await live()
    const upstream = deployment?.handle?.url
    if (!deployment || !upstream) {
      return ctx.response.status(503).header('content-type', 'text/html; charset=utf-8').send(
        '<!doctype html><title>Not running</title><h1>This app is not running</h1><p>Deploy it from its project in xBasis.</p>'
      )
    }

    const incoming = ctx.request.request
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
    }
    headers['x-forwarded-host'] = incoming.headers.host ?? ''
    headers['x-forwarded-proto'] = ctx.request.protocol()
    // A request without a body can be sent again: when the app it went to stopped
    // answering in between (a redeploy retired it), it goes to the newest live one.
    const replayable =
      ['GET', 'HEAD', 'OPTIONS'].includes(incoming.method ?? '') &&
      !incoming.headers['transfer-encoding'] &&
      Number(incoming.headers['content-length'] ?? 0) === 0

    const forward = (base: string, attempt: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const target = new URL(path, base)
        headers['host'] = target.host
        let answered = false
        const proxied = httpRequest(target, { method: incoming.method, headers }, (answer) => {
          answered = true
          ctx.response.status(answer.statusCode ?? 502)
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) ctx.response.header(name, value)
          }
          ctx.response.stream(answer)
          resolve()
        })
        proxied.on('error', async () => {
          if (answered) return // the app's answer stream ends the response
          if (replayable && attempt < 3) {
            await new Promise((r) => setTimeout(r, 50 * attempt))
            const next = (await live().catch(() => null))?.handle?.url
            if (next) return resolve(forward(next, attempt + 1))
          }
          ctx.response.status(502).send('The app did not answer')
          resolve()
        })
        if (replayable) proxied.end()
        else incoming.pipe(proxied)
      })
    await forward(upstream, 1)
  }
}
