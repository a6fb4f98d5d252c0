import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import plugin from './index.js'
import { validateDefinition } from '#plugins/validate_definition'
import { MANAGED_ENV_COMMENT, WRAPPER_PATH, createVercelTarget, mapReadyState, parseStartScript, vercelName, type VercelTargetOptions } from './target.js'
import { DeployError, type DeployHandle, type DeployTarget, type LogLine } from '#deploy/contract'
import { deployTargetContract, fixtureInput, writeFixtureApp, type DeployContractOptions } from '#tests/contracts/deploy_target'
import { FakeVercelServer } from '#tests/fakes/vercel_server'

/**
 * The Vercel target against the fake of Vercel's REST API. The shared
 * deploy-target contract fetches the app at `handle.url` and checks local
 * ports, which a remote `*.vercel.app` deployment cannot satisfy here: the
 * contract checks that can run for a remote target run below, and the
 * 'Vercel target' group covers the rest of the contract's rules the way they
 * apply to Vercel (plain-JSON handle, stored handles, DeployError with its
 * handle, build output to the callback and logs, stop/destroy, unknown
 * deployments answer `stopped`, /health checked at the URL).
 */

const TOKEN = 'vc-token'
const TEAM = 'team_abc'
const vercel = new FakeVercelServer({ token: TOKEN, teamId: TEAM, advanceOnPoll: true })

/** Answers `https://*.vercel.app/health` (the real URL, unreachable here) and sends the rest to the fake. */
function remoteApp(status = 200) {
  const hits: string[] = []
  const stub: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    if (url.hostname.endsWith('.vercel.app')) {
      hits.push(url.toString())
      return new Response(status === 200 ? 'ok' : 'down', { status })
    }
    return fetch(input, init)
  }
  return { stub, hits }
}

const makeTarget = (options: Partial<VercelTargetOptions> = {}) =>
  createVercelTarget({
    token: TOKEN,
    teamId: TEAM,
    apiUrl: vercel.url,
    pollIntervalMs: 5,
    fetch: remoteApp().stub,
    ...options,
  })

const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const SECRET = 'sk-live-only-in-vercel-project-env'

/** The create-deployment request among those the fake received. */
const createRequests = () => vercel.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v13/deployments'))

test.group('Vercel target', (group) => {
  const dirs: string[] = []
  group.setup(async () => {
    await vercel.start()
    return () => vercel.close()
  })
  group.each.setup(() => {
    vercel.reset()
    vercel.advanceOnPoll = true
  })
  group.each.teardown(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })
  const app = async (extra: Record<string, string> = {}, packageJson: Record<string, unknown> = {}) => {
    const dir = await writeFixtureApp(extra, packageJson)
    dirs.push(dir)
    return dir
  }

  test('is a valid deploy-target plugin with its settings', async ({ assert }) => {
    assert.equal(plugin.id, 'vercel')
    assert.equal(plugin.kind, 'deploy-target')
    const byName = Object.fromEntries(plugin.settings.map((s) => [s.name, s]))
    assert.containsSubset(byName.token, { env: 'VERCEL_TOKEN', secret: true, required: true, scopes: ['platform', 'workspace'] })
    assert.containsSubset(byName.api_url, { env: 'VERCEL_API_URL', default: 'https://api.vercel.com', type: 'url' })
    assert.containsSubset(byName.team_id, { env: 'VERCEL_TEAM_ID' })
    await validateDefinition(plugin, 'vercel')
  })

  test('preview deploy: files intact (binary too), no target, env on the project and not in the files, teamId and token on every call', async ({ assert }) => {
    const dir = await app({ 'assets/logo.bin': '', 'lib/notes.txt': 'héllo ✓ wörld\n' })
    await writeFile(join(dir, 'assets/logo.bin'), BINARY)
    await mkdir(join(dir, 'node_modules/dep'), { recursive: true })
    await writeFile(join(dir, 'node_modules/dep/index.js'), 'export default 1\n')
    await mkdir(join(dir, '.git'), { recursive: true })
    await writeFile(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n')

    const health = remoteApp()
    const target = makeTarget({ fetch: health.stub })
    const seen: LogLine[] = []
    const input = fixtureInput(dir, { env: { GREETING: 'vercel', API_KEY: SECRET } })
    const handle = await target.deploy(input, (line) => seen.push(line))

    const deployment = vercel.deployments.get(handle.id)!
    assert.exists(deployment)
    assert.equal(handle.url, `https://${deployment.url}`)
    assert.deepEqual(JSON.parse(JSON.stringify(handle)), handle, 'the handle is plain JSON')
    assert.deepEqual(health.hits, [`${handle.url}/health`])

    const create = createRequests()[0]
    const body = create.body as Record<string, any>
    assert.notProperty(body, 'target', 'preview deployments send no target')
    assert.equal(deployment.target, null)
    assert.match(body.name, /^[a-z0-9._-]+$/)
    assert.include(body.name, input.deploymentId.toLowerCase(), 'without an app name, the deployment id names the project')
    assert.equal(body.project, deployment.projectId)

    // The variables went to the project (preview target, encrypted, managed) before the deployment, never into the files.
    const order = vercel.requests.map((r) => `${r.method} ${r.path.split('?')[0].replace(/prj_\w+/, ':project')}`)
    assert.deepEqual(order.slice(0, 5), [
      `GET /v9/projects/${body.name}`,
      'POST /v11/projects',
      'GET /v10/projects/:project/env',
      'POST /v10/projects/:project/env',
      'POST /v13/deployments',
    ])
    const envRequest = vercel.requests.find((r) => r.method === 'POST' && r.path.includes('/env'))!
    assert.include(envRequest.path, 'upsert=true')
    assert.deepEqual(envRequest.body, [
      { key: 'GREETING', value: 'vercel', type: 'encrypted', target: ['preview'], comment: MANAGED_ENV_COMMENT },
      { key: 'API_KEY', value: SECRET, type: 'encrypted', target: ['preview'], comment: MANAGED_ENV_COMMENT },
    ])
    assert.deepEqual(deployment.env, { GREETING: 'vercel', API_KEY: SECRET }, 'the deployment got the project’s preview variables')
    for (const [file, content] of deployment.files) {
      assert.notInclude(content.toString('utf8'), SECRET, `${file} holds no secret`)
      assert.notInclude(content.toString('base64'), Buffer.from(SECRET).toString('base64'), `${file} holds no secret`)
    }
    assert.deepEqual(body.projectSettings, { framework: null, buildCommand: null, installCommand: null, outputDirectory: null })

    // Files arrive intact, node_modules and .git left out, the binary as base64.
    assert.deepEqual(deployment.files.get('assets/logo.bin'), BINARY)
    assert.equal(body.files.find((f: any) => f.file === 'assets/logo.bin').encoding, 'base64')
    assert.equal(deployment.files.get('lib/notes.txt')!.toString('utf8'), 'héllo ✓ wörld\n')
    assert.equal(body.files.find((f: any) => f.file === 'lib/notes.txt').encoding, 'utf-8')
    assert.isTrue(deployment.files.has('server.js'))
    assert.isTrue(deployment.files.has('package.json'))
    assert.isFalse([...deployment.files.keys()].some((f) => f.startsWith('node_modules/') || f.startsWith('.git/')))

    // The generated function and vercel.json that run the Node server on Vercel.
    const wrapper = deployment.files.get(WRAPPER_PATH)!.toString('utf8')
    assert.include(wrapper, 'await import("../server.js")')
    assert.include(wrapper, 'server.emit(\'request\', req, res)')
    assert.notInclude(wrapper, 'GREETING', 'the app’s variables come from the project')
    assert.include(wrapper, '"NODE_ENV":"production"')
    const config = JSON.parse(deployment.files.get('vercel.json')!.toString('utf8'))
    assert.deepEqual(config.builds[0], { src: WRAPPER_PATH, use: '@vercel/node', config: { includeFiles: ['**'] } })
    assert.deepEqual(config.routes, [{ src: '/(.*)', dest: `/${WRAPPER_PATH}` }])

    for (const request of vercel.requests) {
      assert.equal(new URL(request.path, 'http://x').searchParams.get('teamId'), TEAM, `${request.method} ${request.path}`)
      assert.equal(request.headers.authorization, `Bearer ${TOKEN}`)
    }
    assert.isTrue(vercel.requests.some((r) => r.path.startsWith(`/v3/deployments/${handle.id}/events`)), 'build events were read')

    // Build events streamed to the callback and kept for logs().
    assert.isTrue(seen.some((l) => l.stream === 'build' && l.text === 'Running "vercel build"'))
    assert.isTrue(seen.some((l) => l.text === 'Deployment completed'))
    const lines = await target.logs(handle)
    assert.isTrue(lines.some((l) => l.text === 'Installing dependencies...'))
    assert.isTrue(lines.every((l) => !Number.isNaN(Date.parse(l.at))))
    const last = lines.at(-1)!
    assert.isTrue((await target.logs(handle, { since: last.at })).every((l) => l.at > last.at))

    assert.equal((await target.status(handle)).state, 'live')
    const stored = JSON.parse(JSON.stringify(handle)) as DeployHandle
    assert.equal((await makeTarget().status(stored)).state, 'live', 'a stored handle works with a fresh driver')
    assert.isTrue((await makeTarget().logs(stored)).some((l) => l.text === 'Deployment completed'), 'logs after a restart')
  })

  test('production deploy sends target production', async ({ assert }) => {
    const target = makeTarget()
    const handle = await target.deploy(fixtureInput(await app(), { environment: 'production' }), () => {})
    const create = createRequests()[0]
    assert.equal((create.body as any).target, 'production')
    assert.equal(vercel.deployments.get(handle.id)!.target, 'production')
  })

  test('one project per app: reused by its deployments, preview and production apart by target with their own variables', async ({ assert }) => {
    const target = makeTarget()
    const dir = await app()
    const preview = await target.deploy(fixtureInput(dir, { appName: 'shop-42', env: { MODE: 'preview', SHARED: 'p' } }), () => {})
    const production = await target.deploy(
      fixtureInput(dir, { appName: 'shop-42', environment: 'production', env: { MODE: 'production', SHARED: 'live', STRIPE_KEY: SECRET } }),
      () => {}
    )
    assert.equal(preview.data.projectId, production.data.projectId)
    assert.equal(vercel.projectsById.get(String(preview.data.projectId))!.name, 'xbasis-shop-42')
    assert.deepEqual(vercel.deployments.get(preview.id)!.env, { MODE: 'preview', SHARED: 'p' })
    assert.deepEqual(vercel.deployments.get(production.id)!.env, { MODE: 'production', SHARED: 'live', STRIPE_KEY: SECRET })

    // A redeploy (and a restarted platform: a fresh driver) reuses the project.
    const again = await makeTarget().deploy(fixtureInput(dir, { appName: 'shop-42', env: { MODE: 'preview', SHARED: 'p' } }), () => {})
    assert.equal(again.data.projectId, preview.data.projectId)
    assert.lengthOf(vercel.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v11/projects')), 1)
    assert.lengthOf(vercel.projectsById, 1)
  })

  test('managed variables no longer given are deleted; variables set by hand and the other target stay', async ({ assert }) => {
    const target = makeTarget()
    const dir = await app()
    await target.deploy(fixtureInput(dir, { appName: 'blog-7', env: { KEEP: '1', DROP: 'old' } }), () => {})
    await target.deploy(fixtureInput(dir, { appName: 'blog-7', environment: 'production', env: { DROP: 'prod' } }), () => {})
    const project = vercel.projectsById.get(vercel.projects.get('xbasis-blog-7')!)!
    const byHand = { id: 'manual1', key: 'ANALYTICS_ID', value: 'UA-1', type: 'plain' as const, target: ['preview' as const], createdAt: 1, updatedAt: 1 }
    project.env.push(byHand)

    const handle = await target.deploy(fixtureInput(dir, { appName: 'blog-7', env: { KEEP: '2' } }), () => {})
    assert.deepEqual(vercel.envOf(project.id, 'preview'), { KEEP: '2', ANALYTICS_ID: 'UA-1' })
    assert.deepEqual(vercel.envOf(project.id, 'production'), { DROP: 'prod' })
    assert.deepEqual(vercel.deployments.get(handle.id)!.env, { KEEP: '2', ANALYTICS_ID: 'UA-1' })
    const deletes = vercel.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/env/'))
    assert.lengthOf(deletes, 1)
    assert.match(deletes[0].path, /^\/v9\/projects\/prj_\w+\/env\/\w+\?teamId=team_abc$/)
  })

  test('destroy removes the app’s project (and its variables) only with its last deployment', async ({ assert }) => {
    const target = makeTarget()
    const dir = await app()
    const preview = await target.deploy(fixtureInput(dir, { appName: 'gone-3', env: { API_KEY: SECRET } }), () => {})
    const production = await target.deploy(fixtureInput(dir, { appName: 'gone-3', environment: 'production', env: { API_KEY: SECRET } }), () => {})
    const projectId = String(preview.data.projectId)

    await target.destroy(preview)
    assert.isTrue(vercel.deployments.get(preview.id)!.deleted)
    assert.isTrue(vercel.projectsById.has(projectId), 'production still runs in it')
    await target.stop(production)
    assert.isTrue(vercel.projectsById.has(projectId), 'stop keeps the project for the next deployment')

    const again = await target.deploy(fixtureInput(dir, { appName: 'gone-3', environment: 'production', env: { API_KEY: SECRET } }), () => {})
    assert.equal(again.data.projectId, projectId)
    await makeTarget().destroy(JSON.parse(JSON.stringify(again)))
    assert.isFalse(vercel.projectsById.has(projectId), 'the project and its variables are gone')
    assert.isFalse(vercel.projects.has('xbasis-gone-3'))
    await makeTarget().destroy(again) // twice is harmless

    // The app deploys again later: a new project, made afresh even by the driver that knew the old one.
    const reborn = await target.deploy(fixtureInput(dir, { appName: 'gone-3' }), () => {})
    assert.notEqual(reborn.data.projectId, projectId)
    assert.deepEqual(vercel.deployments.get(reborn.id)!.env, {})
  })

  test('a project made meanwhile (409 conflict) is used; variables Vercel refuses fail the deploy readably', async ({ assert }) => {
    const dir = await app()
    await makeTarget().deploy(fixtureInput(dir, { appName: 'race-1' }), () => {})
    // Another platform instance created it between our lookup and our create.
    vercel.failNextRequest(404, 'not_found', 'Project not found')
    const handle = await makeTarget().deploy(fixtureInput(dir, { appName: 'race-1' }), () => {})
    const conflict = vercel.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v11/projects')).at(-1)!
    assert.exists(conflict)
    assert.equal(handle.data.projectId, vercel.projects.get('xbasis-race-1'))
    assert.lengthOf(vercel.projectsById, 1)

    const before = vercel.deployments.size
    const error = await makeTarget().deploy(fixtureInput(dir, { appName: 'race-1', env: { TZ: 'Europe/Paris', OK: '1' } }), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.equal(error.message, 'Vercel refused a variable of the preview environment — TZ: The name of your Environment Variable "TZ" is reserved.')
    assert.equal(vercel.deployments.size, before, 'no deployment was created')
  })

  test('maps readyState onto the contract states', async ({ assert }) => {
    assert.deepEqual(
      ['QUEUED', 'INITIALIZING', 'BUILDING', 'READY', 'ERROR', 'CANCELED'].map(mapReadyState),
      ['queued', 'building', 'building', 'live', 'failed', 'stopped']
    )

    vercel.advanceOnPoll = false
    const target = makeTarget()
    const deploying = target.deploy(fixtureInput(await app()), () => {})
    while (vercel.deployments.size === 0) await new Promise((r) => setTimeout(r, 5))
    const [id] = vercel.deployments.keys()
    const handle: DeployHandle = { id, url: 'https://unused', data: {} }
    const states = [(await target.status(handle)).state]
    for (let i = 0; i < 3; i++) {
      vercel.advance(id)
      states.push((await target.status(handle)).state)
    }
    assert.deepEqual(states, ['queued', 'building', 'building', 'live'])
    assert.equal((await deploying).id, id)

    // A canceled deployment: deploy rejects with its handle, status is stopped.
    vercel.scriptNextDeployment({ timeline: ['QUEUED', 'BUILDING', 'READY'] })
    const canceled = target.deploy(fixtureInput(await app()), () => {})
    while (vercel.deployments.size === 1) await new Promise((r) => setTimeout(r, 5))
    const other = [...vercel.deployments.values()].find((d) => d.id !== id)!
    other.canceled = true
    const error = await canceled.then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /canceled/)
    assert.equal(error.handle.id, other.id)
    assert.equal((await target.status(error.handle)).state, 'stopped')
  })

  test('a failed build rejects with a DeployError quoting Vercel’s message and the build output', async ({ assert }) => {
    vercel.failNextBuild('Type error: Cannot find module "./missing.js"')
    const target = makeTarget()
    const seen: LogLine[] = []
    const error = await target.deploy(fixtureInput(await app()), (l) => seen.push(l)).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /Type error: Cannot find module "\.\/missing\.js"/)
    assert.match(error.message, /Last build output:[\s\S]*Running "vercel build"/)
    assert.exists(error.handle)
    assert.isTrue(seen.some((l) => l.text.includes('Type error')), 'the stderr line reached the callback')
    const stored = JSON.parse(JSON.stringify(error.handle)) as DeployHandle
    const status = await makeTarget().status(stored)
    assert.equal(status.state, 'failed')
    assert.match(status.reason!, /Type error: Cannot find module/)
    assert.notExists(vercel.requests.find((r) => r.path.startsWith('/health')))
  })

  test('backs off on 429 until X-RateLimit-Reset, then succeeds', async ({ assert }) => {
    vercel.rateLimitNext({ resetSeconds: 1, count: 1 })
    const target = makeTarget()
    const started = Date.now()
    const handle = await target.deploy(fixtureInput(await app()), () => {})
    assert.exists(handle.id)
    assert.equal(vercel.requests[0].path, vercel.requests[1].path, 'the rate-limited call was sent again')
    assert.lengthOf(createRequests(), 1)
    assert.isAtLeast(Date.now() - started, 900, 'it waited for the reset (at least 1 s away) before retrying')
    assert.isBelow(Date.now() - started, 4000)
  }).timeout(10_000)

  test('gives up after too many 429s with Vercel’s message; waits are capped', async ({ assert }) => {
    vercel.rateLimitNext({ resetSeconds: 600, count: 3 })
    const target = makeTarget({ maxRateLimitRetries: 2, maxRateLimitWaitMs: 20 })
    const started = Date.now()
    const error = await target.deploy(fixtureInput(await app()), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /429 rate_limited: Rate limit exceeded\. Try again in 600 seconds\./)
    assert.isBelow(Date.now() - started, 2000, 'no 10-minute wait')
  })

  test('maps other error envelopes to DeployErrors quoting Vercel', async ({ assert }) => {
    vercel.failNextRequest(500, 'internal_server_error', 'An unexpected internal error occurred')
    const error = await makeTarget().deploy(fixtureInput(await app()), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.equal(error.message, 'Vercel answered 500 internal_server_error: An unexpected internal error occurred')
  })

  test('a bad token or a foreign team gives a clear error', async ({ assert }) => {
    const bad = await plugin.create({ settings: { token: 'wrong', team_id: TEAM, api_url: vercel.url }, logger: console as any })
    const error = await bad.deploy(fixtureInput(await app()), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /Vercel refused the token \(403 forbidden: Not authorized\)\. Check VERCEL_TOKEN and VERCEL_TEAM_ID\./)

    const foreign = makeTarget({ teamId: 'team_other' })
    const teamError = await foreign.deploy(fixtureInput(await app()), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(teamError, DeployError)
    assert.match(teamError.message, /403 forbidden: Not authorized\. The token may not have access to team team_other/)
    assert.lengthOf(vercel.deployments, 0)
  })

  test('the plugin builds a working driver from its settings', async ({ assert }) => {
    vercel.failNextBuild('Error: build exploded')
    const target = await plugin.create({
      settings: { token: TOKEN, team_id: TEAM, api_url: vercel.url, poll_interval_ms: '5' },
      logger: console as any,
    })
    const error = await target.deploy(fixtureInput(await app()), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.match(error.message, /Error: build exploded/)
    assert.isTrue(vercel.requests.every((r) => r.path.includes(`teamId=${TEAM}`)))
  })

  test('refuses apps above the size limit before calling Vercel', async ({ assert }) => {
    const dir = await app({ 'big.txt': 'x'.repeat(4000) })
    await mkdir(join(dir, 'node_modules/huge'), { recursive: true })
    await writeFile(join(dir, 'node_modules/huge/blob.bin'), Buffer.alloc(100_000))

    const error = await makeTarget({ maxUploadBytes: 3000 }).deploy(fixtureInput(dir), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /more than 3 KB .*too large to upload to Vercel/)
    assert.lengthOf(vercel.requests, 0)

    // node_modules does not count.
    const small = await app()
    await mkdir(join(small, 'node_modules/huge'), { recursive: true })
    await writeFile(join(small, 'node_modules/huge/blob.bin'), Buffer.alloc(100_000))
    await makeTarget({ maxUploadBytes: 20_000 }).deploy(fixtureInput(small), () => {})
  })

  test('refuses apps whose start script it cannot run as a function', async ({ assert }) => {
    const dir = await app({}, { scripts: { start: 'next start' } })
    const error = await makeTarget().deploy(fixtureInput(dir), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /start script is `node <file>`.*"next start"/)
    assert.lengthOf(vercel.requests, 0)
  })

  test('READY but /health never answers: DeployError with its handle, status failed', async ({ assert }) => {
    const down = remoteApp(503)
    const target = makeTarget({ fetch: down.stub, healthTimeoutMs: 100 })
    const error = await target.deploy(fixtureInput(await app()), () => {}).then(
      () => assert.fail('should have failed'),
      (e) => e
    )
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /GET \/health at https:\/\/.*\.vercel\.app did not answer 2xx within 100 ms \(last: HTTP 503\)/)
    assert.isAtLeast(down.hits.length, 1)
    assert.equal((await target.status(error.handle)).state, 'failed')
    await target.destroy(error.handle)
  })

  test('stop and destroy delete the deployment; twice is harmless; unknown handles answer stopped', async ({ assert }) => {
    const target: DeployTarget = makeTarget()
    const first = await target.deploy(fixtureInput(await app()), () => {})
    await target.stop(first)
    assert.isTrue(vercel.deployments.get(first.id)!.deleted)
    const status = await target.status(first)
    assert.equal(status.state, 'stopped')
    assert.match(status.reason!, /no longer has this deployment/)

    const second = await target.deploy(fixtureInput(await app()), () => {})
    await target.destroy(second)
    await target.destroy(second)
    await target.stop(second)
    assert.isTrue(vercel.deployments.get(second.id)!.deleted)
    const deletes = vercel.requests.filter((r) => r.method === 'DELETE')
    assert.isTrue(deletes.every((r) => /^\/(v13\/deployments|v9\/projects)\//.test(r.path) && r.path.includes(`teamId=${TEAM}`)))
    assert.notEqual((await target.status(second)).state, 'live')

    const forgotten: DeployHandle = { id: 'dpl_doesnotexist', url: 'https://gone.vercel.app', data: {} }
    assert.equal((await makeTarget().status(forgotten)).state, 'stopped')
    assert.deepEqual(await makeTarget().logs(forgotten), [])
  })

  test('the generated function serves the uploaded app with the project’s env from its runtime (run in a clean Node process)', async ({ assert }) => {
    const handle = await makeTarget().deploy(fixtureInput(await app(), { env: { GREETING: 'from vercel', APP_SETTING: 'given' } }), () => {})
    const deployment = vercel.deployments.get(handle.id)!
    // Lay the files out as Vercel received them, then call the function's handler the way its Node runtime does.
    const out = await mkdtemp(join(tmpdir(), 'xbasis-vercel-upload-'))
    dirs.push(out)
    for (const [file, content] of deployment.files) {
      await mkdir(dirname(join(out, file)), { recursive: true })
      await writeFile(join(out, file), content)
    }
    const runtime = `const { default: handler } = await import(${JSON.stringify(join(out, WRAPPER_PATH))})
const http = await import('node:http')
const server = http.createServer((req, res) => handler(req, res)).listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port))`
    const child = spawn(process.execPath, ['--input-type=module', '-e', runtime], {
      // What Vercel's Node runtime gives the function: the project's variables of its target, and its own.
      env: { PATH: process.env.PATH, ...deployment.env, XBASIS_SECRET_CANARY: 'must-not-reach' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let output = ''
        child.stdout!.on('data', (chunk) => {
          output += chunk
          const match = /PORT (\d+)/.exec(output)
          if (match) resolve(Number(match[1]))
        })
        child.once('exit', (code) => reject(new Error(`the function exited (${code}): ${output}`)))
      })
      const base = `http://127.0.0.1:${port}`
      assert.equal((await fetch(`${base}/health`)).status, 200)
      assert.equal(await (await fetch(`${base}/`)).text(), 'hello from the fixture, from vercel')
      const { env } = (await (await fetch(`${base}/env`)).json()) as { env: Record<string, string> }
      assert.equal(env.APP_SETTING, 'given')
      assert.equal(env.NODE_ENV, 'production')
      assert.equal(env.XBASIS_SECRET_CANARY, 'must-not-reach', 'the function runtime’s own env is Vercel’s business, not overwritten')
    } finally {
      child.kill()
    }
  }).timeout(15_000)

  test('helpers: Vercel-valid names, start scripts', ({ assert }) => {
    assert.equal(vercelName('xbasis', 'My_Deploy---42'), 'xbasis-my_deploy--42')
    assert.match(vercelName('xbasis', 'a'.repeat(200)), /^[a-z0-9._-]{1,100}$/)
    assert.deepEqual(parseStartScript('node server.js'), { entry: 'server.js', env: {} })
    assert.deepEqual(parseStartScript('FIXTURE=1 node --enable-source-maps ./dist/main.js'), { entry: 'dist/main.js', env: { FIXTURE: '1' } })
    assert.isUndefined(parseStartScript('node ../outside.js'))
    assert.isUndefined(parseStartScript('tsx server.ts'))
  })
})

/**
 * The shared contract, as far as it applies to a remote target. With the
 * contract's `remote` option the app-facing checks are left out and the rest
 * run; a contract without that option only gets its stop/destroy checks run
 * here (the others would fetch the unreachable *.vercel.app URL).
 */
test.group('Deploy target contract: vercel (remote checks)', (group) => {
  group.setup(async () => {
    await vercel.start()
    return () => vercel.close()
  })
  const make = () => makeTarget()
  const options: DeployContractOptions & { remote?: boolean } = {
    remote: true,
    beforeEach: () => {
      vercel.reset()
      vercel.advanceOnPoll = true
    },
    isGone: (handle) => vercel.deployments.get(handle.id)?.deleted ?? true,
  }
  const all = deployTargetContract(make, { isGone: options.isGone })
  const remoteChecks = deployTargetContract(make, options)
  const honoured = remoteChecks.length < all.length
  const checks = honoured ? remoteChecks : remoteChecks.filter((c) => /^(stop|destroy):/.test(c.name))
  for (const check of checks) test(check.name, check.run).timeout(30_000)
})
