import { test } from '@japa/runner'
import plugin from './index.js'
import { validateDefinition } from '#plugins/validate_definition'
import { createRailwayTarget, mapRailwayStatus, type RailwayTargetOptions } from './target.js'
import { DeployError, type DeployHandle, type LogLine } from '#deploy/contract'
import { fixtureInput, registerDeployTargetContract } from '#tests/contracts/deploy_target'
import { FakeRailwayServer, RAILWAY_STATUSES } from '#tests/fakes/railway_server'

const railway = new FakeRailwayServer({ token: 'rw-test-token', advanceOnPoll: true })
const setup = async () => {
  await railway.start()
  return () => railway.close()
}

const settings = () => ({
  token: railway.token,
  api_url: railway.url,
  source_image: 'ghcr.io/xbasis/fixture:latest',
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

/** The root fields of the GraphQL requests the fake received, in order. */
const calls = () =>
  railway.requests.map((r) => {
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

test.group('Railway target', (group) => {
  group.setup(setup)
  group.each.setup(() => {
    railway.reset()
    railway.advanceOnPoll = true
  })

  const target = (extra: Partial<RailwayTargetOptions> = {}) =>
    createRailwayTarget({
      token: railway.token,
      apiUrl: railway.url,
      source: { image: 'ghcr.io/xbasis/fixture:latest' },
      pollIntervalMs: 5,
      deployTimeoutMs: 5000,
      verifyHealth: false,
      ...extra,
    })
  const input = (env: Record<string, string> = {}) => fixtureInput('/nonexistent-app-dir', { env })

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

  test('status follows a scripted timeline; deploy resolves on SUCCESS with https://<staticUrl>', async ({ assert }) => {
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
    assert.equal(handle.url, `https://${railway.deployments.get(id!)!.staticUrl}`)
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

  test('without a source the deploy refuses, saying why', async ({ assert }) => {
    const error = await expectDeployError(target({ source: undefined }).deploy(input(), () => {}))
    assert.match(error.message, /source_repo|source_image/)
    assert.lengthOf(railway.requests, 0)
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

  test('project and service are made once per lineage; project_id/environment_id are used as given', async ({ assert }) => {
    const driver = target()
    const first = input()
    const a = await driver.deploy(first, () => {})
    const b = await driver.deploy(first, () => {})
    assert.equal(a.data.serviceId, b.data.serviceId)
    assert.notEqual(a.id, b.id)
    assert.equal(calls().filter((c) => c.field === 'projectCreate').length, 1)
    assert.equal(calls().filter((c) => c.field === 'serviceCreate').length, 1)

    const inProject = target({ projectId: String(a.data.projectId), environmentId: String(a.data.environmentId) })
    railway.requests.length = 0
    const c = await inProject.deploy(input(), () => {})
    assert.equal(c.data.projectId, a.data.projectId)
    assert.equal(calls().filter((x) => x.field === 'projectCreate').length, 0)
    assert.equal(calls().filter((x) => x.field === 'serviceCreate').length, 1)
  })

  test('stop removes the deployment, destroy deletes the service', async ({ assert }) => {
    const driver = target()
    const handle = await driver.deploy(input(), () => {})
    railway.requests.length = 0
    await driver.stop(handle)
    assert.deepEqual(calls().map((c) => [c.field, c.variables.id]), [['deploymentRemove', handle.id]])
    assert.equal((await driver.status(handle)).state, 'stopped')
    railway.requests.length = 0
    await driver.destroy(handle)
    assert.deepEqual(calls().map((c) => [c.field, c.variables.id]), [['serviceDelete', handle.data.serviceId]])
    assert.isTrue(railway.services.get(String(handle.data.serviceId))!.deleted)
    await driver.destroy(handle) // twice is harmless
  })

  test('status of a deployment Railway does not know is stopped, with a reason', async ({ assert }) => {
    const status = await target().status({ id: 'no-such-deployment', url: 'https://gone.up.railway.app', data: {} })
    assert.equal(status.state, 'stopped')
    assert.include(status.reason, 'Deployment not found')
  })
})
