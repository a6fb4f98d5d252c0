import { test } from '@japa/runner'
import { request } from 'node:http'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import { appLabelOfHost, appsDomain, publicAppUrl, previewFrameAncestors } from '#lib/app_urls'
import { apiAccount } from '#tests/helpers/ai'
import { truncateAll } from '#tests/helpers/services'
import { WebClient } from '#tests/helpers/web_client'
import { deployEcho } from '#tests/helpers/echo_app'

const platform = new WebClient().baseUrl
const port = Number(env.get('PORT'))

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request to the platform with any Host header (fetch cannot set one). */
function raw(path: string, options: { host?: string; headers?: Record<string, string>; method?: string } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const target = new URL(platform)
    request(
      { host: target.hostname, port: target.port, path, method: options.method ?? 'GET', headers: { host: options.host ?? target.host, ...options.headers } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      }
    )
      .on('error', reject)
      .end()
  })
}

const appHost = (name: string) => `${name}.localhost:${port}`
const setCookies = (answer: Answer) => (answer.headers['set-cookie'] ?? []) as string[]
/** The policies of an answer (several are sent comma-separated, and the browser enforces each one). */
const csp = (answer: Answer) =>
  ([] as string[])
    .concat(answer.headers['content-security-policy'] ?? [])
    .flatMap((value) => value.split(/\s*,\s*/))

test.group('App origins: names, previews, cookies, sandboxed path URLs', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const driver = await deploy.use('process')
    for (const row of await db.from('deployments').whereNotNull('handle')) {
      await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
    }
  })

  test("an app answers only under its project's exact name; another slug, or a host that is no app, is a 404", async ({ assert }) => {
    const account = await apiAccount('Slugs')
    const { name, deployment } = await deployEcho(account)
    const id = account.project.id
    assert.equal(name, `${account.project.slug}-${id}`)
    assert.equal(deployment.url, `http://${name}.localhost:${port}`)

    assert.equal((await raw(`/apps/${name}/echo`)).status, 200)
    assert.equal((await raw('/echo', { host: appHost(name) })).status, 200)
    for (const wrong of [`anything-${id}`, `x${name}`, `${name}0`]) {
      const byPath = await raw(`/apps/${wrong}/echo`)
      assert.equal(byPath.status, 404, `/apps/${wrong}/`)
      assert.notInclude(byPath.body, '"headers"')
      assert.equal((await raw('/echo', { host: appHost(wrong) })).status, 404, appHost(wrong))
    }
    // A host under APPS_DOMAIN is never the platform, not even its login page.
    const stranger = await raw('/login', { host: appHost('nothing-here') })
    assert.equal(stranger.status, 404)
    assert.notInclude(stranger.body, 'password')
  }).timeout(60_000)

  test('previews have an unguessable name: counting project ids finds nothing', async ({ assert }) => {
    const account = await apiAccount('Previews')
    const { name, deployment } = await deployEcho(account, 'preview')
    const id = account.project.id
    assert.match(name, new RegExp(`^${account.project.slug}-${id}-preview-[0-9a-f]{20}$`))
    assert.equal(deployment.url, `http://${name}.localhost:${port}`)
    assert.equal((await raw(`/apps/${name}/echo`)).status, 200)
    assert.equal((await raw('/echo', { host: appHost(name) })).status, 200)

    const wrongKey = name.replace(/[0-9a-f]{20}$/, (key) => key.replace(/^./, (c) => (c === '0' ? '1' : '0')))
    for (const guess of [`${account.project.slug}-${id}-preview`, `app-${id}-preview`, wrongKey]) {
      assert.equal((await raw(`/apps/${guess}/echo`)).status, 404, guess)
      assert.equal((await raw('/echo', { host: appHost(guess) })).status, 404, guess)
    }
    // Another project's preview key is another one.
    const other = await apiAccount('Other')
    assert.notEqual(publicAppUrl(other.project, 'preview').slice(-20), name.slice(-20))
  }).timeout(60_000)

  test("the platform's cookies and bearer tokens never reach an app, by path or by host", async ({ assert }) => {
    const account = await apiAccount('Cookies')
    const { name } = await deployEcho(account)
    const sent = {
      'cookie': 'xbasis-session=SESSION; remember_web=REMEMBER; xba_mine=1; other=2',
      'authorization': `Bearer ${account.token}`,
      'x-forwarded-for': '203.0.113.9',
    }
    const byPath = JSON.parse((await raw(`/apps/${name}/echo?q=1`, { headers: sent })).body)
    assert.equal(byPath.url, '/echo?q=1')
    assert.equal(byPath.headers.cookie, 'mine=1', "on the path URL only the app's own (prefixed) cookies")
    assert.notProperty(byPath.headers, 'authorization')
    assert.equal(byPath.headers['x-forwarded-prefix'], `/apps/${name}`)

    const byHost = JSON.parse((await raw('/echo', { host: appHost(name), headers: sent })).body)
    assert.equal(byHost.headers.cookie, 'xba_mine=1; other=2')
    assert.notProperty(byHost.headers, 'authorization')
    assert.equal(byHost.headers['x-forwarded-host'], appHost(name))

    // HTTP Basic is the app's own login (its owner pages): it passes.
    const basic = JSON.parse((await raw('/echo', { host: appHost(name), headers: { authorization: 'Basic YWRtaW46cw==' } })).body)
    assert.equal(basic.headers.authorization, 'Basic YWRtaW46cw==')
  }).timeout(60_000)

  test("an app cannot set the platform's cookies, nor cookies for other hosts", async ({ assert }) => {
    const account = await apiAccount('Setter')
    const { name } = await deployEcho(account)

    const byHost = setCookies(await raw('/set-cookies', { host: appHost(name) }))
    assert.deepEqual(byHost, ['tossed=1; Path=/', 'mine=1; Path=/; HttpOnly; SameSite=Lax'])

    const byPath = setCookies(await raw(`/apps/${name}/set-cookies`))
    assert.deepEqual(byPath, [`xba_tossed=1; Path=/apps/${name}/`, `xba_mine=1; Path=/apps/${name}/; HttpOnly; SameSite=Lax`])

    for (const answer of [await raw('/wipe', { host: appHost(name) }), await raw(`/apps/${name}/wipe`)]) {
      assert.notProperty(answer.headers, 'clear-site-data')
    }
  }).timeout(60_000)

  test('the path URL is an opaque sandboxed origin whose links, forms, styles and redirects stay under it', async ({ assert }) => {
    const account = await apiAccount('Paths')
    const { name } = await deployEcho(account)
    const prefix = `/apps/${name}`

    const page = await raw(`${prefix}/page`)
    assert.equal(page.status, 200)
    const sandbox = csp(page).find((policy) => policy.startsWith('sandbox'))
    assert.exists(sandbox, 'a CSP sandbox on the path URL')
    assert.include(sandbox!, 'allow-scripts')
    assert.include(sandbox!, 'allow-forms')
    assert.notInclude(sandbox!, 'allow-same-origin')
    assert.include(page.body, `href="${prefix}/style.css"`)
    assert.include(page.body, `<a href="${prefix}/contact">`)
    assert.include(page.body, `action="${prefix}/contact"`)
    assert.include(page.body, `src="${prefix}/a.png" srcset="${prefix}/a.png 1x, ${prefix}/b.png 2x"`)
    assert.include(page.body, 'href="//example.org/x"', 'other hosts are left alone')
    assert.include(page.body, 'href="https://example.org/"')
    assert.include(page.body, 'href="rel"')
    assert.equal(page.headers['content-length'], String(Buffer.byteLength(page.body)))

    const css = await raw(`${prefix}/style.css`)
    assert.equal(css.body, `body { background: url(${prefix}/bg.png) } @import "${prefix}/more.css";`)
    assert.exists(csp(css).find((policy) => policy.startsWith('sandbox')))

    assert.equal((await raw(`${prefix}/go`)).headers.location, `${prefix}/contact?x=1`)
    assert.equal((await raw(`${prefix}/go-absolute`)).headers.location, `${prefix}/contact`)
    assert.equal((await raw(`${prefix}/go-away`)).headers.location, 'https://example.org/x')
    const bare = await raw(prefix)
    assert.equal(bare.status, 301)
    assert.equal(bare.headers.location, `${prefix}/`)

    // On its own host the app is served as it is: no sandbox, no rewriting.
    const own = await raw('/page', { host: appHost(name) })
    assert.isUndefined(csp(own).find((policy) => policy.startsWith('sandbox')))
    assert.include(own.body, 'href="/style.css"')
    assert.equal((await raw('/go', { host: appHost(name) })).headers.location, '/contact?x=1')
  }).timeout(60_000)

  test("a preview may be framed by the platform's addresses, and by nothing else", async ({ assert }) => {
    const account = await apiAccount('Frames')
    const preview = await deployEcho(account, 'preview')
    const answer = await raw('/deny', { host: appHost(preview.name) })
    assert.notProperty(answer.headers, 'x-frame-options')
    const policies = csp(answer)
    assert.notInclude(policies.join(','), "frame-ancestors 'none'")
    const ancestors = policies.find((policy) => policy.startsWith('frame-ancestors'))!
    assert.include(ancestors, `http://localhost:${port}`)
    assert.include(ancestors, `http://127.0.0.1:${port}`)
    assert.deepEqual(ancestors.split(' ').slice(1), previewFrameAncestors(account.project.id))
    assert.include(policies.join(','), "default-src 'self'", "the app's other directives are kept")

    // A production app keeps its own framing rules.
    const production = await deployEcho(account, 'production')
    const own = await raw('/deny', { host: appHost(production.name) })
    assert.equal(own.headers['x-frame-options'], 'DENY')
    assert.include(csp(own).join(','), "frame-ancestors 'none'")
  }).timeout(60_000)

  test("the platform's cookies are host-only: never sent to <app>.<APPS_DOMAIN>", async ({ assert }) => {
    const answer = await raw('/login', { headers: { accept: 'text/html' } })
    assert.equal(answer.status, 200)
    const cookies = setCookies(answer)
    assert.isNotEmpty(cookies)
    for (const cookie of cookies) assert.notMatch(cookie, /;\s*domain=/i, cookie)
  })

  test('APPS_DOMAIN defaults to the host of APP_URL; an IP address or "off" means path URLs', async ({ assert }) => {
    const saved = { APP_URL: env.get('APP_URL'), APPS_DOMAIN: env.get('APPS_DOMAIN') }
    const set = (key: 'APP_URL' | 'APPS_DOMAIN', value: string | undefined) => {
      ;(env as any).set(key, value)
      if (value === undefined) delete process.env[key]
    }
    try {
      set('APPS_DOMAIN', undefined)
      set('APP_URL', 'http://localhost:3333')
      assert.equal(appsDomain(), 'localhost:3333')
      assert.equal(publicAppUrl({ slug: 'shop', id: 7 }, 'production'), 'http://shop-7.localhost:3333')
      set('APP_URL', 'https://Xbasis.Example.com')
      assert.equal(appsDomain(), 'xbasis.example.com')
      assert.equal(publicAppUrl({ slug: 'shop', id: 7 }, 'production'), 'https://shop-7.xbasis.example.com')
      set('APP_URL', 'http://192.0.2.10:3333')
      assert.isNull(appsDomain())
      assert.equal(publicAppUrl({ slug: 'shop', id: 7 }, 'production'), 'http://192.0.2.10:3333/apps/shop-7')
      set('APPS_DOMAIN', 'apps.example.net')
      assert.equal(publicAppUrl({ slug: 'shop', id: 7 }, 'production'), 'http://shop-7.apps.example.net')
      // A platform under its APPS_DOMAIN stays the platform.
      set('APP_URL', 'https://xbasis.example.com')
      set('APPS_DOMAIN', 'example.com')
      assert.isNull(appLabelOfHost('xbasis.example.com'))
      assert.equal(appLabelOfHost('shop-7.example.com'), 'shop-7')
      set('APP_URL', 'http://192.0.2.10:3333')
      set('APPS_DOMAIN', 'off')
      assert.equal(publicAppUrl({ slug: 'shop', id: 7 }, 'production'), 'http://192.0.2.10:3333/apps/shop-7')
    } finally {
      set('APP_URL', saved.APP_URL)
      set('APPS_DOMAIN', saved.APPS_DOMAIN)
    }
  })
})
