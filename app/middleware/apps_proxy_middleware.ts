import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import Deployment from '#models/deployment'
import Project from '#models/project'
import { appLabelOfHost, appName, parseAppName, previewFrameAncestors, type AppRef } from '#lib/app_urls'
import { appCookieHeader, appSetCookie, prefixHtmlPaths, prefixCssPaths, prefixLocation } from '#lib/app_proxy_rewrite'
import { sendAppUnavailable } from '#lib/app_unavailable'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

/**
 * Request headers never passed to an app: the platform's credentials and
 * whatever a client claims about forwarding (the proxy sets its own).
 */
const DROPPED_REQUEST = new Set(['cookie', 'authorization', 'proxy-authorization', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix', 'x-real-ip'])

/**
 * Response headers an app may not send: they would act on more than the app
 * (Clear-Site-Data clears the cookies of the whole site, Alt-Svc redirects the
 * platform's host), and on the path URL, anything about the platform's origin.
 */
const DROPPED_RESPONSE = new Set(['clear-site-data', 'alt-svc'])
const DROPPED_RESPONSE_PATH = new Set(['strict-transport-security', 'service-worker-allowed', 'origin-agent-cluster', 'access-control-allow-credentials'])

/**
 * The path URL's pages run in an opaque origin: scripts, forms, pop-ups and
 * downloads work, but without allow-same-origin the page is not the
 * platform's origin (no cookies, storage or same-origin reads of it).
 */
export const PATH_SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads'

/** HTML and CSS of the path URL are rewritten in memory up to this size; larger ones pass as they are. */
const REWRITE_MAX_BYTES = 8 * 1024 * 1024

type Mode = { kind: 'host' } | { kind: 'path'; prefix: string }

/**
 * Serves deployed apps of local targets through the platform, so a
 * self-hoster needs no extra proxy: requests for <app>.<APPS_DOMAIN> or
 * /apps/<app>/… go to the live deployment of that app. Runs before the
 * router: the platform's own sessions, CSRF and body parsing never see them.
 *
 * Rules: a host under APPS_DOMAIN is always an app (an unknown one is a 404,
 * never the platform); the name must be exactly the project's app name
 * (slug, id and, for previews, the preview key); the platform's cookies and
 * bearer tokens never reach the app and the app cannot set them; the path
 * URL is answered with a CSP sandbox (opaque origin) and its absolute links
 * are rewritten under /apps/<app>/.
 */
export default class AppsProxyMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const url = ctx.request.url(true)
    const label = appLabelOfHost(ctx.request.header('host'))
    let name: string
    let path: string
    let mode: Mode
    if (label !== null) {
      name = label
      path = url
      mode = { kind: 'host' }
    } else {
      const match = url.match(/^\/apps\/([^/?#]+)([/?][^]*)?$/)
      if (!match) return next()
      name = match[1].toLowerCase()
      const prefix = `/apps/${name}`
      if (!match[2]?.startsWith('/')) return ctx.response.redirect().status(301).toPath(`${prefix}/${match[2] ?? ''}`)
      path = match[2]
      mode = { kind: 'path', prefix }
    }

    const ref = await findApp(name)
    if (!ref) {
      return ctx.response.status(404).header('content-type', 'text/html; charset=utf-8').send(
        '<!doctype html><title>No such app</title><h1>There is no app at this address</h1>'
      )
    }

    const live = () =>
      Deployment.query()
        .where('project_id', ref.projectId)
        .where('environment', ref.environment)
        .where('status', 'live')
        .orderBy('id', 'desc')
        .first()
    const deployment = await live()
    const upstream = deployment?.handle?.url
    if (!deployment || !upstream) return sendAppUnavailable(ctx, ref)

    const incoming = ctx.request.request
    const headers: Record<string, string | string[]> = {}
    for (const [header, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(header) && !DROPPED_REQUEST.has(header)) headers[header] = value
    }
    const cookies = appCookieHeader(incoming.headers.cookie, mode.kind === 'path' ? cookiePrefix() : null)
    if (cookies) headers['cookie'] = cookies
    // HTTP Basic is the app's own login (owner pages); the platform never uses it. Bearer tokens are the platform's.
    const authorization = incoming.headers.authorization
    if (authorization && /^basic\s/i.test(authorization)) headers['authorization'] = authorization
    headers['x-forwarded-host'] = incoming.headers.host ?? ''
    headers['x-forwarded-proto'] = ctx.request.protocol()
    headers['x-forwarded-for'] = ctx.request.ip()
    if (mode.kind === 'path') {
      headers['x-forwarded-prefix'] = mode.prefix
      // Pages are rewritten: they must come as plain text.
      headers['accept-encoding'] = 'identity'
    }
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
          this.answer(ctx, answer, { mode, ref, upstream: target.origin, publicOrigin: `${ctx.request.protocol()}://${incoming.headers.host ?? ''}` }).then(resolve, () => {
            ctx.response.status(502).send('The app did not answer')
            resolve()
          })
        })
        proxied.on('error', async () => {
          if (answered) return // the app's answer stream ends the response
          if (replayable && attempt < 3) {
            await new Promise((r) => setTimeout(r, 50 * attempt))
            const again = (await live().catch(() => null))?.handle?.url
            if (again) return resolve(forward(again, attempt + 1))
          }
          ctx.response.status(502).send('The app did not answer')
          resolve()
        })
        if (replayable) proxied.end()
        else incoming.pipe(proxied)
      })
    await forward(upstream, 1)
  }

  /** The app's answer, with its headers filtered and, on the path URL, its links moved under the prefix. */
  private async answer(ctx: HttpContext, answer: IncomingMessage, at: { mode: Mode; ref: AppRef; upstream: string; publicOrigin: string }) {
    const { mode, ref } = at
    ctx.response.status(answer.statusCode ?? 502)
    const policies: string[] = []
    for (const [header, value] of Object.entries(answer.headers)) {
      if (value === undefined || HOP_BY_HOP.has(header) || DROPPED_RESPONSE.has(header)) continue
      if (mode.kind === 'path' && DROPPED_RESPONSE_PATH.has(header)) continue
      if (header === 'set-cookie') {
        const kept = (Array.isArray(value) ? value : [value])
          .map((cookie) => appSetCookie(cookie, mode.kind === 'path' ? { prefix: cookiePrefix(), path: mode.prefix } : null))
          .filter((cookie): cookie is string => cookie !== null)
        if (kept.length) ctx.response.header('set-cookie', kept)
        continue
      }
      if (header === 'location' && mode.kind === 'path') {
        ctx.response.header('location', prefixLocation(String(value), mode.prefix, [at.upstream, at.publicOrigin]))
        continue
      }
      // Who may frame a preview is the platform's decision, below.
      if (ref.environment === 'preview' && header === 'x-frame-options') continue
      if (header === 'content-security-policy') {
        for (const policy of Array.isArray(value) ? value : [value]) {
          const kept = ref.environment === 'preview' ? withoutDirective(policy, 'frame-ancestors') : policy
          if (kept) policies.push(kept)
        }
        continue
      }
      ctx.response.header(header, value)
    }
    if (mode.kind === 'path') policies.push(PATH_SANDBOX)
    if (ref.environment === 'preview') policies.push(`frame-ancestors ${previewFrameAncestors(ref.projectId).join(' ')}`)
    if (policies.length) ctx.response.header('content-security-policy', policies)

    const type = String(answer.headers['content-type'] ?? '').toLowerCase()
    const rewrite =
      mode.kind === 'path' &&
      ctx.request.method() !== 'HEAD' &&
      (type.startsWith('text/html') || type.startsWith('text/css')) &&
      ['', 'identity'].includes(String(answer.headers['content-encoding'] ?? '').toLowerCase()) &&
      Number(answer.headers['content-length'] ?? 0) <= REWRITE_MAX_BYTES
    if (!rewrite) {
      ctx.response.stream(answer)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of answer) {
      size += chunk.length
      if (size > REWRITE_MAX_BYTES) throw new Error('page too large to rewrite')
      chunks.push(chunk)
    }
    // latin1 keeps every byte as it is; the rewrites only touch ASCII.
    const text = Buffer.concat(chunks).toString('latin1')
    const body = type.startsWith('text/html') ? prefixHtmlPaths(text, mode.prefix) : prefixCssPaths(text, mode.prefix)
    ctx.response.removeHeader('content-length')
    ctx.response.send(Buffer.from(body, 'latin1'))
  }
}

/** The project whose app name is exactly `name`, else null (wrong slug, wrong or missing preview key). */
async function findApp(name: string): Promise<AppRef | null> {
  const ref = parseAppName(name)
  if (!ref) return null
  const project = await Project.find(ref.projectId)
  if (!project || appName(project, ref.environment) !== ref.name) return null
  return ref
}

/**
 * On the path URL one host is shared by the platform and every app: the app's
 * cookies get this prefix and a Path under /apps/<app>/, and only cookies with
 * the prefix are passed to it (the platform's never have it).
 */
function cookiePrefix() {
  return 'xba_'
}

function withoutDirective(policy: string, directive: string) {
  return policy
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && part.split(/\s+/)[0].toLowerCase() !== directive)
    .join('; ')
}
