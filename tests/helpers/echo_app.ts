import db from '@adonisjs/lucid/services/db'
import type { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'

type Account = Awaited<ReturnType<typeof apiAccount>>

/**
 * A hand-written app that shows what reaches it and tries what a hostile app
 * would: /echo answers the request's headers as JSON (and keeps the last
 * Cookie header it saw, /seen), /set-cookies tries to set the platform's
 * cookies and domain cookies, /go redirects to a root path, /page is HTML with
 * root-relative links, /deny forbids framing.
 */
export const ECHO_APP = {
  'package.json': JSON.stringify({ name: 'echo', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }, null, 2),
  'server.js': `const http = require('node:http')
const seen = []
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://app')
  seen.push({ path: url.pathname, cookie: req.headers.cookie ?? null, authorization: req.headers.authorization ?? null })
  if (url.pathname === '/health') return res.end('ok')
  if (url.pathname === '/seen') { res.setHeader('content-type', 'application/json'); return res.end(JSON.stringify(seen)) }
  if (url.pathname === '/echo') { res.setHeader('content-type', 'application/json'); return res.end(JSON.stringify({ url: req.url, headers: req.headers })) }
  if (url.pathname === '/set-cookies') {
    res.setHeader('set-cookie', [
      'xbasis-session=planted; Path=/; HttpOnly',
      'remember_web=planted; Path=/',
      'tossed=1; Domain=localhost; Path=/',
      'mine=1; Path=/; HttpOnly; SameSite=Lax',
    ])
    return res.end('set')
  }
  if (url.pathname === '/go') { res.writeHead(303, { location: '/contact?x=1' }); return res.end() }
  if (url.pathname === '/go-absolute') { res.writeHead(302, { location: 'http://' + req.headers['x-forwarded-host'] + '/contact' }); return res.end() }
  if (url.pathname === '/go-away') { res.writeHead(302, { location: 'https://example.org/x' }); return res.end() }
  if (url.pathname === '/deny') {
    res.setHeader('x-frame-options', 'DENY')
    res.setHeader('content-security-policy', "default-src 'self'; frame-ancestors 'none'")
    return res.end('deny')
  }
  if (url.pathname === '/wipe') { res.setHeader('clear-site-data', '"cookies", "storage"'); return res.end('wipe') }
  if (url.pathname === '/style.css') { res.setHeader('content-type', 'text/css'); return res.end('body { background: url(/bg.png) } @import "/more.css";') }
  if (url.pathname === '/page') {
    res.setHeader('content-type', 'text/html; charset=utf-8')
    return res.end('<!doctype html><link rel="stylesheet" href="/style.css"><a href="/contact">c</a> <a href="//example.org/x">o</a> <a href="https://example.org/">e</a> <form action="/contact" method="post"></form><img src="/a.png" srcset="/a.png 1x, /b.png 2x"><a href="rel">r</a>')
  }
  res.end('echo ' + url.pathname)
}).listen(Number(process.env.PORT), process.env.HOST)
`,
}

/** Replaces the project's files with the echo app and deploys it to `environment`. */
export async function deployEcho(account: Account, environment: 'preview' | 'production' = 'production') {
  for (const [path, content] of Object.entries(ECHO_APP)) {
    await account.json('PUT', `/api/v1/projects/${account.project.id}/files/${path}`, { content })
  }
  const created = await account.json('POST', `/api/v1/projects/${account.project.id}/deployments`, { environment })
  if (created.status !== 202) throw new Error(`deploy refused: ${JSON.stringify(created.body)}`)
  const deployment = await waitForDeployment(account, created.body.deployment.id)
  if (deployment.status !== 'live') throw new Error(`the echo app did not start: ${deployment.reason}`)
  const row = await db.from('deployments').where('id', deployment.id).first()
  return { deployment, name: appNameOf(deployment.url), handle: typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle }
}

/** The app name in an app URL: `http://<app>.<APPS_DOMAIN>` or `…/apps/<app>`. */
export function appNameOf(url: string) {
  const parsed = new URL(url)
  const path = parsed.pathname.match(/^\/apps\/([^/]+)/)
  return path ? path[1] : parsed.hostname.split('.')[0]
}
