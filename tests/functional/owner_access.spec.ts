import { test } from '@japa/runner'
import { request } from 'node:http'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import { WebClient } from '#tests/helpers/web_client'
import { signOwnerToken } from '#services/owner_access_service'
import deploy from '#deploy/deploy_manager'

const platform = new URL(new WebClient().baseUrl)

/** A request to an app at its own host name, through the platform, as a browser sends it. */
function viaAppHost(url: string, headers: Record<string, string> = {}) {
  const target = new URL(url)
  return new Promise<{ status: number; location: string | undefined; cookies: string[]; body: string }>((resolve, reject) => {
    request({ host: platform.hostname, port: platform.port, path: target.pathname + target.search, headers: { host: target.host, ...headers } }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, cookies: res.headers['set-cookie'] ?? [], body }))
    })
      .on('error', reject)
      .end()
  })
}

async function liveApp() {
  const account = await apiAccount('Owner')
  const projectUrl = `/api/v1/projects/${account.project.id}`
  await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page with a contact form', provider: 'offline' })
  const created = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production' })
  const live = await waitForDeployment(account, created.body.deployment.id)
  if (live.status !== 'live') throw new Error(`not live: ${live.reason}`)
  return { account, projectUrl, live }
}

test.group('Owner access: owner pages, one-click link, credentials', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const driver = await deploy.use('process')
    for (const row of await db.from('deployments').where('status', 'live')) if (row.handle) await driver.destroy(JSON.parse(row.handle)).catch(() => {})
  })

  test('the owner pages are listed; the signed link opens them signed in, once; a tampered or expired link is refused', async ({ assert }) => {
    const { account, projectUrl, live } = await liveApp()

    const owner = await account.json('GET', `${projectUrl}/owner`)
    assert.equal(owner.status, 200)
    assert.deepInclude(owner.body.pages, { path: '/contact/submissions', label: 'Contact messages', module: 'contact-form' })
    assert.equal(owner.body.production.url, live.url)
    assert.isNull(owner.body.preview)

    const link = await account.json('POST', `${projectUrl}/owner/link`, { environment: 'production' })
    assert.equal(link.status, 201)
    assert.equal(link.headers.get('cache-control'), 'no-store')
    assert.isTrue(link.body.url.startsWith(`${live.url}/__owner?token=`))
    assert.equal(link.body.next, '/contact/submissions')
    const ttl = Date.parse(link.body.expires_at) - Date.now()
    assert.isTrue(ttl > 60_000 && ttl <= 120_000, `expires in ${ttl} ms`)

    // Without the link, the owner page asks for the password.
    assert.equal((await viaAppHost(`${live.url}/contact/submissions`)).status, 401)
    const opened = await viaAppHost(link.body.url)
    assert.equal(opened.status, 303)
    assert.equal(opened.location, '/contact/submissions')
    const cookie = opened.cookies.find((c) => c.startsWith('xb_owner='))!.split(';')[0]
    const page = await viaAppHost(`${live.url}/contact/submissions`, { cookie })
    assert.equal(page.status, 200)
    assert.include(page.body, 'Contact messages')

    // Once only; a tampered token (another page in the claims, old signature) is refused.
    assert.equal((await viaAppHost(link.body.url)).status, 403)
    const fresh = (await account.json('POST', `${projectUrl}/owner/link`, { environment: 'production', next: '/contact/submissions' })).body.url as string
    const [payload, signature] = new URL(fresh).searchParams.get('token')!.split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forged = `${Buffer.from(JSON.stringify({ ...claims, next: '/admin' })).toString('base64url')}.${signature}`
    const tampered = await viaAppHost(`${live.url}/__owner?token=${forged}`)
    assert.equal(tampered.status, 403)
    assert.isUndefined(tampered.cookies.find((c) => c.startsWith('xb_owner=')))

    // Expired: a link the platform's own key signed a second ago is refused by the deployed app.
    const { body } = await account.json('POST', `${projectUrl}/owner/credentials`, { password: 'chat password 1' })
    const secret = body.credentials.find((c: any) => c.name === 'ADMIN_PASSWORD').value
    const appName = new URL(live.url).hostname.split('.')[0]
    const expired = signOwnerToken(secret, { app: appName, next: '/contact/submissions', exp: Math.floor(Date.now() / 1000) - 1 })
    assert.equal((await viaAppHost(`${live.url}/__owner?token=${expired}`)).status, 403)
    // The same key, not expired: accepted (so the refusal above was the expiry).
    const valid = signOwnerToken(secret, { app: appName, next: '/contact/submissions', exp: Math.floor(Date.now() / 1000) + 60 })
    assert.equal((await viaAppHost(`${live.url}/__owner?token=${valid}`)).status, 303)
    // A link for the project's preview app is not valid on production.
    const forPreview = signOwnerToken(secret, { app: `${appName}-preview`, next: '/', exp: Math.floor(Date.now() / 1000) + 60 })
    assert.equal((await viaAppHost(`${live.url}/__owner?token=${forPreview}`)).status, 403)

    // Offsite next is refused before any link is made; an environment that is not live is a 409.
    assert.equal((await account.json('POST', `${projectUrl}/owner/link`, { next: '//evil.example' })).status, 422)
    const notLive = await account.json('POST', `${projectUrl}/owner/link`, { environment: 'preview' })
    assert.equal(notLive.status, 409)
    assert.equal(notLive.body.errors[0].code, 'not_live')
  })

  test('another tenant gets 404 for the owner pages, the link and the credentials', async ({ assert }) => {
    const { projectUrl } = await liveApp()
    const other = await apiAccount('Stranger')
    assert.equal((await other.json('GET', `${projectUrl}/owner`)).status, 404)
    assert.equal((await other.json('POST', `${projectUrl}/owner/link`, { environment: 'production' })).status, 404)
    const reveal = await other.json('POST', `${projectUrl}/owner/credentials`, { password: 'chat password 1' })
    assert.equal(reveal.status, 404)
    assert.notProperty(reveal.body, 'credentials')
  })

  test('the generated credentials are revealed only after the password is confirmed, and never otherwise', async ({ assert }) => {
    const { account, projectUrl } = await liveApp()

    const missing = await account.json('POST', `${projectUrl}/owner/credentials`, {})
    assert.equal(missing.status, 422)
    const wrong = await account.json('POST', `${projectUrl}/owner/credentials`, { password: 'not my password' })
    assert.equal(wrong.status, 401)
    assert.equal(wrong.body.errors[0].code, 'wrong_password')
    assert.notProperty(wrong.body, 'credentials')

    const right = await account.json('POST', `${projectUrl}/owner/credentials`, { password: 'chat password 1' })
    assert.equal(right.status, 200)
    assert.equal(right.headers.get('cache-control'), 'no-store')
    const admin = right.body.credentials.find((c: any) => c.name === 'ADMIN_PASSWORD')
    assert.equal(admin.environment, 'all')
    assert.isAtLeast(admin.value.length, 20)

    // Nowhere else: not in the env API, the owner API or the editor page's source.
    const everywhere = [
      JSON.stringify((await account.json('GET', `${projectUrl}/env`)).body),
      JSON.stringify((await account.json('GET', `${projectUrl}/owner`)).body),
    ]
    for (const text of everywhere) assert.notInclude(text, admin.value)

    // Ten wrong passwords in a row block the reveal for a while, even with the right one.
    for (let i = 0; i < 10; i++) await account.json('POST', `${projectUrl}/owner/credentials`, { password: 'still wrong' })
    const blocked = await account.json('POST', `${projectUrl}/owner/credentials`, { password: 'chat password 1' })
    assert.equal(blocked.status, 429)
    assert.notProperty(blocked.body, 'credentials')
  })
})
