import { test } from '@japa/runner'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import plugin from './index.js'
import { validateDefinition } from '#plugins/validate_definition'
import { RAILWAY_DATA_MOUNT, createRailwayTarget, mapRailwayStatus, type RailwayTargetOptions } from './target.js'
import { DeployError, type DeployHandle, type LogLine } from '#deploy/contract'
import { fixtureInput, registerDeployTargetContract, writeFixtureApp } from '#tests/contracts/deploy_target'
import { FakeRailwayServer, RAILWAY_STATUSES } from '#tests/fakes/railway_server'

const railway = new FakeRailwayServer({ token: 'rw-test-token', advanceOnPoll: true })
const setup = async () => {
  await railway.start()
  return () => railway.close()
}

const settings = () => ({
  token: railway.token,
  api_url: railway.url,
  poll_interval_ms: '5',
  verify_health: 'false',
})

registerDeployTargetContract(test, 'railway (fake API)', () => plugin.create({ settings: settings(), logger: console as any }), {
  setup,
  remote: true,
  beforeEach: () => {
    railway.reset()
    railway.advanceOnPoll = true
  },
  isGone: (handle) => railway.services.get(String(handle.data.serviceId))?.deleted === true,
})

/** The root fields of the GraphQL requests the fake received, in order (uploads are `up`). */
const calls = () =>
  railway.requests.map((r) => {
    if (r.path.includes('/up?')) return { field: 'up', variables: {} as Record<string, unknown> }
    const body = r.body as { query?: string; variables?: Record<string, unknown> }
    const match = /^\s*(?:query|mutation)\s+\w+[^{]*\{\s*(\w+)/.exec(body?.query ?? '')
    return { field: match?.[1] ?? '?', variables: body?.variables ?? {} }
  })

const expectDeployError = async (promise: Promise<unknown>): Promise<DeployError> => {
  try {
    await promise
  } catch (error) {
    if (error instanceof DeployError) return error
    throw error
  }
  throw new Error('the deploy should have failed')
}

const SECRET = 'sk-live-must-stay-in-railway-variables'

test.group('Railway target', (group) => {
  let appDir = ''
  group.setup(async () => {
    const close = await setup()
    // The app as a version export looks, plus what must never be uploaded.
    appDir = await writeFixtureApp({ 'public/logo.svg': '<svg/>', 'lib/util.js': 'export const x = 1\n' })
    await mkdir(join(appDir, 'node_modules/dep'), { recursive: true })
    await writeFile(join(appDir, 'node_modules/dep/index.js'), 'module.exports = 1\n')
    await mkdir(join(appDir, '.git'), { recursive: true })
    await writeFile(join(appDir, '.git/HEAD'), 'ref: refs/heads/main\n')
    return async () => {
      await rm(appDir, { recursive: true, force: true })
      await close()
    }
  })
  group.each.setup(() => {
    railway.reset()
    railway.advanceOnPoll = true
  })

  const target = (extra: Partial<RailwayTargetOptions> = {}) =>
    createRailwayTarget({
      token: railway.token,
      apiUrl: railway.url,
      pollIntervalMs: 5,
      deployTimeoutMs: 5000,
      verifyHealth: false,
      ...extra,
    })
  const input = (env: Record<string, string> = {}, extra: Parameters<typeof fixtureInput>[1] = {}) =>
    fixtureInput(appDir, { env, appName: 'shop-42', environment: 'production', ...extra })

  test('is a valid deploy-target plugin with a secret, required token', async ({ assert }) => {
    assert.equal(plugin.id, 'railway')
    assert.equal(plugin.kind, 'deploy-target')
    const token = plugin.settings.find((s) => s.name === 'token')!
    assert.isTrue(token.secret)
    assert.isTrue(token.required)
    assert.deepEqual(token.scopes, ['platform', 'workspace'])
    assert.equal(token.env, 'RAILWAY_TOKEN')
    const apiUrl = plugin.settings.find((s) => s.name === 'api_url')!
    assert.equal(apiUrl.env, 'RAILWAY_API_URL')
    assert.equal(apiUrl.default, 'https://backboard.railway.com/graphql/v2')
    await validateDefinition(plugin, 'railway')
  })

  test('maps every Railway status', ({ assert }) => {
    const expected: Record<string, string> = {
      QUEUED: 'queued',
      WAITING: 'queued',
      INITIALIZING: 'building',
      BUILDING: 'building',
      DEPLOYING: 'deploying',
      SUCCESS: 'live',
      SLEEPING: 'live',
      FAILED: 'failed',
      CRASHED: 'failed',
      REMOVED: 'stopped',
      SKIPPED: 'stopped',
    }
    for (const status of RAILWAY_STATUSES) assert.equal(mapRailwayStatus(status), expected[status], status)
  })

  test('status follows a scripted timeline; deploy resolves on SUCCESS at https://<the service domain>', async ({ assert }) => {
    railway.advanceOnPoll = false
    railway.scriptNextDeployment({ timeline: ['QUEUED', 'WAITING', 'INITIALIZING', 'BUILDING', 'DEPLOYING', 'SUCCESS'] })
    const driver = target()
    const deploying = driver.deploy(input(), () => {})
    let id: string | undefined
    for (let i = 0; i < 200 && !id; i++) {
      id = [...railway.deployments.keys()][0]
      if (!id) await new Promise((r) => setTimeout(r, 10))
    }
    assert.ok(id, 'a deployment was triggered')
    const probe: DeployHandle = { id: id!, url: '', data: {} }
    const seen: string[] = []
    for (let i = 0; i < 6; i++) {
      seen.push((await driver.status(probe)).state)
      railway.advance(id!)
    }
    assert.deepEqual(seen, ['queued', 'queued', 'building', 'building', 'deploying', 'live'])
    const handle = await deploying
    assert.equal(handle.id, id)
    const deployment = railway.deployments.get(id!)!
    assert.equal(handle.url, `https://${railway.domainOf(deployment.serviceId, deployment.environmentId)}`)
    assert.match(handle.url, /^https:\/\/xbasis-shop-42-production-[a-z0-9]+\.up\.railway\.app$/)
    assert.equal((await driver.status(handle)).state, 'live')
  })

  test('streams build and deploy log lines to the callback as they appear', async ({ assert }) => {
    railway.scriptNextDeployment({ buildLogs: ['npm ci', 'npm run build'], deployLogs: ['fixture listening on 8080'] })
    const seen: LogLine[] = []
    const handle = await target().deploy(input(), (line) => seen.push(line))
    const texts = seen.map((l) => `${l.stream}:${l.text}`)
    assert.includeMembers(texts, ['build:npm ci', 'build:npm run build', 'runtime:fixture listening on 8080'])
    assert.equal(new Set(texts).size, texts.length, 'no line passed twice')
    const logs = await createRailwayTarget({ token: railway.token, apiUrl: railway.url }).logs(JSON.parse(JSON.stringify(handle)))
    assert.isTrue(logs.some((l) => l.stream === 'runtime' && l.text === 'fixture listening on 8080'), 'a fresh driver reads the logs')
  })

  test('a failed build is a DeployError quoting the build log', async ({ assert }) => {
    railway.failNextBuild('npm ERR! Missing script: "build"')
    const driver = target()
    const error = await expectDeployError(driver.deploy(input(), () => {}))
    assert.match(error.message, /build failed/i)
    assert.include(error.message, 'npm ERR! Missing script: "build"')
    assert.ok(error.handle, 'the error carries the handle')
    const status = await driver.status(error.handle!)
    assert.equal(status.state, 'failed')
    assert.include(status.reason, 'npm ERR! Missing script')
  })

  test('a crash at start is a DeployError quoting the deploy log', async ({ assert }) => {
    railway.crashNextDeployment('boom: the fixture refuses to start')
    const error = await expectDeployError(target().deploy(input(), () => {}))
    assert.include(error.message, 'boom: the fixture refuses to start')
    assert.equal((await target().status(error.handle!)).state, 'failed')
  })

  test('a deploy that never goes live times out, removing the deployment', async ({ assert }) => {
    railway.advanceOnPoll = false
    const driver = target({ deployTimeoutMs: 100 })
    const error = await expectDeployError(driver.deploy(input(), () => {}))
    assert.match(error.message, /not live within/)
    assert.equal(railway.status(error.handle!.id), 'REMOVED')
    assert.equal((await driver.status(error.handle!)).state, 'failed')
  })

  test('backs off on 429 as Retry-After says, then succeeds', async ({ assert }) => {
    railway.rateLimitNext({ retryAfterSeconds: 1 })
    const started = Date.now()
    const handle = await target().deploy(input(), () => {})
    assert.isAtLeast(Date.now() - started, 900)
    assert.equal((await target().status(handle)).state, 'live')
    assert.equal(calls()[0].field, calls()[1].field, 'the limited request was sent again')
  }).timeout(10_000)

  test('gives up on 429 after the retries, quoting Railway', async ({ assert }) => {
    railway.rateLimitNext({ retryAfterSeconds: 30, count: 3 })
    const error = await expectDeployError(target({ maxRateLimitRetries: 2, maxRetryAfterMs: 10 }).deploy(input(), () => {}))
    assert.include(error.message, 'Rate limit exceeded. Please try again later.')
  })

  test('a bad token is a clear DeployError', async ({ assert }) => {
    const error = await expectDeployError(target({ token: 'wrong' }).deploy(input(), () => {}))
    assert.include(error.message, 'Not Authorized')
    assert.match(error.message, /token/)
  })

  test('GraphQL errors quote Railway’s message', async ({ assert }) => {
    railway.failNextCall('serviceCreate', 'Free plan resource limit exceeded')
    const error = await expectDeployError(target().deploy(input(), () => {}))
    assert.include(error.message, 'Free plan resource limit exceeded')
  })

  test('an unreachable API is a DeployError naming it', async ({ assert }) => {
    const error = await expectDeployError(target({ apiUrl: 'http://127.0.0.1:9/graphql/v2' }).deploy(input(), () => {}))
    assert.include(error.message, 'Could not reach Railway at http://127.0.0.1:9/graphql/v2')
  })

  test('uploads the app like `railway up`: a gzip tarball of its files, without node_modules and .git', async ({ assert }) => {
    const seen: LogLine[] = []
    const handle = await target().deploy(input({ API_KEY: SECRET }), (line) => seen.push(line))
    const upload = railway.requests.find((r) => r.path.includes('/up?'))!
    assert.equal(
      upload.path,
      `/project/${handle.data.projectId}/environment/${handle.data.environmentId}/up?serviceId=${handle.data.serviceId}`
    )
    assert.equal(upload.headers['content-type'], 'application/gzip')
    assert.equal(upload.headers.authorization, `Bearer ${railway.token}`)
    const files = railway.deployments.get(handle.id)!.files!
    assert.sameMembers([...files.keys()], ['package.json', 'server.js', 'public/logo.svg', 'lib/util.js'])
    assert.equal(files.get('lib/util.js')!.toString(), 'export const x = 1\n')
    for (const content of files.values()) assert.notInclude(content.toString(), SECRET, 'no variable is written into the files')
    assert.equal(railway.variablesOf(String(handle.data.serviceId), String(handle.data.environmentId)).API_KEY, SECRET)
    assert.isTrue(seen.some((l) => /^Uploading 4 files/.test(l.text)))
    assert.isTrue(seen.some((l) => l.text.startsWith('Build logs on Railway: https://railway.com/project/')))
    assert.equal(handle.data.logsUrl, `https://railway.com/project/${handle.data.projectId}/service/${handle.data.serviceId}?id=${handle.id}&environmentId=${handle.data.environmentId}`)
    assert.notInclude(calls().map((c) => c.field), 'serviceInstanceDeployV2', 'an upload is the deployment')
  })

  test('the service gets /health as its health check and one public domain', async ({ assert }) => {
    const driver = target()
    const first = await driver.deploy(input(), () => {})
    const serviceId = String(first.data.serviceId)
    const environmentId = String(first.data.environmentId)
    const service = railway.services.get(serviceId)!
    assert.equal(service.settings.get(environmentId)?.healthcheckPath, '/health')
    assert.equal(first.url, `https://${railway.domainOf(serviceId, environmentId)}`)
    await driver.deploy(input(), () => {})
    // A fresh driver (the platform restarted) finds the domain instead of asking for another.
    const again = await target().deploy(input(), () => {})
    assert.equal(again.url, first.url)
    assert.equal(calls().filter((c) => c.field === 'serviceDomainCreate').length, 1)
  })

  test('an upload Railway rejects is a DeployError quoting it', async ({ assert }) => {
    railway.failNextUpload(400, 'Service is not deployable from the CLI')
    const error = await expectDeployError(target().deploy(input(), () => {}))
    assert.equal(error.message, 'Railway refused the upload (HTTP 400): “Service is not deployable from the CLI”')

    railway.maxUploadBytes = 100
    try {
      const tooLarge = await expectDeployError(target().deploy(input(), () => {}))
      assert.match(tooLarge.message, /^Railway refused the upload: the files are too large \(\d+ KB gzipped\): “Request Entity Too Large”$/)
    } finally {
      railway.maxUploadBytes = 50 * 1024 * 1024
    }

    railway.failNextUpload(401, 'Not Authorized')
    const auth = await expectDeployError(target().deploy(input(), () => {}))
    assert.match(auth.message, /Railway refused the upload \(HTTP 401\): “Not Authorized” — check the Railway token/)
  })

  test('a rate-limited upload is sent again after the wait', async ({ assert }) => {
    railway.failNextUpload(429, 'Too Many Requests')
    const handle = await target({ maxRetryAfterMs: 20 }).deploy(input(), () => {})
    assert.equal(calls().filter((c) => c.field === 'up').length, 2)
    assert.equal((await target().status(handle)).state, 'live')
  })

  test('refuses an app above the upload limit before calling Railway', async ({ assert }) => {
    const error = await expectDeployError(target({ maxUploadBytes: 10 }).deploy(input(), () => {}))
    assert.match(error.message, /more than the 1 KB the Railway target uploads/)
    assert.lengthOf(railway.requests, 0)
  })

  test('with source_image set, Railway runs the image instead of an upload', async ({ assert }) => {
    const handle = await target({ source: { image: 'ghcr.io/xbasis/fixture:latest' } }).deploy(input(), () => {})
    assert.deepEqual(railway.services.get(String(handle.data.serviceId))!.source, { image: 'ghcr.io/xbasis/fixture:latest' })
    assert.include(calls().map((c) => c.field), 'serviceInstanceDeployV2')
    assert.notInclude(calls().map((c) => c.field), 'up')
  })

  test('the variables reach the service: input.env plus NODE_ENV and HOST, nothing of the platform', async ({ assert }) => {
    process.env.XBASIS_SECRET_CANARY = 'canary-must-not-leak'
    try {
      const handle = await target().deploy(input({ GREETING: 'railway', APP_SETTING: 'given' }), () => {})
      const variables = railway.variablesOf(String(handle.data.serviceId), String(handle.data.environmentId))
      assert.deepEqual(variables, { GREETING: 'railway', APP_SETTING: 'given', NODE_ENV: 'production', HOST: '0.0.0.0' })
    } finally {
      delete process.env.XBASIS_SECRET_CANARY
    }
  })

  test('one project per app, one service per environment, reused by redeploys and after a restart', async ({ assert }) => {
    const driver = target()
    const a = await driver.deploy(input(), () => {})
    const b = await driver.deploy(input(), () => {})
    assert.equal(a.data.serviceId, b.data.serviceId)
    assert.notEqual(a.id, b.id)
    assert.equal(railway.projects.get(String(a.data.projectId))!.name, 'xbasis-shop-42')
    assert.equal(railway.services.get(String(a.data.serviceId))!.name, 'xbasis-shop-42')

    const preview = await driver.deploy(input({}, { environment: 'preview' }), () => {})
    assert.equal(preview.data.projectId, a.data.projectId, 'the same project')
    assert.notEqual(preview.data.serviceId, a.data.serviceId, 'its own service')
    assert.equal(railway.services.get(String(preview.data.serviceId))!.name, 'xbasis-shop-42-preview')
    assert.notEqual(preview.url, a.url)

    // The platform restarted: a new driver finds the project and service by name.
    const restarted = await target().deploy(input(), () => {})
    assert.equal(restarted.data.serviceId, a.data.serviceId)
    assert.equal(calls().filter((c) => c.field === 'projectCreate').length, 1)
    assert.equal(calls().filter((c) => c.field === 'serviceCreate').length, 2)

    // Another app gets its own project; without an app name, the deployment id names it.
    const other = await driver.deploy(input({}, { appName: 'blog-7' }), () => {})
    assert.notEqual(other.data.projectId, a.data.projectId)
    const unnamed = await driver.deploy(fixtureInput(appDir), () => {})
    assert.match(railway.projects.get(String(unnamed.data.projectId))!.name, /^xbasis-contract-/)
  })

  test('an app with persistent data gets a volume mounted into its service (XBASIS_DATA_DIR), kept by redeploys; the preview has its own; destroy deletes it', async ({ assert }) => {
    const driver = target()
    const data = (environment: 'preview' | 'production') => ({ environment, persistentData: { key: `p42-abc-${environment}` } })
    const first = await driver.deploy(input({}, data('production')), () => {})
    const volumes = () => [...railway.volumes.values()].filter((v) => !v.deleted)
    assert.lengthOf(volumes(), 1)
    assert.deepEqual(volumes()[0].instances.map((i) => [i.serviceId, i.environmentId, i.mountPath]), [[first.data.serviceId, first.data.environmentId, RAILWAY_DATA_MOUNT]])
    assert.equal(first.data.volumeId, volumes()[0].id)
    assert.equal(railway.variablesOf(String(first.data.serviceId), String(first.data.environmentId)).XBASIS_DATA_DIR, RAILWAY_DATA_MOUNT)

    // A redeploy, and one by a new driver (a platform restart), find the same volume.
    const second = await driver.deploy(input({}, data('production')), () => {})
    const restarted = await target().deploy(input({}, data('production')), () => {})
    assert.equal(second.data.volumeId, first.data.volumeId)
    assert.equal(restarted.data.volumeId, first.data.volumeId)
    assert.equal(calls().filter((c) => c.field === 'volumeCreate').length, 1)

    const preview = await driver.deploy(input({}, data('preview')), () => {})
    assert.notEqual(preview.data.volumeId, first.data.volumeId, 'the preview has a volume of its own')
    assert.lengthOf(volumes(), 2)
    // An app without persistent data gets none, and cannot name a data folder through its variables.
    const plain = await driver.deploy(input({ XBASIS_DATA_DIR: '/somewhere' }, { appName: 'plain-9' }), () => {})
    assert.isUndefined(plain.data.volumeId)
    assert.isUndefined(railway.variablesOf(String(plain.data.serviceId), String(plain.data.environmentId)).XBASIS_DATA_DIR)
    assert.lengthOf(volumes(), 2)

    for (const handle of [first, second, restarted]) await driver.destroy(handle)
    assert.deepEqual(volumes().map((v) => v.id), [preview.data.volumeId], 'production’s volume went with its service')
    await driver.destroy(preview)
    assert.lengthOf(volumes(), 0)
  })

  test('project_id/environment_id are used as given: services of that project, which is never deleted', async ({ assert }) => {
    const setupDriver = target()
    const seed = await setupDriver.deploy(input({}, { appName: 'seed-1' }), () => {})
    railway.requests.length = 0
    const inProject = target({ projectId: String(seed.data.projectId), environmentId: String(seed.data.environmentId) })
    const c = await inProject.deploy(input(), () => {})
    assert.equal(c.data.projectId, seed.data.projectId)
    assert.isFalse(c.data.createdProject)
    assert.equal(calls().filter((x) => x.field === 'projectCreate' || x.field === 'projects').length, 0)
    assert.equal(calls().filter((x) => x.field === 'serviceCreate').length, 1)
    await inProject.destroy(c)
    assert.isFalse(railway.projects.get(String(seed.data.projectId))!.deleted)
    assert.notInclude(calls().map((x) => x.field), 'projectDelete')
  })

  test('stop removes the deployment, destroy deletes the service', async ({ assert }) => {
    const driver = target()
    const handle = await driver.deploy(input(), () => {})
    railway.requests.length = 0
    await driver.stop(handle)
    assert.deepEqual(calls().map((c) => [c.field, c.variables.id]), [['deploymentRemove', handle.id]])
    assert.equal((await driver.status(handle)).state, 'stopped')
    const preview = await driver.deploy(input({}, { environment: 'preview' }), () => {})
    railway.requests.length = 0
    await driver.destroy(handle)
    assert.deepEqual(calls().map((c) => [c.field, c.variables.id]), [
      ['serviceDelete', handle.data.serviceId],
      ['project', handle.data.projectId],
    ])
    assert.isTrue(railway.services.get(String(handle.data.serviceId))!.deleted)
    assert.isFalse(railway.projects.get(String(handle.data.projectId))!.deleted, 'the preview service still lives there')
    await driver.destroy(preview)
    assert.isTrue(railway.services.get(String(preview.data.serviceId))!.deleted)
    assert.isTrue(railway.projects.get(String(handle.data.projectId))!.deleted, 'the project it made is gone with its last service')
    assert.equal(calls().filter((c) => c.field === 'projectDelete').length, 1)
    await driver.destroy(handle) // twice is harmless
    await driver.destroy(preview)
  })

  test('preview and production of a new app deployed at once share one project', async ({ assert }) => {
    const [production, preview] = await Promise.all([
      target().deploy(input(), () => {}),
      target().deploy(input({}, { environment: 'preview' }), () => {}),
    ])
    assert.equal(production.data.projectId, preview.data.projectId)
    assert.equal(calls().filter((c) => c.field === 'projectCreate').length, 1)
    assert.notEqual(production.data.serviceId, preview.data.serviceId)
  })

  test('an app destroyed by another platform instance deploys again afresh', async ({ assert }) => {
    const driver = target()
    const first = await driver.deploy(input(), () => {})
    await target().destroy(JSON.parse(JSON.stringify(first)))
    assert.isTrue(railway.projects.get(String(first.data.projectId))!.deleted)
    const again = await driver.deploy(input(), () => {})
    assert.notEqual(again.data.projectId, first.data.projectId)
    assert.equal((await driver.status(again)).state, 'live')
  })

  test('status of a deployment Railway does not know is stopped, with a reason', async ({ assert }) => {
    const status = await target().status({ id: 'no-such-deployment', url: 'https://gone.up.railway.app', data: {} })
    assert.equal(status.state, 'stopped')
    assert.include(status.reason, 'Deployment not found')
  })
})
