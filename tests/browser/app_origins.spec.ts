/// <reference lib="dom" />
import { test } from '@japa/runner'
import { createServer, request, type Server } from 'node:http'
import { createServer as createNetServer, connect, type AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { BrowserContext, Page } from 'playwright-core'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import { truncateAll } from '#tests/helpers/services'
import { CHROMIUM, CHROMIUM_ARGS } from '#tests/helpers/browser'
import { freePort } from '#tests/helpers/platform_process'
import { appNameOf } from '#tests/helpers/echo_app'

type Account = Awaited<ReturnType<typeof apiAccount>>

const port = Number(env.get('PORT'))
const loopback = `http://127.0.0.1:${port}`
const localhost = `http://localhost:${port}`

/** APPS_DOMAIN for the length of `run` (read by the platform at every request and deploy). */
async function withAppsDomain<T>(value: string, run: () => Promise<T>) {
  const saved = env.get('APPS_DOMAIN')
  env.set('APPS_DOMAIN', value)
  try {
    return await run()
  } finally {
    env.set('APPS_DOMAIN', saved as string)
    if (saved === undefined) delete process.env.APPS_DOMAIN
  }
}

async function generatedApp(account: Account, request: string, environment: 'preview' | 'production', extraFiles: Record<string, string> = {}) {
  const turn = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: request, provider: 'offline' })
  if (turn.status !== 201) throw new Error(`turn failed: ${JSON.stringify(turn.body)}`)
  for (const [path, content] of Object.entries(extraFiles)) {
    await account.json('PUT', `/api/v1/projects/${account.project.id}/files/${path}`, { content })
  }
  const created = await account.json('POST', `/api/v1/projects/${account.project.id}/deployments`, { environment })
  const deployment = await waitForDeployment(account, created.body.deployment.id)
  if (deployment.status !== 'live') throw new Error(`not live: ${deployment.reason}`)
  return deployment as { id: number; url: string }
}

async function logIn(page: Page, platform: string, account: Account) {
  const email = (await db.from('users').where('id', account.user.id).first()).email
  await page.goto(platform + '/login')
  await page.fill('#email', email)
  await page.fill('#password', 'chat password 1')
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL('**/dashboard')
}

/** The frame of `page` showing `url`, once its document has loaded some content; null if none does. */
async function framedContent(page: Page, url: string, ms = 5000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || !frame.url().startsWith(url)) continue
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')
      if (text.trim().length > 20) return text
    }
    await page.waitForTimeout(100)
  }
  return null
}

/** A page of another site (another port: another origin) that tries to frame `url`. */
async function foreignSite(url: string) {
  const sitePort = await freePort()
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html')
    res.end(`<!doctype html><title>Elsewhere</title><iframe src="${url}" width="600" height="400"></iframe>`)
  })
  await new Promise<void>((resolve) => server.listen(sitePort, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${sitePort}/`, close: () => new Promise((resolve) => server.close(resolve)) }
}

test.group('Apps on origins of their own, in chromium', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const driver = await deploy.use('process')
    for (const row of await db.from('deployments').whereNotNull('handle')) {
      await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
    }
  })

  test('the preview shows in the editor opened on 127.0.0.1 and on localhost, by host and by path, and another site cannot frame it', async ({ browserContext, assert }) => {
    const account = await apiAccount('Framer')
    const page = await browserContext.newPage()
    const refused: string[] = []
    page.on('console', (message) => {
      if (/frame-ancestors/.test(message.text())) refused.push(message.text())
    })
    for (const platform of [loopback, localhost]) await logIn(page, platform, account)

    const check = async (previewUrl: string) => {
      for (const platform of [loopback, localhost]) {
        await page.goto(`${platform}/projects/${account.project.id}`)
        await page.waitForSelector('[data-test="preview-frame"]', { timeout: 30_000 })
        assert.equal(await page.locator('[data-test="preview-frame"]').getAttribute('src'), previewUrl)
        assert.isNotNull(await framedContent(page, previewUrl, 15_000), `the preview shows in the editor at ${platform}`)
      }
      assert.deepEqual(refused, [])
      const elsewhere = await foreignSite(previewUrl)
      try {
        await page.goto(elsewhere.url)
        assert.isNull(await framedContent(page, previewUrl, 2000), 'another site cannot frame the preview')
        for (let i = 0; i < 20 && !refused.length; i++) await page.waitForTimeout(100)
        assert.isNotEmpty(refused, 'chromium refused the frame because of frame-ancestors')
      } finally {
        await elsewhere.close()
      }
      refused.length = 0
    }

    const byHost = await generatedApp(account, 'a landing page with a waitlist', 'preview')
    assert.match(byHost.url, new RegExp(`^http://[a-z0-9-]+-preview-[0-9a-f]{20}\\.localhost:${port}$`))
    await check(byHost.url)

    await withAppsDomain('off', async () => {
      // Without app hosts, the preview is the sandboxed path URL: still framed by the platform only.
      const byPath = await generatedApp(account, 'add a contact form', 'preview')
      assert.equal(byPath.url, `${localhost}/apps/${appNameOf(byHost.url)}`)
      await check(byPath.url)
    })
  }).timeout(180_000)

  test("opened on another address of the machine (its LAN IP), the editor shows the preview at its path URL on that address", async ({ assert }) => {
    const account = await apiAccount('Remote')
    const preview = await generatedApp(account, 'a landing page with a waitlist', 'preview')
    assert.match(new URL(preview.url).hostname, /\.localhost$/)
    // The platform as another machine reaches it: the machine's LAN address (forwarded to the test server, which
    // listens on 127.0.0.1), where *.localhost would be the visitor's own loopback.
    const address = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address
    assert.exists(address, 'this test needs a non-loopback IPv4 address on the machine')
    const forwarder = createNetServer((socket) => {
      const upstream = connect(port, '127.0.0.1')
      socket.pipe(upstream).pipe(socket)
      const close = () => (socket.destroy(), upstream.destroy())
      socket.on('error', close)
      upstream.on('error', close)
    })
    await new Promise<void>((resolve) => forwarder.listen(0, address, resolve))
    const lan = `http://${address}:${(forwarder.address() as AddressInfo).port}`
    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({ headless: true, executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    try {
      const page = await (await browser.newContext()).newPage()
      const refused: string[] = []
      page.on('console', (message) => {
        if (/frame-ancestors|Refused to frame/.test(message.text())) refused.push(message.text())
      })
      await logIn(page, lan, account)
      await page.goto(`${lan}/projects/${account.project.id}`)
      await page.waitForSelector('[data-test="preview-frame"]', { timeout: 30_000 })
      const src = await page.locator('[data-test="preview-frame"]').getAttribute('src')
      assert.equal(src, `${lan}/apps/${appNameOf(preview.url)}`)
      assert.isNotNull(await framedContent(page, src!, 15_000), 'the preview shows')
      assert.deepEqual(refused, [])
      assert.equal(await page.locator('[data-test="preview-link"]').getAttribute('href'), src)
    } finally {
      await browser.close()
      forwarder.close()
    }
  }).timeout(120_000)

  test('a live app on its own origin and on its sandboxed path URL: styled pages, every link and form of its modules works, no platform cookie reaches it', async ({ assert }) => {
    const account = await apiAccount('Walker')
    // A route that answers the Cookie header the app receives.
    const probe = `export function register(router) {
  router.get('/cookies-seen', (req, res) => { res.setHeader('content-type', 'text/plain'); res.end('seen:' + String(req.headers.cookie ?? '')) })
}
`
    await withAppsDomain(`apps.test:${port}`, async () => {
      const live = await generatedApp(
        account,
        'a landing page with a waitlist, a contact form, a blog, a pricing page and user accounts',
        'production',
        { 'routes/zz_cookies_seen.js': probe }
      )
      const name = appNameOf(live.url)
      assert.equal(live.url, `http://${name}.apps.test:${port}`)

      // Chromium as on another machine: the platform at 127.0.0.1, apps through wildcard DNS (*.apps.test).
      const { chromium } = await import('playwright-core')
      const browser = await chromium.launch({ headless: true, executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.apps.test 127.0.0.1'] })
      try {
        const context = await browser.newContext()
        const page = await context.newPage()
        const errors: string[] = []
        page.on('pageerror', (error) => errors.push(error.message))
        await logIn(page, loopback, account)
        const platformCookies = (await context.cookies()).filter((c) => c.domain === '127.0.0.1')
        assert.isTrue(platformCookies.some((c) => c.name === 'xbasis-session'))

        for (const base of [live.url, `${loopback}/apps/${name}`]) {
          const walked = await walk(context, base)
          assert.includeMembers(walked.pages, ['/', '/waitlist', '/contact', '/blog', '/pricing'], `${base}: ${walked.pages.join(', ')}`)
          assert.deepEqual(walked.broken, [], `${base}: broken links`)
          assert.deepEqual(walked.unstyled, [], `${base}: unstyled pages`)
          assert.includeMembers(walked.formsOk, ['/waitlist', '/contact'], `${base}: forms ${JSON.stringify(walked)}`)
          assert.deepEqual(walked.formsBroken, [], `${base}: forms`)

          const seen = await page.goto(`${base}/cookies-seen`)
          const text = (await seen!.text()).replace(/^seen:/, '')
          for (const cookie of platformCookies) {
            assert.notInclude(text, cookie.value, `${base}: the app received ${cookie.name}`)
            assert.notMatch(text, new RegExp(`(^|;\\s*)${cookie.name}=`), `${base}: the app received ${cookie.name}`)
          }
        }
        assert.deepEqual(errors, [])
      } finally {
        await browser.close()
      }
    })
  }).timeout(240_000)
})

/** The status of a GET through the platform, as chromium would get it (the Host of the URL, sent to the platform). */
function statusOf(url: string) {
  const target = new URL(url)
  return new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: target.pathname + target.search, headers: { host: target.host } }, (res) => {
      res.resume()
      resolve(res.statusCode!)
    })
      .on('error', reject)
      .end()
  })
}

type Walk = { pages: string[]; broken: string[]; unstyled: string[]; formsOk: string[]; formsBroken: string[] }

/**
 * Visits every page of the app reachable by links from its home page (the
 * owner pages, behind the app's own login, answer 401 and are not followed),
 * checks that each is styled by the app's style sheet, then submits every
 * form of those pages with plausible values.
 */
async function walk(context: BrowserContext, base: string): Promise<Walk> {
  let page = await context.newPage()
  const result: Walk = { pages: [], broken: [], unstyled: [], formsOk: [], formsBroken: [] }
  const queue = ['/']
  const seen = new Set(queue)
  const withForms: string[] = []
  while (queue.length && result.pages.length < 40) {
    const path = queue.shift()!
    // Owner pages (HTTP Basic, the app's own login) are not walked: chromium would end on an error page.
    if ((await statusOf(base + path)) === 401) continue
    const answer = await page.goto(base + path)
    const status = answer?.status() ?? 0
    if (status >= 400 || !page.url().startsWith(base)) {
      result.broken.push(`${path} → ${status} ${page.url()}`)
      continue
    }
    result.pages.push(path)
    const styled = await page.evaluate(() => getComputedStyle(document.body).display === 'flex' && getComputedStyle(document.body).margin === '0px')
    if (!styled) result.unstyled.push(path)
    if (await page.locator('form[method="post"]').count()) withForms.push(path)
    const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href))
    for (const link of links) {
      if (!link.startsWith(base + '/')) continue
      const next = new URL(link).pathname.slice(new URL(base + '/').pathname.length - 1)
      if (next.startsWith('/__owner') || seen.has(next)) continue
      seen.add(next)
      queue.push(next)
    }
  }
  for (const path of withForms) {
    const count = await (await page.goto(base + path), page.locator('form[method="post"]').count())
    for (let index = 0; index < count; index++) {
      await page.goto(base + path)
      const form = page.locator('form[method="post"]').nth(index)
      for (const field of await form.locator('input:not([type="hidden"]):not([type="submit"]), textarea, select').all()) {
        const type = (await field.getAttribute('type')) ?? (await field.evaluate((el) => el.tagName.toLowerCase()))
        if (type === 'select') continue
        if (type === 'checkbox') await field.check()
        else if (type === 'email') await field.fill(`visitor-${Math.random().toString(36).slice(2)}@example.com`)
        else if (type === 'password') await field.fill('a long visitor password 1')
        else if (type === 'number') await field.fill('3')
        else if (type === 'url') await field.fill('https://example.com/')
        else if (type === 'date') await field.fill('2026-01-02')
        else await field.fill('Hello from the walk, a message long enough')
      }
      const posted = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 10_000 })
      await form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first().click()
      const status = (await posted).status()
      await page.waitForLoadState().catch(() => {})
      // 2xx/3xx: done; 401: an owner-only action of the app's own login. Anything else is broken.
      if (status === 401 || (status < 400 && page.url().startsWith(base))) result.formsOk.push(path)
      else result.formsBroken.push(`${path}#${index} → ${status} ${page.url()}`)
      if (status === 401) {
        // Chromium is left on an error page after a refused HTTP Basic challenge: go on in a fresh tab.
        const fresh = await page.context().newPage()
        await page.close()
        page = fresh
      }
    }
  }
  await page.close()
  return result
}
