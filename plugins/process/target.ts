import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, openSync, renameSync, statSync, type WriteStream } from 'node:fs'
import { chmod, cp, lstat, mkdir, readFile, readdir, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { hostname, tmpdir } from 'node:os'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import {
  DATA_KEY,
  DeployError,
  type DeployHandle,
  type DeployInput,
  type DeployState,
  type DeployStatus,
  type DeployTarget,
  type LogLine,
  type LogOptions,
} from '#deploy/contract'
import { runtimeEnvNameProblem } from '#deploy/app_env'
import {
  NPM_NETWORK_VARIABLES,
  allowAppsToReach,
  appIdentity,
  assertPassable,
  giveTo,
  lockDataDir,
  prepareDeploymentDir,
  writeNpmConfig,
  type AppIdentity,
} from './sandbox.js'

/**
 * The `process` deploy target: runs each app as a child process of the
 * platform, on 127.0.0.1, from a working copy of its files, and supervises it.
 */
export type ProcessTargetOptions = {
  /** Working copies go to `<rootDir>/<deploymentId>/app`, logs to `<rootDir>/<deploymentId>/deploy.log`. */
  rootDir?: string
  /** First port tried; 0 (default) lets the OS pick a free one. */
  basePort?: number
  /** Default and ceiling of an app's heap, in MB. */
  maxMemoryMb?: number
  startTimeoutMs?: number
  installTimeoutMs?: number
  /** First restart delay after a crash; doubles on each quick crash up to restartMaxMs. */
  restartBaseMs?: number
  restartMaxMs?: number
  /** An app that stayed up this long has its back-off reset. */
  stableAfterMs?: number
  /** Crashes in a row (without staying up stableAfterMs) before giving up. */
  maxQuickCrashes?: number
  /** Time between SIGTERM and SIGKILL. */
  stopGraceMs?: number
  /** Lines kept in memory per deployment. */
  logBufferLines?: number
  /**
   * Size at which an app's deploy.log is rotated to deploy.log.1 (the
   * previous .1 goes): at most twice this on disk per deployment, however
   * much the app prints. Default 4 MiB.
   */
  logFileMaxBytes?: number
  /** The platform's data folder, locked against the apps' OS users (default: $DATA_DIR). */
  dataDir?: string
  /** The registry `npm install` uses (default https://registry.npmjs.org/). */
  npmRegistry?: string
  /**
   * Where the apps' persistent data goes: `<appDataDir>/<key>/` per
   * project × environment, kept across deployments (default
   * `<dataDir>/app-data`, i.e. $DATA_DIR/app-data).
   */
  appDataDir?: string
}

/** The PATH every app and every install gets: Node's own folder, then the system's. */
const FIXED_PATH = [...new Set([dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(':')

const MAX_LINE = 4000
const REASON_LINES = 12

type Running = {
  id: string
  dir: string
  appDir: string
  port: number
  url: string
  state: DeployState
  reason?: string
  restarts: number
  quickCrashes: number
  child?: ChildProcess
  startedAt: number
  restartTimer?: NodeJS.Timeout
  stopping: boolean
  lines: LogLine[]
  file?: WriteStream
  /** Bytes in the current deploy.log (rotated at logFileMaxBytes). */
  fileBytes?: number
  log: (line: LogLine) => void
  command: { file: string; args: string[]; env: Record<string, string> }
  startTimeoutMs: number
  /** The OS user the app (and its npm install) runs as; null: the platform's own. */
  identity: AppIdentity | null
  /** The app's persistent data folder (XBASIS_DATA_DIR), when it has one. */
  dataPath?: string
}

/** A deployment's record before its app starts (a new deploy, or a resume after a restart). */
function newRunning(fields: Pick<Running, 'id' | 'dir' | 'port' | 'state' | 'log' | 'startTimeoutMs' | 'identity'>): Running {
  return {
    ...fields,
    appDir: join(fields.dir, 'app'),
    url: `http://127.0.0.1:${fields.port}`,
    restarts: 0,
    quickCrashes: 0,
    startedAt: 0,
    stopping: false,
    lines: [],
    command: { file: '', args: [], env: {} },
  }
}

/** Every child this process started, killed if the platform exits. */
const children = new Set<ChildProcess>()
let exitHookInstalled = false
function track(child: ChildProcess) {
  children.add(child)
  child.once('exit', () => children.delete(child))
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const c of children) killGroup(c, 'SIGKILL')
    })
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    try {
      child.kill(signal)
    } catch {}
  }
}

function exited(child: ChildProcess) {
  return child.exitCode !== null || child.signalCode !== null
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true)
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit)
      done(false)
    }, ms)
    const onExit = () => {
      clearTimeout(timer)
      done(true)
    }
    child.once('exit', onExit)
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function portIsFree(port: number): Promise<number | null> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(null))
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      const chosen = typeof address === 'object' && address ? address.port : null
      server.close(() => done(chosen))
    })
  })
}

function describeExit(code: number | null, signal: NodeJS.Signals | null) {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`
}

/** Is `path` inside `dir` (or `dir` itself)? */
function inside(dir: string, path: string) {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Dependencies come from the npm registry only: a `file:`, `link:`, git or
 * URL specifier would make `npm install` (which runs as the platform's user,
 * outside the app's confinement) copy or link any folder of the machine into
 * the app. `file:` inside the app's own folder stays allowed.
 */
function checkDependencies(pkg: any, appDir: string) {
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'overrides']) {
    const deps = pkg?.[field]
    if (deps === undefined) continue
    if (typeof deps !== 'object' || deps === null) throw new DeployError(`package.json: "${field}" must be an object.`)
    const walk = (entries: Record<string, unknown>) => {
      for (const [name, spec] of Object.entries(entries)) {
        if (spec && typeof spec === 'object') {
          walk(spec as Record<string, unknown>)
          continue
        }
        if (typeof spec !== 'string') throw new DeployError(`package.json: the version of "${name}" must be a string.`)
        const local = /^file:(.*)$/.exec(spec)
        if (local) {
          if (!inside(appDir, resolve(appDir, local[1]))) {
            throw new DeployError(`package.json: "${name}": "${spec}" points outside the app; dependencies come from the npm registry or from the app's own folder.`)
          }
          continue
        }
        // Registry specifiers: versions, ranges, tags, and `npm:` aliases of them.
        if (!/^(npm:(@[\w.-]+\/)?[\w.-]+@)?[\w.^~<>=|*+ -]*$/.test(spec)) {
          throw new DeployError(`package.json: "${name}": "${spec}" is not a registry version; the process target installs dependencies from the npm registry only.`)
        }
      }
    }
    walk(deps)
  }
}

/** A lockfile may only resolve packages to registry tarballs or to the app's own folder. */
function checkLockfile(lock: any, appDir: string) {
  for (const [path, entry] of Object.entries<any>(lock?.packages ?? {})) {
    const resolved = entry?.resolved
    if (entry?.link && typeof resolved === 'string' && !inside(appDir, resolve(appDir, resolved))) {
      throw new DeployError(`The lockfile links "${path}" to a folder outside the app.`)
    }
    if (!entry?.link && typeof resolved === 'string' && !/^https?:\/\//.test(resolved)) {
      throw new DeployError(`The lockfile resolves "${path}" to "${resolved}", which is not a registry tarball.`)
    }
  }
}

/** Every symbolic link below `dir` that leads outside it (Node's permission model follows links). */
async function escapingLinks(dir: string): Promise<string[]> {
  const root = await realpath(dir)
  const found: string[] = []
  const visit = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isSymbolicLink()) {
        let target: string
        try {
          target = await realpath(path)
        } catch {
          target = resolve(dirname(path), await readlink(path))
        }
        if (!inside(root, target)) found.push(relative(root, path))
      } else if (entry.isDirectory()) {
        await visit(path)
      }
    }
  }
  await visit(root)
  return found
}

/** The process running in `pid` (on Linux): its working directory, or null. */
async function cwdOf(pid: number) {
  try {
    return await readlink(`/proc/${pid}/cwd`)
  } catch {
    return null
  }
}

function alive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function createProcessTarget(options: ProcessTargetOptions = {}): DeployTarget {
  const rootDir = resolve(
    options.rootDir ?? join(process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : tmpdir(), 'deployments')
  )
  const basePort = options.basePort ?? 0
  const maxMemoryMb = options.maxMemoryMb ?? 512
  const defaultStartTimeout = options.startTimeoutMs ?? 30_000
  const installTimeoutMs = options.installTimeoutMs ?? 300_000
  const restartBaseMs = options.restartBaseMs ?? 1000
  const restartMaxMs = options.restartMaxMs ?? 30_000
  const stableAfterMs = options.stableAfterMs ?? 60_000
  const maxQuickCrashes = options.maxQuickCrashes ?? 5
  const stopGraceMs = options.stopGraceMs ?? 5000
  const bufferLines = options.logBufferLines ?? 1000
  const logFileMaxBytes = options.logFileMaxBytes ?? 4 * 1024 * 1024
  const dataDir = options.dataDir ?? (process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : undefined)
  const npmRegistry = options.npmRegistry || 'https://registry.npmjs.org/'
  const appDataRoot = resolve(options.appDataDir ?? join(dataDir ?? dirname(rootDir), 'app-data'))
  // Locking DATA_DIR keeps the way to the apps' data folders open.
  allowAppsToReach(appDataRoot)

  const registry = new Map<string, Running>()

  /** The app's log file, appended to (after a restart too). */
  const openLogFile = (app: Running) => {
    const path = join(app.dir, 'deploy.log')
    app.fileBytes = existsSync(path) ? statSync(path).size : 0
    // Opened now (not when the stream gets to it): a rotation renames the file this descriptor writes to.
    app.file = createWriteStream(path, { fd: openSync(path, 'a', 0o600) })
  }

  /** deploy.log becomes deploy.log.1 (the lines still buffered land there) and a new one starts. */
  const rotateLogFile = (app: Running) => {
    const path = join(app.dir, 'deploy.log')
    try {
      renameSync(path, `${path}.1`)
    } catch {
      return
    }
    app.file?.end()
    openLogFile(app)
  }

  const emit = (app: Running, stream: LogLine['stream'], text: string) => {
    const line: LogLine = { at: new Date().toISOString(), stream, text: text.slice(0, MAX_LINE) }
    app.lines.push(line)
    // Trimmed once it holds twice the buffer, not at every line: a flood costs O(1) a line, not O(buffer).
    if (app.lines.length >= 2 * bufferLines) app.lines.splice(0, app.lines.length - bufferLines)
    if (app.file) {
      const record = JSON.stringify(line) + '\n'
      app.file.write(record)
      app.fileBytes = (app.fileBytes ?? 0) + Buffer.byteLength(record)
      if (app.fileBytes >= logFileMaxBytes) rotateLogFile(app)
    }
    try {
      app.log(line)
    } catch {}
  }

  /** Splits a child's output into lines. */
  const pipe = (app: Running, child: ChildProcess, stream: LogLine['stream']) => {
    for (const source of [child.stdout, child.stderr]) {
      if (!source) continue
      let partial = ''
      source.setEncoding('utf8')
      source.on('data', (chunk: string) => {
        partial += chunk
        let newline
        while ((newline = partial.indexOf('\n')) !== -1) {
          emit(app, stream, partial.slice(0, newline).replace(/\r$/, ''))
          partial = partial.slice(newline + 1)
        }
        if (partial.length > MAX_LINE) {
          emit(app, stream, partial)
          partial = ''
        }
      })
      source.on('end', () => {
        if (partial) emit(app, stream, partial)
        partial = ''
      })
    }
  }

  const lastOutput = (app: Running) => {
    // Repeated lines (e.g. a log of every health check) are collapsed so they do not hide the rest.
    const collapsed: { text: string; count: number }[] = []
    for (const line of app.lines) {
      if (line.text.startsWith('[xbasis]')) continue
      const last = collapsed.at(-1)
      if (last && last.text === line.text) last.count++
      else collapsed.push({ text: line.text, count: 1 })
    }
    const lines = collapsed.slice(-REASON_LINES).map((l) => (l.count > 1 ? `${l.text} (×${l.count})` : l.text))
    return lines.length ? `Last output:\n${lines.join('\n')}` : 'It printed nothing.'
  }

  /** The owner (this process) tells a platform restart whether the app can still be running. */
  const owner = { host: hostname(), pid: process.pid }
  const handleOf = (app: Running): DeployHandle => ({
    id: app.id,
    url: app.url,
    port: app.port,
    data: { dir: app.dir, owner },
  })

  /**
   * Apps are detached process groups: when the platform is killed (SIGKILL,
   * a crash) they outlive it. Each app's folder records its owner and
   * process; a target created later stops the apps whose owner is gone.
   */
  const reapOrphans = async () => {
    let entries: string[] = []
    try {
      entries = await readdir(rootDir)
    } catch {
      return
    }
    for (const entry of entries) {
      try {
        const dir = join(rootDir, entry)
        const record = JSON.parse(await readFile(join(dir, 'owner.json'), 'utf8'))
        if (record.host !== owner.host || !Number.isInteger(record.child)) continue
        if (record.pid !== owner.pid && alive(record.pid)) continue
        // Only a process still working in this app's folder (pids are reused).
        const cwd = await cwdOf(record.child)
        if (!cwd || !inside(dir, cwd)) continue
        try {
          process.kill(-record.child, 'SIGKILL')
        } catch {}
        await rm(join(dir, 'owner.json'), { force: true })
      } catch {}
    }
  }
  const reaped = reapOrphans()

  /**
   * The app's environment, from scratch: the variables it is given (none
   * the runtime interprets: see #deploy/app_env), then what the target
   * fixes — PATH, HOME and TMPDIR inside its deployment folder, PORT, HOST,
   * NODE_ENV.
   */
  const cleanEnv = (input: DeployInput, dir: string, port: number, dataPath?: string): Record<string, string> => {
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(input.env ?? {})) {
      const problem = runtimeEnvNameProblem(key)
      if (problem) throw new DeployError(`The app's environment cannot hold ${key}: ${problem}.`)
      env[key] = String(value)
    }
    if (dataPath) env.XBASIS_DATA_DIR = dataPath
    else delete env.XBASIS_DATA_DIR
    return {
      ...env,
      PATH: FIXED_PATH,
      HOME: join(dir, 'home'),
      TMPDIR: join(dir, 'tmp'),
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
    }
  }

  const findPort = async (): Promise<number> => {
    const taken = new Set([...registry.values()].map((a) => a.port))
    if (!basePort) {
      for (let i = 0; i < 20; i++) {
        const port = await portIsFree(0)
        if (port && !taken.has(port)) return port
      }
    } else {
      for (let port = basePort; port < Math.min(basePort + 1000, 65536); port++) {
        if (!taken.has(port) && (await portIsFree(port))) return port
      }
    }
    throw new DeployError('No free port to run the app on.')
  }

  /**
   * Node's permission model confines the app's file access to its own
   * deployment folder: it cannot read the platform's database, its data
   * directory or another project's files. Its persistent data folder, when
   * it has one, is the only other place it may read and write. (Only for
   * apps started with `node <file>`; `npm start` itself needs wider access.)
   */
  const confinement = (appDir: string, dataPath?: string) => {
    // One flag per folder (Node 20.20 no longer takes a comma-separated list); `<dir>/*` covers the folder itself.
    const own = [`${dirname(appDir)}/*`, ...(dataPath ? [`${dataPath}/*`] : [])]
    return ['--experimental-permission', ...own.map((p) => `--allow-fs-read=${p}`), ...own.map((p) => `--allow-fs-write=${p}`), '--disable-warning=ExperimentalWarning']
  }

  /** The folder of a persistent-data key (validated: it becomes a path). */
  const dataPathOf = (key: unknown) => {
    if (typeof key !== 'string' || !DATA_KEY.test(key)) {
      throw new DeployError('The persistent data key may only hold lower-case letters, digits and "-".')
    }
    return join(appDataRoot, key)
  }

  /**
   * The app's data folder, made on its first deployment and kept after:
   * `<appDataRoot>` is the platform's (passable, 711), the key's folder the
   * app user's (700). Only the folder itself is handed over (its contents
   * are the app's own files already): the platform never follows what an
   * app may have linked in there.
   */
  const prepareDataDir = async (dataPath: string, identity: AppIdentity | null) => {
    await mkdir(appDataRoot, { recursive: true })
    await mkdir(dataPath, { recursive: true })
    if (!identity) return
    await chmod(appDataRoot, 0o711)
    const info = await lstat(dataPath)
    if (!info.isDirectory()) throw new DeployError(`The app's data folder ${dataPath} is not a folder.`)
    if (info.uid !== identity.uid || info.gid !== identity.gid) await giveTo(dataPath, identity, { recursive: false })
    if ((info.mode & 0o777) !== 0o700) await chmod(dataPath, 0o700)
    await assertPassable(appDataRoot)
  }

  /**
   * The start script must be `node <file>` (optionally after `NAME=value`
   * assignments): only a Node process started by the target itself runs
   * confined; a shell or `npm start` would run any program unconfined.
   */
  const startCommand = (pkg: any, appDir: string, memoryMb: number, env: Record<string, string>, dataPath?: string) => {
    const memoryFlag = `--max-old-space-size=${memoryMb}`
    const script: unknown = pkg?.scripts?.start
    if (typeof script === 'string') {
      const simple = /^\s*((?:[A-Za-z_][A-Za-z0-9_]*=[\w.:/@+-]*\s+)*)node\s+([\w./@-]+)\s*$/.exec(script)
      if (!simple) {
        throw new DeployError(
          `The start script "${script.slice(0, 200)}" is not "node <file>": the process target only runs an app's own Node file, confined to its folder. Use "node server.js" (or the docker target).`
        )
      }
      const assigned: Record<string, string> = {}
      for (const pair of simple[1].trim().split(/\s+/).filter(Boolean)) {
        const at = pair.indexOf('=')
        const name = pair.slice(0, at)
        // `OPENSSL_CONF=… node server.js` is the same attack as the variable itself.
        const problem = runtimeEnvNameProblem(name)
        if (problem || name.startsWith('XBASIS_')) {
          throw new DeployError(`The start script sets ${name}: ${problem ?? `${name} is one of the platform's own variables`}.`)
        }
        assigned[name] = pair.slice(at + 1)
      }
      return { file: process.execPath, args: [memoryFlag, ...confinement(appDir, dataPath), simple[2]], env: { ...assigned, ...env } }
    }
    const main = [pkg?.main, 'server.js', 'index.js'].find(
      (f) => typeof f === 'string' && existsSync(join(appDir, f))
    )
    if (!main) throw new DeployError('Nothing to start: package.json has no start script and there is no server.js or index.js.')
    return { file: process.execPath, args: [memoryFlag, ...confinement(appDir, dataPath), main], env }
  }

  /**
   * `npm install`, outside Node's permission model, so: no lifecycle
   * scripts, as the app's OS user, with an environment of its own (never the
   * project's variables: `PREFIX`, `npm_config_*`, `HOME` would choose npm's
   * config, registry, cache and logs) and the platform's npm config files.
   */
  const install = async (app: Running) => {
    const config = await writeNpmConfig(rootDir, npmRegistry)
    const home = join(app.dir, 'home')
    const env: Record<string, string> = {
      PATH: FIXED_PATH,
      HOME: home,
      TMPDIR: join(app.dir, 'tmp'),
      NODE_ENV: 'production',
      npm_config_userconfig: config.user,
      npm_config_globalconfig: config.global,
      npm_config_prefix: join(home, '.npm-global'),
      npm_config_cache: join(home, '.npm'),
      npm_config_logs_dir: join(home, '.npm', '_logs'),
      npm_config_ignore_scripts: 'true',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    }
    for (const name of NPM_NETWORK_VARIABLES) if (process.env[name]) env[name] = process.env[name]!
    emit(app, 'build', '[xbasis] npm install --omit=dev --ignore-scripts --no-audit --no-fund')
    const args = ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', `--userconfig=${config.user}`, `--globalconfig=${config.global}`]
    const child = spawn('npm', args, {
      cwd: app.appDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(app.identity ?? {}),
    })
    track(child)
    pipe(app, child, 'build')
    const outcome = await new Promise<string | null>((done) => {
      const timer = setTimeout(() => {
        killGroup(child, 'SIGKILL')
        done(`npm install took longer than ${Math.round(installTimeoutMs / 1000)} s`)
      }, installTimeoutMs)
      child.once('error', (error) => {
        clearTimeout(timer)
        done(`npm install could not start: ${error.message}`)
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        done(code === 0 ? null : `npm install ${describeExit(code, signal)}`)
      })
    })
    if (outcome) throw new DeployError(`Installing dependencies failed: ${outcome}. ${lastOutput(app)}`)
  }

  /** Starts the app and waits for GET /health; returns null when healthy, else why not. */
  const startOnce = async (app: Running): Promise<string | null> => {
    app.state = 'deploying'
    const { file, args, env } = app.command
    emit(app, 'runtime', `[xbasis] starting: ${basename(file)} ${args.join(' ')} on port ${app.port}`)
    const child = spawn(file, args, { cwd: app.appDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...(app.identity ?? {}) })
    track(child)
    app.child = child
    app.startedAt = Date.now()
    if (child.pid) {
      await writeFile(join(app.dir, 'owner.json'), JSON.stringify({ ...owner, child: child.pid }), { mode: 0o600 }).catch(() => {})
    }
    let spawnError: string | null = null
    child.once('error', (error) => (spawnError = error.message))
    pipe(app, child, 'runtime')
    child.once('exit', (code, signal) => onExit(app, child, code, signal))

    const deadline = Date.now() + app.startTimeoutMs
    while (Date.now() < deadline) {
      if (app.child !== child || app.stopping) return 'it was stopped'
      if (spawnError) return `it could not start: ${spawnError}`
      if (exited(child)) {
        await sleep(50) // let the last output arrive
        return `it ${describeExit(child.exitCode, child.signalCode)} before answering GET /health`
      }
      try {
        const response = await fetch(`${app.url}/health`, { signal: AbortSignal.timeout(1000) })
        await response.body?.cancel()
        if (response.ok) return null
      } catch {}
      await sleep(150)
    }
    return `it did not answer GET /health within ${Math.round(app.startTimeoutMs / 100) / 10} s`
  }

  const stopChild = async (child: ChildProcess | undefined) => {
    if (!child || exited(child)) return
    killGroup(child, 'SIGTERM')
    if (!(await waitExit(child, stopGraceMs))) {
      killGroup(child, 'SIGKILL')
      await waitExit(child, 2000)
    }
  }

  const fail = (app: Running, reason: string) => {
    app.state = 'failed'
    app.reason = reason
    emit(app, 'runtime', `[xbasis] failed: ${reason.split('\n')[0]}`)
  }

  /** Supervision: a live app that exits is restarted with back-off. */
  const onExit = (app: Running, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (app.child !== child || app.stopping || app.state !== 'live') return
    crashed(app, `The app ${describeExit(code, signal)}`)
  }

  /** Counts a crash, then schedules a restart or gives up. */
  const crashed = (app: Running, what: string) => {
    if (Date.now() - app.startedAt >= stableAfterMs) app.quickCrashes = 0
    app.quickCrashes++
    if (app.quickCrashes > maxQuickCrashes) {
      fail(app, `${what}; it crashed ${app.quickCrashes} times in a row and is no longer restarted. ${lastOutput(app)}`)
      return
    }
    const delay = Math.min(restartBaseMs * 2 ** (app.quickCrashes - 1), restartMaxMs)
    app.state = 'deploying'
    app.reason = `${what}; restarting in ${delay} ms.`
    emit(app, 'runtime', `[xbasis] ${what}; restarting in ${delay} ms`)
    app.restartTimer = setTimeout(() => void restart(app), delay)
  }

  const restart = async (app: Running) => {
    app.restartTimer = undefined
    if (app.stopping) return
    app.restarts++
    const problem = await startOnce(app)
    if (app.stopping) return
    if (!problem) {
      app.state = 'live'
      app.reason = undefined
      emit(app, 'runtime', `[xbasis] live again at ${app.url}`)
      return
    }
    await stopChild(app.child)
    if (!app.stopping) crashed(app, `After a restart, ${problem}`)
  }

  const shutdown = async (app: Running) => {
    app.stopping = true
    if (app.restartTimer) clearTimeout(app.restartTimer)
    app.restartTimer = undefined
    await stopChild(app.child)
  }

  const closeFile = (app: Running) =>
    new Promise<void>((done) => {
      if (!app.file) return done()
      const file = app.file
      app.file = undefined
      file.end(() => done())
    })

  const readLogFile = async (dir: string): Promise<LogLine[]> => {
    try {
      // The rotated file first (when there is one), then the current one.
      const previous = await readFile(join(dir, 'deploy.log.1'), 'utf8').catch(() => '')
      const text = previous + (await readFile(join(dir, 'deploy.log'), 'utf8'))
      return text
        .split('\n')
        .filter(Boolean)
        .slice(-bufferLines)
        .flatMap((raw) => {
          try {
            return [JSON.parse(raw) as LogLine]
          } catch {
            return []
          }
        })
    } catch {
      return []
    }
  }

  const dirOf = (handle: DeployHandle) =>
    typeof handle.data?.dir === 'string' ? handle.data.dir : join(rootDir, handle.id)

  const memoryOf = (input: Pick<DeployInput, 'limits'>) => Math.max(16, Math.min(input.limits?.memoryMb ?? maxMemoryMb, maxMemoryMb))

  /**
   * What `resume` needs to start a deployment again after a platform
   * restart: its deploy input without the files (they are in its folder).
   * Kept outside the deployment's folder, which the app may write to, in a
   * folder only the platform's user can read (the variables hold the app's
   * secrets; DATA_DIR already holds the platform's key).
   */
  const launchFile = (id: string) => join(rootDir, '.resume', `${id}.json`)
  const saveLaunch = async (input: DeployInput) => {
    const { appDir: _files, ...kept } = input
    await mkdir(join(rootDir, '.resume'), { recursive: true, mode: 0o700 })
    await chmod(join(rootDir, '.resume'), 0o700)
    const file = launchFile(input.deploymentId)
    await writeFile(`${file}.tmp`, JSON.stringify(kept), { mode: 0o600 })
    await rename(`${file}.tmp`, file)
  }
  const loadLaunch = async (id: string): Promise<Omit<DeployInput, 'appDir'> | null> => {
    try {
      const record = JSON.parse(await readFile(launchFile(id), 'utf8'))
      if (!record || typeof record !== 'object' || record.deploymentId !== id || typeof record.env !== 'object' || record.env === null) return null
      if (record.environment !== 'preview' && record.environment !== 'production') return null
      return record
    } catch {
      return null
    }
  }

  const readPackage = async (appDir: string) => {
    if (!existsSync(join(appDir, 'package.json'))) return {}
    try {
      return JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8'))
    } catch (error) {
      throw new DeployError(`package.json is not valid JSON: ${(error as Error).message}`)
    }
  }

  /** The handle's port when it is still free (the app keeps its address), else another one. */
  const portFor = async (handle: DeployHandle) => {
    const wanted = handle.port
    const taken = new Set([...registry.values()].map((a) => a.port))
    if (typeof wanted === 'number' && Number.isInteger(wanted) && wanted > 0 && wanted < 65536 && !taken.has(wanted) && (await portIsFree(wanted))) return wanted
    return findPort()
  }

  return {
    async deploy(input, log) {
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(input.deploymentId ?? '')) {
        throw new DeployError('The deployment id may only hold letters, digits, "-" and "_".')
      }
      const existing = registry.get(input.deploymentId)
      if (existing) {
        if (existing.state !== 'failed' && existing.state !== 'stopped') {
          throw new DeployError(`Deployment ${input.deploymentId} is already running.`)
        }
        await shutdown(existing)
        await closeFile(existing)
        registry.delete(input.deploymentId)
      }
      const dir = join(rootDir, input.deploymentId)
      const port = await findPort()
      const memoryMb = memoryOf(input)
      const app = newRunning({ id: input.deploymentId, dir, port, state: 'queued', log, startTimeoutMs: input.limits?.startTimeoutMs ?? defaultStartTimeout, identity: null })
      registry.set(app.id, app)
      const handle = handleOf(app)

      try {
        app.state = 'building'
        await reaped
        app.identity = appIdentity(input.projectId, input.environment)
        if (input.persistentData) app.dataPath = dataPathOf(input.persistentData.key)
        await rm(dir, { recursive: true, force: true })
        await mkdir(dir, { recursive: true })
        if (app.identity) {
          // Others may pass through the deployments and DATA_DIR, never list or read them.
          await chmod(rootDir, 0o711)
          if (dataDir) await lockDataDir(dataDir, [rootDir, appDataRoot])
          await assertPassable(rootDir)
        }
        if (app.dataPath) await prepareDataDir(app.dataPath, app.identity)
        openLogFile(app)
        emit(app, 'build', `[xbasis] copying the app's files`)
        await cp(resolve(input.appDir), app.appDir, {
          recursive: true,
          filter: (source) => !['node_modules', '.git'].includes(basename(source)),
        })
        const pkg: any = await readPackage(app.appDir)
        const env = cleanEnv(input, dir, port, app.dataPath)
        checkDependencies(pkg, app.appDir)
        for (const lockfile of ['package-lock.json', 'npm-shrinkwrap.json']) {
          const path = join(app.appDir, lockfile)
          if (!existsSync(path)) continue
          try {
            checkLockfile(JSON.parse(await readFile(path, 'utf8')), app.appDir)
          } catch (error) {
            if (error instanceof DeployError) throw error
            throw new DeployError(`${lockfile} is not valid JSON.`)
          }
        }
        // An app's own npm settings could point npm (unconfined) anywhere.
        if (existsSync(join(app.appDir, '.npmrc'))) {
          await rm(join(app.appDir, '.npmrc'), { force: true })
          emit(app, 'build', '[xbasis] ignoring the app’s .npmrc')
        }
        if (app.identity) {
          await prepareDeploymentDir(dir, app.identity)
          emit(app, 'build', `[xbasis] the app runs as its own OS user (uid ${app.identity.uid})`)
        } else {
          for (const own of ['home', 'tmp']) await mkdir(join(dir, own), { recursive: true })
        }
        if (pkg && typeof pkg.dependencies === 'object' && Object.keys(pkg.dependencies ?? {}).length > 0) {
          await install(app)
        }
        // Node's permission model follows symbolic links: none may lead out.
        const links = await escapingLinks(app.appDir)
        if (links.length) {
          throw new DeployError(`The app links to files outside its folder, which it may not read: ${links.slice(0, 5).join(', ')}.`)
        }
        if (app.dataPath) emit(app, 'build', `[xbasis] the app's data is kept in ${app.dataPath} (XBASIS_DATA_DIR)`)
        app.command = startCommand(pkg, app.appDir, memoryMb, env, app.dataPath)
        await saveLaunch(input)
        const problem = await startOnce(app)
        if (problem) {
          const reason = `The app did not start: ${problem}. ${lastOutput(app)}`
          await stopChild(app.child)
          fail(app, reason)
          throw new DeployError(reason, { handle })
        }
        app.state = 'live'
        app.reason = undefined
        emit(app, 'runtime', `[xbasis] live at ${app.url}`)
        return handle
      } catch (error) {
        const message =
          error instanceof DeployError ? error.message : `The deploy failed: ${(error as Error)?.message ?? error}`
        if (app.state !== 'failed') {
          await stopChild(app.child)
          fail(app, message)
        }
        throw error instanceof DeployError && error.handle ? error : new DeployError(message, { handle, cause: error })
      }
    },

    /**
     * After a platform restart: the app again, from its deployment folder as
     * the deploy left it (files, installed dependencies, the data it wrote)
     * and the deploy's own input (variables, limits). The start command is
     * derived again from the folder's package.json and checked as at deploy
     * time, never taken from a file the app could write. Orphans of a killed
     * platform are stopped first (reapOrphans). An app this target already
     * runs is re-attached.
     */
    async resume(handle, log) {
      const id = handle?.id
      if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new DeployError('This deployment has no valid handle to start it from: deploy again.')
      await reaped
      const existing = registry.get(id)
      if (existing && (existing.state === 'live' || existing.state === 'deploying')) {
        existing.log = log
        return handleOf(existing)
      }
      if (existing) {
        await closeFile(existing)
        registry.delete(id)
      }
      const dir = join(rootDir, id)
      const appDir = join(dir, 'app')
      if (!existsSync(appDir)) {
        throw new DeployError(`The app cannot start again: its folder (deployments/${id}/app) is gone from the platform's disk. Deploy again to start it.`)
      }
      const input = await loadLaunch(id)
      if (!input) {
        throw new DeployError('The app cannot start again: the platform kept no record of how it was started (it was deployed by an older version of xBasis). Deploy again to start it.')
      }
      const port = await portFor(handle)
      const app = newRunning({ id, dir, port, state: 'building', log, startTimeoutMs: input.limits?.startTimeoutMs ?? defaultStartTimeout, identity: appIdentity(input.projectId, input.environment) })
      registry.set(id, app)
      const resumed = handleOf(app)
      try {
        openLogFile(app)
        emit(app, 'build', `[xbasis] the platform restarted: starting the app again from its folder`)
        if (app.identity) {
          await chmod(rootDir, 0o711)
          if (dataDir) await lockDataDir(dataDir, [rootDir, appDataRoot])
          await assertPassable(rootDir)
        } else {
          for (const own of ['home', 'tmp']) await mkdir(join(dir, own), { recursive: true })
        }
        const links = await escapingLinks(appDir)
        if (links.length) {
          throw new DeployError(`The app links to files outside its folder, which it may not read: ${links.slice(0, 5).join(', ')}.`)
        }
        // The app's data outlives its deployments (persistentData): the same folder as before.
        if (input.persistentData) app.dataPath = dataPathOf(input.persistentData.key)
        if (app.dataPath) await prepareDataDir(app.dataPath, app.identity)
        const pkg: any = await readPackage(appDir)
        app.command = startCommand(pkg, appDir, memoryOf(input), cleanEnv({ ...input, appDir }, dir, port, app.dataPath), app.dataPath)
        const problem = await startOnce(app)
        if (problem) {
          const reason = `The app did not start again after the platform restarted: ${problem}. ${lastOutput(app)}`
          await stopChild(app.child)
          fail(app, reason)
          throw new DeployError(reason, { handle: resumed })
        }
        app.state = 'live'
        app.reason = undefined
        emit(app, 'runtime', `[xbasis] live again at ${app.url}`)
        return resumed
      } catch (error) {
        const message = error instanceof DeployError ? error.message : `The app could not start again: ${(error as Error)?.message ?? error}`
        if (app.state !== 'failed') {
          await stopChild(app.child)
          fail(app, message)
        }
        throw error instanceof DeployError && error.handle ? error : new DeployError(message, { handle: resumed, cause: error })
      }
    },

    async status(handle) {
      const app = registry.get(handle.id)
      if (!app) return { state: 'stopped', reason: 'This deployment is not running here.' }
      const status: DeployStatus = { state: app.state, restarts: app.restarts }
      if (app.reason) status.reason = app.reason
      return status
    },

    async logs(handle, options: LogOptions = {}) {
      const app = registry.get(handle.id)
      const lines = app ? app.lines.slice(-bufferLines) : await readLogFile(dirOf(handle))
      return options.since ? lines.filter((l) => l.at > options.since!) : lines
    },

    async stop(handle) {
      const app = registry.get(handle.id)
      if (!app) return
      await shutdown(app)
      if (app.state !== 'failed') {
        app.state = 'stopped'
        app.reason = 'Stopped.'
      }
      emit(app, 'runtime', '[xbasis] stopped')
    },

    async destroy(handle) {
      const app = registry.get(handle.id)
      if (app) {
        await shutdown(app)
        await closeFile(app)
        registry.delete(handle.id)
      }
      const dir = app?.dir ?? dirOf(handle)
      // Only ever remove a folder under this target's root.
      if (resolve(dir).startsWith(rootDir + '/')) await rm(dir, { recursive: true, force: true })
      if (/^[A-Za-z0-9_-]{1,100}$/.test(handle.id)) await rm(launchFile(handle.id), { force: true })
    },

    /** The data of a project × environment goes for good (the project was deleted). */
    async destroyData(key) {
      const path = dataPathOf(key)
      for (const app of registry.values()) {
        if (app.dataPath === path && !app.stopping && app.state !== 'stopped' && app.state !== 'failed') {
          throw new DeployError('An app still runs on this data: destroy its deployments first.')
        }
      }
      await rm(path, { recursive: true, force: true })
    },

    /**
     * The platform is stopping: stop every app this target runs (they are
     * its children), so the platform's process can exit.
     */
    async shutdown() {
      await Promise.all(
        [...registry.values()].map(async (app) => {
          await shutdown(app)
          await closeFile(app)
        })
      )
    },
  }
}
