import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { loadCatalogue, composeApp, type ComposedApp, type ComposeOptions, type ModuleSelection } from '#modules/composer'

/**
 * Runs generated apps for the module tests: compose into a temporary folder, `npm install` offline,
 * start `node server.js` on a port the OS picks (127.0.0.1 only), talk to it, stop it with SIGTERM.
 */
const START_TIMEOUT_MS = 10_000
/** Japa's `cleanup` from the test context. */
type Cleanup = (fn: () => void | Promise<void>) => void
const STOP_TIMEOUT_MS = 5_000

export async function compose(selections: (string | ModuleSelection)[], options: ComposeOptions = {}) {
  const catalogue = await loadCatalogue()
  return composeApp(catalogue, selections.map((s) => (typeof s === 'string' ? { id: s } : s)), options)
}

export function writeApp(composed: ComposedApp, dir = mkdtempSync(join(tmpdir(), 'xbasis-app-'))): string {
  for (const [path, contents] of composed.files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), contents)
  }
  return dir
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NODE_ENV: 'production' } })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} took more than ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/**
 * Generated apps have no dependencies, so `npm install --offline` must succeed without a network.
 * Returns the parsed package.json.
 */
export async function npmInstall(dir: string) {
  const result = await run('npm', ['install', '--no-audit', '--no-fund', '--offline'], dir, 30_000)
  if (result.code !== 0) throw new Error(`npm install failed (${result.code}):\n${result.output}`)
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
}

export class RunningApp {
  output = ''
  url = ''
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  constructor(
    readonly dir: string,
    readonly dataDir: string,
    readonly composed: ComposedApp,
    readonly child: ChildProcess
  ) {
    child.stdout!.on('data', (chunk) => (this.output += chunk))
    child.stderr!.on('data', (chunk) => (this.output += chunk))
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  }

  /** HTTP Basic with the ADMIN_PASSWORD the composer generated into .env. */
  get adminHeaders(): Record<string, string> {
    const password = this.composed.env.ADMIN_PASSWORD
    return { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` }
  }

  /** fetch() against the app; redirects are not followed so tests see the 303s. */
  request(path: string, init: RequestInit & { admin?: boolean; form?: Record<string, string>; json?: unknown } = {}) {
    const { admin, form, json, ...rest } = init
    const headers: Record<string, string> = { ...(admin ? this.adminHeaders : {}), ...(rest.headers as Record<string, string>) }
    let body = rest.body
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(form).toString()
    } else if (json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(json)
    }
    return fetch(this.url + path, { redirect: 'manual', signal: AbortSignal.timeout(5_000), ...rest, headers, body })
  }

  /** SIGTERM, then the exit code (the app must shut down cleanly, and quickly). */
  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the app did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`)), STOP_TIMEOUT_MS)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Kills the process if still running and removes its folders (test cleanup). */
  dispose() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    rmSync(this.dir, { recursive: true, force: true })
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

/** Starts `node server.js` with PORT=0 and reads the port from its "listening on" line. */
export async function startApp(dir: string, composed: ComposedApp, env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'xbasis-data-'))): Promise<RunningApp> {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_REQUESTS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const app = new RunningApp(dir, dataDir, composed, child)
  const deadline = Date.now() + START_TIMEOUT_MS
  while (!app.url) {
    const port = app.output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)?.[1]
    if (port) app.url = `http://127.0.0.1:${port}`
    else if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${app.output}`)
    else if (Date.now() > deadline) {
      app.dispose()
      throw new Error(`the app did not start within ${START_TIMEOUT_MS} ms:\n${app.output}`)
    } else await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const health = await app.request('/health')
  if (health.status !== 200) throw new Error(`/health answered ${health.status}`)
  return app
}

/**
 * Composes the selections (with their requirements), installs and starts the app. `cleanup` is
 * Japa's: the process and its folders go away even when the test fails.
 */
export async function startModules(
  selections: (string | ModuleSelection)[],
  cleanup: Cleanup,
  options: ComposeOptions & { install?: boolean } = {}
): Promise<RunningApp> {
  const composed = await compose(selections, options)
  const dir = writeApp(composed)
  cleanup(() => rmSync(dir, { recursive: true, force: true }))
  if (options.install !== false) {
    const pkg = await npmInstall(dir)
    if (pkg.type !== 'module' || pkg.scripts?.start !== 'node server.js' || Object.keys(pkg.dependencies ?? {}).length) {
      throw new Error(`unexpected package.json: ${JSON.stringify(pkg)}`)
    }
  }
  const app = await startApp(dir, composed)
  cleanup(() => app.dispose())
  return app
}

type Assert = { equal: (a: unknown, b: unknown, message?: string) => void; include: (a: string, b: string, message?: string) => void }

/**
 * Every documented route of these modules answers as documented (status, and text the body
 * contains). Routes with an :id placeholder are exercised by the module's own test.
 */
export async function checkDocumentedRoutes(app: RunningApp, assert: Assert, modules?: string[]) {
  const routes = app.composed.routes.filter((r) => !r.path.includes('/:') && (!modules || modules.includes(r.module)))
  for (const route of routes) {
    const response = await app.request(route.path, { method: route.method, admin: route.auth === 'admin', form: route.form, json: route.json })
    const body = await response.text()
    const what = `${route.module}: ${route.method} ${route.path}${route.auth ? ' (admin)' : ''}`
    assert.equal(response.status, route.status, `${what} answered ${response.status}: ${body.slice(0, 300)}`)
    if (route.contains) assert.include(body, route.contains, what)
  }
  return routes.length
}

/**
 * What every module test does: compose the module with its requirements and default parameters,
 * install, start, check the documented routes. The caller exercises the module, then calls stop().
 */
export async function startModule(id: string, assert: Assert, cleanup: Cleanup, extra: (string | ModuleSelection)[] = []) {
  const app = await startModules([id, ...extra], cleanup)
  const checked = await checkDocumentedRoutes(app, assert, [id])
  return { app, checked }
}

/**
 * Stops the app cleanly and starts it again on the same files and data folder: what was stored
 * before must still be there.
 */
export async function restartApp(app: RunningApp, assert: Assert, cleanup: Cleanup): Promise<RunningApp> {
  await stopCleanly(app, assert)
  const again = await startApp(app.dir, app.composed, {}, app.dataDir)
  cleanup(() => again.dispose())
  return again
}

/** Stops the app with SIGTERM and checks it exited cleanly. */
export async function stopCleanly(app: RunningApp, assert: Assert) {
  const { code, signal } = await app.stop()
  assert.equal(signal, null, `the app was killed by ${signal}`)
  assert.equal(code, 0, `the app exited with ${code}:\n${app.output}`)
}
