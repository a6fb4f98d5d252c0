// The app's HTTP server (plain node:http, no dependencies). Every file of routes/ adds its routes:
// it exports register(router, ctx). Modules read their parameters from xbasis.config.json through
// ctx.params(id) at run time.
import { createServer } from 'node:http'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { config, dataDir, host, moduleParams, port, root } from './lib/config.js'
import { HttpError, sendHtml, sendJson, wantsJson } from './lib/http.js'
import { addNavLink, addToSlot, html, navLinks, page, safeUrl } from './lib/html.js'
import { t } from './lib/i18n.js'
import { Router } from './lib/router.js'
import { serveStatic } from './lib/static.js'

const router = new Router()
const ctx = { config, dataDir, params: moduleParams, addNavLink, addToSlot }

// Sorted, so the app starts the same way on every machine.
const files = (await readdir(join(root, 'routes'))).filter((name) => name.endsWith('.js')).sort()
for (const name of files) {
  const routes = await import(pathToFileURL(join(root, 'routes', name)).href)
  await routes.register(router, ctx)
}

// Without a landing page, "/" lists the app's pages.
if (!router.has('GET', '/')) {
  router.get('/', (req, res) => {
    const base = moduleParams('app-base')
    const links = navLinks()
    sendHtml(res, page({ body: html`<section class="hero"><h1>${base.title || 'My App'}</h1>
${base.description ? html`<p>${base.description}</p>` : ''}
${links.length ? html`<div class="actions">${links.map((link, i) => html`<a class="button${i ? ' secondary' : ''}" href="${safeUrl(link.href)}">${link.label}</a>`)}</div>` : ''}
</section>` }))
  })
}

// The platform that hosts a preview may frame it (XBASIS_FRAME_ANCESTORS, set
// by the deploy, one origin); nobody else can. Anything odd in it is ignored.
const frameAncestor = /^https?:\/\/[a-z0-9.-]+(:\d+)?$/i.test(process.env.XBASIS_FRAME_ANCESTORS ?? '')
  ? process.env.XBASIS_FRAME_ANCESTORS
  : null

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  ...(frameAncestor ? {} : { 'x-frame-options': 'DENY' }),
  // No inline scripts or styles anywhere: an injected <script> would not run even if it got through.
  // Images may come from https sites too: a portfolio or a team page shows the owner's pictures.
  'content-security-policy': `default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; frame-ancestors ${frameAncestor ?? "'none'"}`,
}

const publicDir = join(root, 'public')

function splitPath(pathname) {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    throw new HttpError(400, 'The URL is malformed.')
  }
}

/** Forms posted from another site are refused (the browser names the page's origin). */
function checkOrigin(req) {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return
  const origin = req.headers.origin
  if (!origin || origin === 'null') return
  let originHost
  try {
    originHost = new URL(origin).host
  } catch {
    throw new HttpError(403, 'Cross-site request refused.')
  }
  // Behind a proxy that rewrites Host, the public host is in X-Forwarded-Host.
  const hosts = [req.headers.host, ...String(req.headers['x-forwarded-host'] ?? '').split(',').map((h) => h.trim())]
  if (!hosts.includes(originHost)) throw new HttpError(403, 'Cross-site request refused.')
}

async function handle(req, res) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
  const url = new URL(req.url ?? '/', 'http://localhost')
  req.path = url.pathname
  req.query = url.searchParams
  checkOrigin(req)
  const segments = splitPath(url.pathname)
  const found = router.match(req.method, segments)
  if (found?.handler) {
    req.params = found.params
    return await found.handler(req, res)
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(publicDir, segments, req, res))) return
  if (found?.allowed) {
    throw new HttpError(405, 'Method not allowed.', { headers: { allow: found.allowed.join(', ') } })
  }
  throw new HttpError(404, 'Page not found.')
}

function sendError(req, res, error) {
  const status = error instanceof HttpError ? error.status : 500
  const message = error instanceof HttpError ? error.message : 'Something went wrong.'
  if (status === 500) console.error(error)
  if (res.headersSent) return res.destroy()
  const headers = error instanceof HttpError ? error.headers : {}
  if (wantsJson(req)) {
    return sendJson(res, { error: message, ...(error.details ? { details: error.details } : {}) }, status, headers)
  }
  // Pages speak the app's language; JSON errors stay in English for API clients.
  sendHtml(res, page({ title: t('Error {status}', { status }), body: html`<section class="card narrow"><h1>${t(message)}</h1><p><a href="/">${t('Back to the home page')}</a></p></section>` }), status, headers)
}

const server = createServer((req, res) => {
  const started = Date.now()
  res.on('finish', () => {
    if (process.env.LOG_REQUESTS !== 'false') console.log(`${req.method} ${req.path ?? "-"} ${res.statusCode} ${Date.now() - started}ms`)
  })
  handle(req, res).catch((error) => sendError(req, res, error))
})
// Slow or stuck clients must not hold connections forever.
server.requestTimeout = 30_000
server.headersTimeout = 15_000
server.keepAliveTimeout = 5_000

server.listen(port, host, () => {
  console.log(`listening on http://${host}:${server.address().port}`)
})

// On SIGTERM (a deploy, a restart) stop accepting connections, let requests in flight finish (their
// writes to the data directory included), then exit; give up on stragglers after 10 s.
let stopping = false
function shutdown(signal) {
  if (stopping) return
  stopping = true
  console.log(`${signal} received, shutting down`)
  server.close(() => process.exit(0))
  server.closeIdleConnections()
  setTimeout(() => {
    server.closeAllConnections()
    process.exit(0)
  }, 10_000).unref()
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
