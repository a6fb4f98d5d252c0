import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeployHandle, DeployInput, DeployTarget, LogLine } from '#deploy/contract'
import { DeployError } from '#deploy/contract'

/**
 * The contract every deploy-target plugin must meet, as plain checks that
 * any test runner can run (a third-party plugin proves it conforms by
 * running them). `registerDeployTargetContract` wires them into Japa.
 *
 * The checks deploy tiny fixture apps (plain node:http, no dependencies)
 * written to temporary folders, and only ever talk to the URLs the target
 * returns.
 */
export type ContractCheck = { name: string; run: () => Promise<void> }

export type DeployContractOptions = {
  /** Called before each check. */
  beforeEach?: () => void | Promise<void>
  /** After destroy: true when nothing the target made for the handle is left (e.g. its folder). */
  isGone?: (handle: DeployHandle) => boolean | Promise<boolean>
  /** Start timeout given to the apps that must fail (default 3000 ms). */
  failTimeoutMs?: number
  /**
   * A remote target (a hosted platform, or a fake of its API): the app is not
   * reachable from here, so the checks that talk to it (GET its URL, its env,
   * the fixture's exit/no-health behaviour, closed ports) are left out, and the
   * rest check only what the target reports (handle, status, logs). Such a
   * target proves its app-facing behaviour in its own tests. Default false.
   */
  remote?: boolean
}

/** The fixture app: answers /health, /, /env (the variables it sees) and logs its requests. */
export const FIXTURE_SERVER = `
import http from 'node:http'
import v8 from 'node:v8'
import fs from 'node:fs'
if (process.env.FIXTURE_MODE === 'exit') {
  console.error('boom: the fixture refuses to start')
  process.exit(3)
}
const server = http.createServer((req, res) => {
  console.log('request ' + req.method + ' ' + req.url)
  const json = (value) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(value)) }
  if (req.url === '/health') {
    if (process.env.FIXTURE_MODE === 'no-health') { res.statusCode = 404; return res.end('no health here') }
    return res.end('ok')
  }
  if (req.url === '/env') return json({ keys: Object.keys(process.env), env: process.env })
  if (req.url === '/heap') return json({ heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576), execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS ?? null })
  if (req.url.startsWith('/read?')) {
    const path = new URL(req.url, 'http://x').searchParams.get('path')
    try { fs.readFileSync(path); return json({ read: true }) } catch (error) { return json({ read: false, code: error.code }) }
  }
  if (req.url === '/crash') { res.end('crashing'); console.error('crash requested'); setTimeout(() => process.exit(1), 20); return }
  res.end('hello from the fixture, ' + (process.env.GREETING ?? 'nobody'))
})
server.listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1', () => {
  console.log('fixture listening on ' + process.env.PORT)
  if (process.env.FIXTURE_MODE === 'no-health') console.log('this one never gets healthy')
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
`

/** A fixture app that appends lines to a file in XBASIS_DATA_DIR and reads them back. */
export const DATA_FIXTURE_SERVER = `
import http from 'node:http'
import fs from 'node:fs'
import { join } from 'node:path'
const file = () => join(process.env.XBASIS_DATA_DIR, 'notes.txt')
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x')
  const json = (value) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(value)) }
  if (url.pathname === '/health') return res.end('ok')
  if (url.pathname === '/write') { fs.appendFileSync(file(), url.searchParams.get('text') + '\\n'); return json({ ok: true }) }
  if (url.pathname === '/notes') return json({ dir: process.env.XBASIS_DATA_DIR, notes: fs.existsSync(file()) ? fs.readFileSync(file(), 'utf8').split('\\n').filter(Boolean) : [] })
  if (url.pathname === '/read') { try { fs.readFileSync(url.searchParams.get('path')); return json({ read: true }) } catch (error) { return json({ read: false, code: error.code }) } }
  res.end('data app')
}).listen(Number(process.env.PORT), process.env.HOST)
`

/** Writes the fixture app to a new temporary folder and returns it. */
export async function writeFixtureApp(extra: Record<string, string> = {}, packageJson: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'xbasis-deploy-fixture-'))
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, type: 'module', scripts: { start: 'node server.js' }, ...packageJson }, null, 2)
  )
  await writeFile(join(dir, 'server.js'), FIXTURE_SERVER)
  for (const [path, content] of Object.entries(extra)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

let counter = 0
export const deploymentId = () => `contract-${process.pid}-${Date.now().toString(36)}-${++counter}`

export function fixtureInput(appDir: string, extra: Partial<DeployInput> = {}): DeployInput {
  return { deploymentId: deploymentId(), appDir, env: {}, environment: 'preview', ...extra }
}

/** True when nothing accepts connections on the port (127.0.0.1). */
/** Polls `condition` until it holds; fails with `what` after `ms`. */
export async function waitFor(what: string, condition: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

export function portClosed(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.setTimeout(2000)
    socket.once('connect', () => {
      socket.destroy()
      done(false)
    })
    socket.once('timeout', () => {
      socket.destroy()
      done(true)
    })
    socket.once('error', () => done(true))
  })
}

const portOf = (handle: DeployHandle) => handle.port ?? Number(new URL(handle.url).port || 80)

async function get(url: string) {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
  return { status: response.status, text: await response.text() }
}

/** Expects `deploy` to fail with a DeployError; returns it. */
async function expectDeployError(promise: Promise<unknown>): Promise<DeployError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof DeployError, `a DeployError, not ${String(error)}`)
    return error
  }
  assert.fail('the call should have failed')
}

export function deployTargetContract(
  makeTarget: () => DeployTarget | Promise<DeployTarget>,
  options: DeployContractOptions = {}
): ContractCheck[] {
  const failTimeoutMs = options.failTimeoutMs ?? 3000
  const remote = options.remote ?? false
  const check = (name: string, body: (target: DeployTarget, cleanup: (fn: () => Promise<unknown>) => void) => Promise<void>): ContractCheck => ({
    name,
    run: async () => {
      await options.beforeEach?.()
      const cleanups: (() => Promise<unknown>)[] = []
      try {
        await body(await makeTarget(), (fn) => cleanups.push(fn))
      } finally {
        for (const fn of cleanups.reverse()) await fn().catch(() => {})
      }
    },
  })

  /** The checks that need the app itself reachable from here. */
  const local = new Set([
    'the app gets the env it is given, never the platform’s',
    'an app that exits at start fails, quoting its output',
    'an app that never answers /health fails, quoting its output',
    // Remote targets' apps do not depend on the platform's process: they have no resume.
    'resume: after a platform restart (a fresh driver, the old one shut down) the stored handle brings the app back; resuming it again re-attaches',
  ])

  const checks: ContractCheck[] = [
    check('deploys a tiny app, live at a URL that answers', async (target, cleanup) => {
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const handle = await target.deploy(fixtureInput(appDir, { env: { GREETING: 'contract' } }), () => {})
      cleanup(() => target.destroy(handle))
      assert.equal(typeof handle.id, 'string')
      assert.match(handle.url, /^https?:\/\//)
      assert.deepEqual(JSON.parse(JSON.stringify(handle)), handle, 'the handle is plain JSON')
      assert.equal((await target.status(handle)).state, 'live')
      if (!remote) {
        assert.equal((await get(`${handle.url}/health`)).status, 200)
        const home = await get(handle.url)
        assert.equal(home.status, 200)
        assert.match(home.text, /hello from the fixture, contract/)
      }
      const stored = JSON.parse(JSON.stringify(handle)) as DeployHandle
      assert.equal((await target.status(stored)).state, 'live', 'a stored handle works as well')
    }),

    check('keeps the app output in its logs and passes it to the callback', async (target, cleanup) => {
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const seen: LogLine[] = []
      const handle = await target.deploy(fixtureInput(appDir), (line) => seen.push(line))
      cleanup(() => target.destroy(handle))
      if (remote) {
        // What the remote app prints is the remote's business: check the lines' shape and `since`.
        assert.ok(seen.length > 0, 'the callback saw the deploy output')
        const lines = await target.logs(handle)
        assert.ok(lines.length > 0, 'logs hold the deploy output')
        for (const line of lines) {
          assert.ok(line.stream === 'build' || line.stream === 'runtime')
          assert.ok(!Number.isNaN(Date.parse(line.at)), 'at is a timestamp')
        }
        const first = lines[0]
        const since = await target.logs(handle, { since: first.at })
        assert.ok(since.every((l) => l.at > first.at), 'since filters older lines out')
        return
      }
      assert.ok(seen.some((l) => l.text.includes('fixture listening on')), 'the callback saw the start-up line')
      const before = (await target.logs(handle)).at(-1)!
      await get(`${handle.url}/logged-path`)
      let lines: LogLine[] = []
      for (let i = 0; i < 40; i++) {
        lines = await target.logs(handle)
        if (lines.some((l) => l.text.includes('request GET /logged-path'))) break
        await new Promise((r) => setTimeout(r, 50))
      }
      const request = lines.find((l) => l.text.includes('request GET /logged-path'))
      assert.ok(request, 'logs hold the request line')
      assert.equal(request.stream, 'runtime')
      assert.ok(!Number.isNaN(Date.parse(request.at)), 'at is a timestamp')
      assert.ok(lines.some((l) => l.text.includes('fixture listening on')))
      const since = await target.logs(handle, { since: before.at })
      assert.ok(since.every((l) => l.at > before.at), 'since filters older lines out')
    }),

    check('the app gets the env it is given, never the platform’s', async (target, cleanup) => {
      const previous = process.env.XBASIS_SECRET_CANARY
      process.env.XBASIS_SECRET_CANARY = 'canary-must-not-leak'
      cleanup(async () => {
        if (previous === undefined) delete process.env.XBASIS_SECRET_CANARY
        else process.env.XBASIS_SECRET_CANARY = previous
      })
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const handle = await target.deploy(fixtureInput(appDir, { env: { GREETING: 'env', APP_SETTING: 'given' } }), () => {})
      cleanup(() => target.destroy(handle))
      const seen = JSON.parse((await get(`${handle.url}/env`)).text) as { keys: string[]; env: Record<string, string> }
      assert.equal(seen.env.APP_SETTING, 'given')
      assert.equal(seen.env.XBASIS_SECRET_CANARY, undefined, 'the canary did not leak')
      assert.ok(!Object.values(seen.env).includes('canary-must-not-leak'))
      assert.ok(seen.env.PORT, 'PORT is set')
      for (const key of Object.keys(process.env)) {
        if (/SECRET|KEY|PASSWORD|TOKEN|^DB_|^PG_|^REDIS_|^DATA_DIR$/i.test(key)) {
          assert.ok(!seen.keys.includes(key), `the platform's ${key} did not leak`)
        }
      }
    }),

    check('an app that exits at start fails, quoting its output', async (target, cleanup) => {
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const input = fixtureInput(appDir, { env: { FIXTURE_MODE: 'exit' }, limits: { startTimeoutMs: failTimeoutMs } })
      const error = await expectDeployError(target.deploy(input, () => {}))
      assert.match(error.message, /boom: the fixture refuses to start/)
      if (error.handle) {
        const handle = error.handle
        cleanup(() => target.destroy(handle))
        const status = await target.status(handle)
        assert.equal(status.state, 'failed')
        assert.match(status.reason ?? '', /boom: the fixture refuses to start/)
      }
    }),

    check('an app that never answers /health fails, quoting its output', async (target, cleanup) => {
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const input = fixtureInput(appDir, { env: { FIXTURE_MODE: 'no-health' }, limits: { startTimeoutMs: failTimeoutMs } })
      const error = await expectDeployError(target.deploy(input, () => {}))
      assert.match(error.message, /this one never gets healthy/)
      if (error.handle) {
        const handle = error.handle
        cleanup(() => target.destroy(handle))
        assert.equal((await target.status(handle)).state, 'failed')
        assert.ok(await portClosed(portOf(handle)), 'the failed app is not left running')
      }
    }),

    check('resume: after a platform restart (a fresh driver, the old one shut down) the stored handle brings the app back; resuming it again re-attaches', async (target, cleanup) => {
      assert.ok(target.resume, 'a target whose apps run on this machine brings them back after a platform restart (resume)')
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const handle = await target.deploy(fixtureInput(appDir, { env: { GREETING: 'back' } }), () => {})
      cleanup(() => target.destroy(handle))
      await target.shutdown?.()
      const stored = JSON.parse(JSON.stringify(handle)) as DeployHandle
      const fresh = await makeTarget()
      const lines: LogLine[] = []
      const resumed = await fresh.resume!(stored, (line) => lines.push(line))
      cleanup(() => fresh.destroy(resumed))
      assert.deepEqual(JSON.parse(JSON.stringify(resumed)), resumed, 'the handle is plain JSON')
      assert.equal(resumed.id, handle.id)
      assert.equal((await fresh.status(resumed)).state, 'live')
      assert.match((await get(resumed.url)).text, /hello from the fixture, back/, 'the same app, with the variables it was deployed with')
      const again = await fresh.resume!(JSON.parse(JSON.stringify(resumed)), () => {})
      assert.equal(again.url, resumed.url, 'resuming what runs re-attaches to it')
      assert.equal((await get(`${again.url}/health`)).status, 200)
      const gone = await expectDeployError(fresh.resume!({ id: `${handle.id}-never`, url: handle.url, data: {} }, () => {}))
      assert.ok(gone.message.length > 0, 'a deployment the target does not have cannot come back, with a reason')
    }),

    check('stop: the app is stopped and its port closed', async (target, cleanup) => {
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const handle = await target.deploy(fixtureInput(appDir), () => {})
      cleanup(() => target.destroy(handle))
      await target.stop(handle)
      assert.equal((await target.status(handle)).state, 'stopped')
      if (!remote) assert.ok(await portClosed(portOf(handle)), 'nothing answers on the port')
    }),

    check('destroy: the app is gone', async (target, cleanup) => {
      const appDir = await writeFixtureApp()
      cleanup(() => rm(appDir, { recursive: true, force: true }))
      const handle = await target.deploy(fixtureInput(appDir), () => {})
      await target.destroy(handle)
      if (!remote) assert.ok(await portClosed(portOf(handle)), 'nothing answers on the port')
      assert.notEqual((await target.status(handle)).state, 'live')
      if (options.isGone) assert.ok(await options.isGone(handle), 'nothing is left of it')
      await target.destroy(handle) // twice is harmless
    }),
  ]
  return remote ? checks.filter((c) => !local.has(c.name)) : checks
}

/**
 * Registers the contract as a Japa group: one test per check.
 */
export function registerDeployTargetContract(
  test: typeof import('@japa/runner').test,
  title: string,
  makeTarget: () => DeployTarget | Promise<DeployTarget>,
  options: DeployContractOptions & { setup?: () => Promise<() => Promise<void> | void>; timeoutMs?: number } = {}
) {
  test.group(`Deploy target contract: ${title}`, (group) => {
    if (options.setup) group.setup(options.setup)
    for (const contractCheck of deployTargetContract(makeTarget, options)) {
      test(contractCheck.name, contractCheck.run).timeout(options.timeoutMs ?? 30_000)
    }
  })
}
