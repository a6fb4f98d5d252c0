import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import deploy from '#deploy/deploy_manager'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import { WebClient, signedUpClient } from '#tests/helpers/web_client'


const platform = new WebClient().baseUrl

async function row(projectId: number, name: string, environment = 'all') {
  return db.from('project_env_vars').where({ project_id: projectId, key: name, environment }).first()
}

/** A route added to the generated app by hand, answering with what its environment holds. */
const ENV_ROUTE = `import { sendJson } from '../lib/http.js'
export function register(router) {
  router.get('/env-probe', (req, res) => sendJson(res, {
    greeting: process.env.GREETING ?? null,
    apiKey: process.env.API_KEY ?? null,
    onlyPreview: process.env.ONLY_PREVIEW ?? null,
    adminPassword: process.env.ADMIN_PASSWORD ?? null,
    platformSecret: process.env.XBASIS_TEST_PLATFORM_SECRET ?? null,
    port: process.env.PORT,
    nodeEnv: process.env.NODE_ENV,
  }))
}
`

test.group('Project env vars and secrets', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const live = await db.from('deployments').whereIn('status', ['live', 'failed'])
    const driver = await deploy.use('process')
    for (const deployment of live) if (deployment.handle) await driver.destroy(JSON.parse(deployment.handle)).catch(() => {})
  })

  test('API: set per environment, list without secret values, encrypted at rest, update, delete', async ({ assert }) => {
    const account = await apiAccount('Env')
    const url = `/api/v1/projects/${account.project.id}/env`
    assert.deepEqual((await account.json('GET', url)).body, { env: [] })

    const secret = await account.json('PUT', url, { name: 'STRIPE_KEY', value: 'sk_live_very_secret', secret: true })
    assert.equal(secret.status, 201)
    assert.containsSubset(secret.body.variable, { name: 'STRIPE_KEY', secret: true, environment: 'all' })
    assert.notProperty(secret.body.variable, 'value')
    assert.isString(secret.body.variable.updated_at)

    const plain = await account.json('PUT', url, { name: 'GREETING', value: 'hello', secret: false, environment: 'production' })
    assert.equal(plain.status, 201)
    assert.deepInclude(plain.body.variable, { name: 'GREETING', value: 'hello', secret: false, environment: 'production' })
    // "both" is "all"; a new variable is a secret unless said otherwise.
    const both = await account.json('PUT', url, { name: 'FEATURE_FLAG', value: 'on', environment: 'both' })
    assert.containsSubset(both.body.variable, { environment: 'all', secret: true })

    const listed = await account.json('GET', url)
    assert.equal(listed.status, 200)
    assert.deepEqual(
      listed.body.env.map((v: any) => [v.name, v.environment, v.secret, v.value]),
      [
        ['FEATURE_FLAG', 'all', true, undefined],
        ['GREETING', 'production', false, 'hello'],
        ['STRIPE_KEY', 'all', true, undefined],
      ]
    )
    assert.notInclude(JSON.stringify(listed.body), 'sk_live_very_secret')

    // At rest: encrypted with the app key, plain values included.
    for (const [name, environment, value] of [['STRIPE_KEY', 'all', 'sk_live_very_secret'], ['GREETING', 'production', 'hello']]) {
      const stored = await row(account.project.id, name, environment)
      assert.notInclude(stored.value, value)
      assert.equal(encryption.decrypt(stored.value), value)
    }

    // Replacing keeps one row per name and environment; the flag stays unless told.
    const replaced = await account.json('PUT', url, { name: 'STRIPE_KEY', value: 'sk_live_rotated' })
    assert.equal(replaced.status, 200)
    assert.isTrue(replaced.body.variable.secret)
    assert.equal(encryption.decrypt((await row(account.project.id, 'STRIPE_KEY')).value), 'sk_live_rotated')
    assert.lengthOf(await db.from('project_env_vars').where('project_id', account.project.id), 3)
    const empty = await account.json('PUT', url, { name: 'GREETING', value: '', environment: 'production' })
    assert.equal(empty.body.variable.value, '')

    assert.equal((await account.json('DELETE', url, { name: 'GREETING', environment: 'production' })).status, 204)
    assert.equal((await account.json('DELETE', `${url}?name=FEATURE_FLAG`)).status, 204)
    assert.equal((await account.json('DELETE', url, { name: 'GREETING', environment: 'production' })).status, 404)
    assert.deepEqual((await account.json('GET', url)).body.env.map((v: any) => v.name), ['STRIPE_KEY'])
  })

  test('API: names are validated and reserved names refused; other workspaces get 404', async ({ assert }) => {
    const alice = await apiAccount('Alice')
    const bob = await apiAccount('Bob')
    const url = `/api/v1/projects/${alice.project.id}/env`
    for (const name of ['lower', '1ABC', 'WITH-DASH', '', 'A'.repeat(129)]) {
      const answer = await alice.json('PUT', url, { name, value: 'x' })
      assert.equal(answer.status, 422, name)
      assert.equal(answer.body.errors[0].field, 'name')
    }
    for (const name of ['PORT', 'HOST', 'NODE_ENV', 'NODE_OPTIONS', 'XBASIS_FRAME_ANCESTORS', 'PATH', 'LD_PRELOAD', 'NPM_CONFIG_PREFIX']) {
      const answer = await alice.json('PUT', url, { name, value: 'x' })
      assert.equal(answer.status, 422, name)
      assert.match(answer.body.errors[0].message, /reserved/)
    }
    assert.equal((await alice.json('PUT', url, { name: 'OK_NAME', value: 'x', environment: 'staging' })).status, 422)
    assert.equal((await alice.json('PUT', url, { name: 'OK_NAME' })).status, 422, 'a value is required')
    assert.equal((await alice.json('PUT', url, { name: 'OK_NAME', value: 'a\u0000b' })).status, 422)
    assert.equal((await alice.json('PUT', url, { name: 'OK_NAME', value: 'x', secret: 'maybe' })).status, 422)

    await alice.json('PUT', url, { name: 'MINE', value: 'alice only', secret: false })
    assert.equal((await bob.json('GET', url)).status, 404)
    assert.equal((await bob.json('PUT', url, { name: 'MINE', value: 'bob was here' })).status, 404)
    assert.equal((await bob.json('DELETE', url, { name: 'MINE' })).status, 404)
    assert.equal(encryption.decrypt((await row(alice.project.id, 'MINE')).value), 'alice only')
    assert.deepEqual((await bob.json('GET', `/api/v1/projects/${bob.project.id}/env`)).body.env, [])
  })

  test('generated module secrets stay secret, can be rotated, not removed', async ({ assert }) => {
    const account = await apiAccount('Modules')
    const url = `/api/v1/projects/${account.project.id}/env`
    await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
    const generated = (await account.json('GET', url)).body.env.find((v: any) => v.name === 'ADMIN_PASSWORD')
    assert.containsSubset(generated, { secret: true, generated: true, environment: 'all' })
    assert.notProperty(generated, 'value')
    const before = encryption.decrypt<string>((await row(account.project.id, 'ADMIN_PASSWORD')).value)!
    assert.isAbove(before.length, 10)

    const rotated = await account.json('PUT', url, { name: 'ADMIN_PASSWORD', value: 'rotated by hand', secret: false })
    assert.equal(rotated.status, 200)
    assert.containsSubset(rotated.body.variable, { secret: true, generated: true })
    assert.notProperty(rotated.body.variable, 'value')
    const removed = await account.json('DELETE', url, { name: 'ADMIN_PASSWORD' })
    assert.equal(removed.status, 409)
    // A later turn keeps the rotated value rather than generating another one.
    await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'add a blog', provider: 'offline' })
    assert.equal(encryption.decrypt((await row(account.project.id, 'ADMIN_PASSWORD')).value), 'rotated by hand')
  })

  test('web page: secrets shown as set, forms validated with 422, other workspaces get 404', async ({ assert }) => {
    const { client } = await signedUpClient('Page Owner')
    const created = await client.submit('/projects/new', '/projects', { name: 'Env page' })
    const projectId = Number(created.location!.split('/').pop())
    const page = `/projects/${projectId}/settings/env`

    const empty = await client.get(page)
    assert.equal(empty.status, 200)
    assert.include(empty.text, 'data-test="env-empty"')

    const saved = await client.post(`${page}?_method=PUT`, { name: 'SMTP_PASSWORD', value: 'hunter2-secret', environment: 'production', secret: 'true' })
    assert.equal(saved.status, 302)
    assert.equal(saved.location, page)
    await client.post(`${page}?_method=PUT`, { name: 'SITE_TITLE', value: 'Plain <b>title</b>', environment: 'all' })
    const listed = await client.follow(saved)
    assert.include(listed.text, 'SMTP_PASSWORD')
    assert.include(listed.text, '•••• set')
    assert.notInclude(listed.text, 'hunter2-secret')
    // A plain value is shown, escaped.
    assert.include(listed.text, 'Plain &lt;b&gt;title&lt;/b&gt;')
    const stored = await row(projectId, 'SMTP_PASSWORD', 'production')
    assert.isTrue(Boolean(stored.secret))
    assert.equal(encryption.decrypt(stored.value), 'hunter2-secret')
    assert.isFalse(Boolean((await row(projectId, 'SITE_TITLE')).secret), 'the unticked checkbox means plain')

    const invalid = await client.post(`${page}?_method=PUT`, { name: 'NODE_OPTIONS', value: '--allow-fs-read=*', secret: 'true' })
    assert.equal(invalid.status, 422)
    assert.match(invalid.text, /data-error-for="name"[^>]*>[^<]*reserved/)
    assert.notInclude(invalid.text, '--allow-fs-read=*', 'the value is never rendered back')
    const badName = await client.post(`${page}?_method=PUT`, { name: 'bad name', value: 'x' })
    assert.equal(badName.status, 422)
    assert.include(badName.text, 'capital letters')

    const removed = await client.post(`${page}?_method=DELETE`, { name: 'SITE_TITLE', environment: 'all' })
    assert.equal(removed.status, 302)
    assert.notExists(await row(projectId, 'SITE_TITLE'))

    const { client: other } = await signedUpClient('Stranger')
    assert.equal((await other.get(page)).status, 404)
    await other.get('/dashboard')
    assert.equal((await other.post(`${page}?_method=PUT`, { name: 'SMTP_PASSWORD', value: 'stolen' })).status, 404)
    assert.equal(encryption.decrypt((await row(projectId, 'SMTP_PASSWORD', 'production')).value), 'hunter2-secret')
  })

  test('injected at deploy: per environment, user values over generated ones, never the platform env', async ({ assert }) => {
    const account = await apiAccount('Deployer')
    const projectUrl = `/api/v1/projects/${account.project.id}`
    await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
    const probe = await account.json('PUT', `${projectUrl}/files/routes/env_probe.js`, { content: ENV_ROUTE })
    assert.include([200, 201], probe.status, JSON.stringify(probe.body))
    const generated = encryption.decrypt<string>((await row(account.project.id, 'ADMIN_PASSWORD')).value)

    await account.json('PUT', `${projectUrl}/env`, { name: 'GREETING', value: 'hello everyone', secret: false })
    await account.json('PUT', `${projectUrl}/env`, { name: 'GREETING', value: 'hello production', environment: 'production' })
    await account.json('PUT', `${projectUrl}/env`, { name: 'API_KEY', value: 'key with spaces & "quotes"', secret: true })
    await account.json('PUT', `${projectUrl}/env`, { name: 'ONLY_PREVIEW', value: 'preview thing', environment: 'preview' })
    await account.json('PUT', `${projectUrl}/env`, { name: 'ADMIN_PASSWORD', value: 'production admin', environment: 'production' })

    // Something only the platform's process holds.
    process.env.XBASIS_TEST_PLATFORM_SECRET = 'platform only'
    const read = async (environment: 'preview' | 'production') => {
      const created = await account.json('POST', `${projectUrl}/deployments`, { environment })
      const live = await waitForDeployment(account, created.body.deployment.id)
      assert.equal(live.status, 'live', live.reason)
      const response = await fetch(`${platform}/apps/${new URL(live.url).hostname.split('.')[0]}/env-probe`)
      assert.equal(response.status, 200)
      return (await response.json()) as Record<string, string | null>
    }
    const production = await read('production')
    assert.equal(production.greeting, 'hello production')
    assert.equal(production.apiKey, 'key with spaces & "quotes"')
    assert.isNull(production.onlyPreview)
    assert.equal(production.adminPassword, 'production admin')
    assert.isNull(production.platformSecret, "the platform's env never reaches the app")
    assert.equal(production.nodeEnv, 'production')
    assert.match(production.port!, /^\d+$/)

    const preview = await read('preview')
    assert.equal(preview.greeting, 'hello everyone')
    assert.equal(preview.onlyPreview, 'preview thing')
    assert.equal(preview.adminPassword, generated)
    delete process.env.XBASIS_TEST_PLATFORM_SECRET
  }).timeout(120_000)
})
