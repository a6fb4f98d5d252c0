import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import type Docker from 'dockerode'
import {
  DATA_KEY,
  DeployError,
  type DeployHandle,
  type DeployInput,
  type DeployStatus,
  type DeployTarget,
  type LogLine,
  type LogOptions,
} from '#deploy/contract'
import { tarContext } from './tar.js'

/**
 * The `docker` deploy target: per deployment it builds an image from the
 * version's files (its own Dockerfile, generated; classic builder, no
 * pulls beyond the base image), runs it with resource limits, labels,
 * `Init`, a health check on /health and its port published on a host IP
 * (127.0.0.1 by default, a random port), and reports Docker's state as the
 * contract's. The containers outlive the platform: a stored handle finds
 * its container again by id.
 */
export type DockerTargetOptions = {
  /** A dockerode client (its connection: DOCKER_HOST, a socket path...). */
  docker: Docker
  /** Where the engine is, for messages. */
  where?: string
  /** FROM of every app image: a Node.js 20 image with `node` (and `npm` when apps have dependencies). */
  baseImage?: string
  /** Network the apps' containers join ('' or undefined: Docker's default bridge). */
  network?: string
  /** Network of the build's RUN steps (npm install), e.g. 'host'; undefined: Docker's default. */
  buildNetwork?: string
  /** The host IP the app's port is published on, and the URL's host. */
  hostIp?: string
  /** Memory of each container in MB (default, and the most a deployment may ask for). */
  memoryMb?: number
  /** CPUs of each container (NanoCpus = cpus × 1e9). */
  cpus?: number
  /** Processes/threads a container may have. */
  pidsLimit?: number
  startTimeoutMs?: number
  buildTimeoutMs?: number
  /** How often Docker runs the health check once the app is up. */
  healthIntervalMs?: number
  /** Seconds between SIGTERM and SIGKILL on stop. */
  stopGraceS?: number
  /** Docker restarts a crashed app this many times, then gives up. */
  maxRestarts?: number
}

/** The port the app listens on inside its container (published on a random host port). */
export const APP_PORT = 3000
export const DOCKERFILE = 'Dockerfile.xbasis'
export const LABEL = 'xbasis.deployment'
/**
 * Where an app's persistent data volume is mounted (XBASIS_DATA_DIR). It is
 * a folder of the image, owned by the app's user: Docker copies its owner
 * into a new, empty named volume, so the app (uid 1000) may write there.
 */
export const DATA_MOUNT = '/app/.xbasis-data'
/** The named volume of a persistent-data key. */
export const dataVolumeName = (key: string) => `xbasis-data-${key}`
const MAX_LINE = 4000
const REASON_LINES = 12

type Known = {
  id: string
  buildLines: LogLine[]
  log: (line: LogLine) => void
  failed?: string
  stopped?: boolean
  follow?: Readable
}

/** A Docker container's inspect data, the parts used here. */
type Inspect = {
  Id: string
  RestartCount?: number
  State: {
    Status: string
    Running: boolean
    Restarting: boolean
    OOMKilled: boolean
    ExitCode: number
    Error?: string
    Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] }
  }
  NetworkSettings?: { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A free port on the host IP, or null when that IP is not this machine's (a remote engine). */
function freePort(host: string): Promise<number | null> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(null))
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : null
      server.close(() => done(port))
    })
  })
}
const statusCode = (error: unknown) => (error as { statusCode?: number })?.statusCode

/** The state of a container as the contract's state (see the README's table). */
export function mapContainerState(info: Inspect, knownStopped = false): DeployStatus {
  const state = info.State
  const restarts = info.RestartCount ?? 0
  switch (state.Status) {
    case 'created':
      return { state: 'deploying', restarts }
    case 'restarting':
      return { state: 'deploying', restarts, reason: `The app exited with code ${state.ExitCode}; Docker is restarting it.` }
    case 'running': {
      const health = state.Health?.Status
      if (health === 'starting') return { state: 'deploying', restarts }
      if (health === 'unhealthy') {
        const output = state.Health?.Log?.at(-1)?.Output?.trim()
        return { state: 'failed', restarts, reason: `The app's health check (GET /health) keeps failing${output ? `: ${output}` : '.'}` }
      }
      return { state: 'live', restarts }
    }
    case 'paused':
      return { state: 'stopped', restarts, reason: 'The container is paused.' }
    case 'removing':
      return { state: 'stopped', restarts, reason: 'The container is being removed.' }
    case 'exited': {
      if (state.OOMKilled) return { state: 'failed', restarts, reason: 'The app ran out of memory and was killed.' }
      // Exit codes of a stop (SIGTERM handled, SIGTERM, SIGKILL after the grace period).
      if (knownStopped || [0, 143, 137].includes(state.ExitCode)) return { state: 'stopped', restarts, reason: 'Stopped.' }
      return {
        state: 'failed',
        restarts,
        reason: `The app exited with code ${state.ExitCode}${restarts ? ` after ${restarts} restarts` : ''}.`,
      }
    }
    case 'dead':
      return { state: 'failed', restarts, reason: `The container is dead${state.Error ? `: ${state.Error}` : ''}.` }
    default:
      return { state: 'deploying', restarts }
  }
}

/**
 * Docker's multiplexed log stream (no TTY): frames of an 8-byte header
 * (stream, 0, 0, 0, size) and a payload; with `timestamps` every line
 * starts with an RFC 3339 time. Calls `onLine` per complete line.
 */
export class LogDemuxer {
  #buffer: Buffer = Buffer.alloc(0)
  #partial: Record<number, string> = {}
  constructor(private onLine: (at: string, text: string) => void) {}

  push(chunk: Buffer) {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk
    while (this.#buffer.length >= 8) {
      const size = this.#buffer.readUInt32BE(4)
      if (this.#buffer.length < 8 + size) break
      const kind = this.#buffer[0]
      const payload = this.#buffer.subarray(8, 8 + size).toString('utf8')
      this.#buffer = this.#buffer.subarray(8 + size)
      let text = (this.#partial[kind] ?? '') + payload
      let newline
      while ((newline = text.indexOf('\n')) !== -1) {
        this.#line(text.slice(0, newline))
        text = text.slice(newline + 1)
      }
      this.#partial[kind] = text
    }
  }

  end() {
    for (const text of Object.values(this.#partial)) if (text) this.#line(text)
    this.#partial = {}
  }

  #line(raw: string) {
    const space = raw.indexOf(' ')
    const stamp = space > 0 ? Date.parse(raw.slice(0, space)) : NaN
    const at = Number.isNaN(stamp) ? new Date().toISOString() : new Date(stamp).toISOString()
    const text = (Number.isNaN(stamp) ? raw : raw.slice(space + 1)).replace(/\r$/, '')
    this.onLine(at, text.slice(0, MAX_LINE))
  }
}

function demuxAll(buffer: Buffer): LogLine[] {
  const lines: LogLine[] = []
  const demuxer = new LogDemuxer((at, text) => lines.push({ at, stream: 'runtime', text }))
  demuxer.push(buffer)
  demuxer.end()
  return lines
}

/**
 * The Dockerfile of an app: its files, owned by the unprivileged `node`
 * user (uid 1000), and its dependencies. Kept to one layer (two with
 * dependencies): the classic builder commits a container per instruction,
 * so the run-time settings (user, working directory, env, health check,
 * command, labels) are given to the container instead.
 */
export function dockerfile(options: { baseImage: string; install: boolean }) {
  return [
    `FROM ${options.baseImage}`,
    // COPY creates /app owned by the user when the base image has no /app.
    'COPY --chown=1000:1000 . /app/',
    ...(options.install
      ? ['WORKDIR /app', 'USER 1000:1000', 'RUN NODE_ENV=production npm install --omit=dev --no-audit --no-fund --no-update-notifier']
      : []),
    '',
  ].join('\n')
}

const healthScript =
  "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health',{signal:AbortSignal.timeout(8000)}).then(r=>process.exit(r.ok?0:1),e=>{console.error(String(e.cause||e));process.exit(1)})"

export function createDockerTarget(options: DockerTargetOptions): DeployTarget {
  const docker = options.docker
  const where = options.where ?? 'the Docker engine'
  const baseImage = options.baseImage || 'node:20-slim'
  const hostIp = options.hostIp || '127.0.0.1'
  const maxMemoryMb = options.memoryMb ?? 512
  const cpus = options.cpus ?? 1
  const pidsLimit = options.pidsLimit ?? 256
  const defaultStartTimeout = options.startTimeoutMs ?? 60_000
  const buildTimeoutMs = options.buildTimeoutMs ?? 600_000
  const healthIntervalMs = Math.max(options.healthIntervalMs ?? 2000, 100)
  const stopGraceS = options.stopGraceS ?? 10
  const maxRestarts = options.maxRestarts ?? 5

  const known = new Map<string, Known>()
  const imageOf = (id: string) => `xbasis-app:${id.toLowerCase()}`
  const nameOf = (id: string) => `xbasis-${id}`
  const containerOf = (handle: DeployHandle) =>
    docker.getContainer(typeof handle.data?.container === 'string' ? handle.data.container : nameOf(handle.id))

  /** Calls the engine; an unreachable engine becomes a DeployError that says where it looked. */
  const engine = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call()
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
        throw new DeployError(`Cannot reach the Docker engine at ${where} (${code}) while trying to ${what}.`, { cause: error })
      }
      throw error
    }
  }

  const emit = (entry: Known, stream: LogLine['stream'], text: string, keep = stream === 'build') => {
    const line: LogLine = { at: new Date().toISOString(), stream, text: text.slice(0, MAX_LINE) }
    if (keep) entry.buildLines.push(line)
    if (entry.buildLines.length > 2000) entry.buildLines.splice(0, entry.buildLines.length - 2000)
    try {
      entry.log(line)
    } catch {}
    return line
  }

  const runtimeLines = async (handle: DeployHandle, since?: string, tail = 1000): Promise<LogLine[]> => {
    try {
      const query: Record<string, unknown> = { stdout: true, stderr: true, timestamps: true, follow: false }
      // Docker's `since` is in whole seconds here: filter precisely below.
      if (since) query.since = Math.floor(Date.parse(since) / 1000)
      else query.tail = tail
      const raw = (await containerOf(handle).logs(query as any)) as unknown as Buffer
      const lines = demuxAll(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)))
      return since ? lines.filter((l) => l.at > since) : lines
    } catch {
      return []
    }
  }

  const lastOutput = async (handle: DeployHandle, entry?: Known) => {
    // The app's own output; the build's when it printed nothing.
    let lines: LogLine[] = await runtimeLines(handle, undefined, 50)
    if (!lines.length) lines = (entry?.buildLines ?? []).filter((l) => !l.text.startsWith('[xbasis]'))
    const collapsed: { text: string; count: number }[] = []
    for (const line of lines) {
      const last = collapsed.at(-1)
      if (last && last.text === line.text) last.count++
      else collapsed.push({ text: line.text, count: 1 })
    }
    const tail = collapsed.slice(-REASON_LINES).map((l) => (l.count > 1 ? `${l.text} (×${l.count})` : l.text))
    return tail.length ? `Last output:\n${tail.join('\n')}` : 'It printed nothing.'
  }

  /** Follows the container's output, passing each line to the deployment's log callback. */
  const follow = async (entry: Known, container: Docker.Container, sinceSeconds?: number) => {
    try {
      const query = { stdout: true, stderr: true, timestamps: true, follow: true, ...(sinceSeconds ? { since: sinceSeconds } : {}) }
      const stream = (await container.logs(query as any)) as unknown as Readable
      entry.follow = stream
      const demuxer = new LogDemuxer((at, text) => {
        try {
          entry.log({ at, stream: 'runtime', text })
        } catch {}
      })
      stream.on('data', (chunk: Buffer) => demuxer.push(chunk))
      stream.on('end', () => demuxer.end())
      stream.on('error', () => {})
    } catch {}
  }

  const unfollow = (entry?: Known) => {
    entry?.follow?.destroy()
    if (entry) entry.follow = undefined
  }

  const inspect = async (container: Docker.Container): Promise<Inspect | null> => {
    try {
      return (await container.inspect()) as unknown as Inspect
    } catch (error) {
      if (statusCode(error) === 404) return null
      throw error
    }
  }

  const stopContainer = async (container: Docker.Container, grace = stopGraceS) => {
    try {
      await container.stop({ t: grace })
    } catch (error) {
      // 304: already stopped; 404: gone.
      if (statusCode(error) !== 304 && statusCode(error) !== 404) throw error
    }
  }

  /** `node <file>` when the start script is that simple (with the heap flag), `npm start` otherwise. */
  const startCommand = (pkg: any, appDir: string, memoryMb: number) => {
    const heap = `--max-old-space-size=${Math.max(16, Math.floor(memoryMb * 0.75))}`
    const script: unknown = pkg?.scripts?.start
    const simple = typeof script === 'string' ? /^\s*node\s+([\w./@-]+)\s*$/.exec(script) : null
    if (simple) return ['node', heap, simple[1]]
    if (typeof script === 'string') return ['npm', 'start', '--silent']
    const main = [pkg?.main, 'server.js', 'index.js'].find((f) => typeof f === 'string' && existsSync(join(appDir, f)))
    if (!main) throw new DeployError('Nothing to start: package.json has no start script and there is no server.js or index.js.')
    return ['node', heap, main]
  }

  /** Builds the image; the NDJSON stream says whether it worked (a failed build still answers HTTP 200). */
  const build = async (entry: Known, appDir: string, tag: string, file: string) => {
    const baseKnown = await engine('look up the base image', () => docker.getImage(baseImage).inspect().then(() => true, (error) => {
      if (statusCode(error) === 404) return false
      throw error
    }))
    if (!baseKnown) emit(entry, 'build', `[xbasis] the base image ${baseImage} is not on the Docker engine yet: the build pulls it`)
    emit(entry, 'build', `[xbasis] docker build -t ${tag} (FROM ${baseImage})`)
    // The data volume's mount point, the app user's (COPY --chown); an app's own folder of that name is left out.
    const context = tarContext(
      appDir,
      [{ name: DOCKERFILE, content: file }, { name: DATA_MOUNT.slice('/app/'.length), directory: true, mode: 0o700 }],
      new Set(['node_modules', '.git', DATA_MOUNT.slice('/app/'.length)])
    )
    const stream = (await engine('build the image', () =>
      docker.buildImage(context as any, {
        t: tag,
        dockerfile: DOCKERFILE,
        pull: false,
        rm: true,
        forcerm: true,
        version: '1',
        ...(options.buildNetwork ? { networkmode: options.buildNetwork } : {}),
        abortSignal: AbortSignal.timeout(buildTimeoutMs),
      } as any) as unknown as Promise<Readable>
    ))
    let error: string | null = null
    let imageId: string | null = null
    await new Promise<void>((done) => {
      let pending = ''
      let partial = ''
      const onObject = (object: any) => {
        if (object.error || object.errorDetail) error = String(object.errorDetail?.message ?? object.error)
        if (object.aux?.ID) imageId = String(object.aux.ID)
        if (typeof object.stream === 'string') {
          partial += object.stream
          let newline
          while ((newline = partial.indexOf('\n')) !== -1) {
            const text = partial.slice(0, newline).replace(/\r$/, '')
            if (text.trim()) emit(entry, 'build', text)
            partial = partial.slice(newline + 1)
          }
        } else if (typeof object.status === 'string') emit(entry, 'build', object.status)
      }
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        pending += chunk
        let newline
        while ((newline = pending.indexOf('\n')) !== -1) {
          const raw = pending.slice(0, newline).trim()
          pending = pending.slice(newline + 1)
          if (!raw) continue
          try {
            onObject(JSON.parse(raw))
          } catch {
            emit(entry, 'build', raw)
          }
        }
      })
      stream.on('end', () => {
        if (pending.trim()) {
          try {
            onObject(JSON.parse(pending))
          } catch {}
        }
        if (partial.trim()) emit(entry, 'build', partial)
        done()
      })
      stream.on('error', (e: Error) => {
        error = e.name === 'AbortError' || /abort/i.test(e.message) ? `the build took longer than ${Math.round(buildTimeoutMs / 1000)} s` : e.message
        done()
      })
    })
    if (error) {
      const hint = baseKnown ? '' : ` The base image ${baseImage} is not on this Docker engine and could not be pulled: on a machine without a registry, build one (docker/make-app-base-image.sh) and set DOCKER_APP_BASE_IMAGE.`
      const tail = entry.buildLines.filter((l) => !l.text.startsWith('[xbasis]')).slice(-REASON_LINES).map((l) => l.text)
      throw new DeployError(`The image build failed: ${error}.${hint}${tail.length ? `\nLast output:\n${tail.join('\n')}` : ''}`)
    }
    if (!imageId) {
      const inspected = (await docker.getImage(tag).inspect().catch(() => null)) as { Id?: string } | null
      if (!inspected?.Id) throw new DeployError('The image build ended without an image.')
    }
  }

  /** Waits for GET /health (Docker's health check and our own request); null when healthy, else why not. */
  const waitHealthy = async (entry: Known, container: Docker.Container, url: string, timeoutMs: number, restartsBefore = 0): Promise<string | null> => {
    const deadline = Date.now() + timeoutMs
    let answered = false
    while (Date.now() < deadline) {
      if (entry.stopped) return 'it was stopped'
      const info = await inspect(container)
      if (!info) return 'its container was removed'
      const state = info.State
      if (state.Status === 'exited' || state.Status === 'dead' || state.Restarting || (info.RestartCount ?? 0) > restartsBefore) {
        await sleep(100) // let the last output arrive
        return state.OOMKilled
          ? 'it ran out of memory before answering GET /health'
          : `it exited with code ${state.ExitCode} before answering GET /health`
      }
      if (!answered) {
        try {
          const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })
          await response.body?.cancel()
          answered = response.ok
        } catch {}
      }
      const health = state.Health?.Status
      if (answered && (health === undefined || health === 'healthy')) return null
      if (health === 'unhealthy') return 'Docker’s health check (GET /health) failed three times'
      await sleep(answered ? 100 : 150)
    }
    return `it did not answer GET /health within ${Math.round(timeoutMs / 100) / 10} s`
  }

  return {
    async deploy(input: DeployInput, log) {
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(input.deploymentId ?? '')) {
        throw new DeployError('The deployment id may only hold letters, digits, "-" and "_".')
      }
      const env: string[] = []
      for (const [key, value] of Object.entries(input.env ?? {})) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new DeployError(`"${key}" is not a valid environment variable name.`)
        if (['PORT', 'HOST', 'NODE_ENV'].includes(key)) continue
        env.push(`${key}=${String(value)}`)
      }
      env.push(`PORT=${APP_PORT}`, 'HOST=0.0.0.0', 'NODE_ENV=production')
      let volume: string | null = null
      if (input.persistentData) {
        if (typeof input.persistentData.key !== 'string' || !DATA_KEY.test(input.persistentData.key)) {
          throw new DeployError('The persistent data key may only hold lower-case letters, digits and "-".')
        }
        volume = dataVolumeName(input.persistentData.key)
      }
      // Only the target says where the data is.
      for (let i = env.length - 1; i >= 0; i--) if (env[i].startsWith('XBASIS_DATA_DIR=')) env.splice(i, 1)
      if (volume) env.push(`XBASIS_DATA_DIR=${DATA_MOUNT}`)

      const id = input.deploymentId
      const previous = known.get(id)
      unfollow(previous)
      const entry: Known = { id, buildLines: [], log }
      known.set(id, entry)
      const tag = imageOf(id)
      const name = nameOf(id)
      const appDir = resolve(input.appDir)
      const memoryMb = Math.max(32, Math.min(input.limits?.memoryMb ?? maxMemoryMb, maxMemoryMb))
      const startTimeoutMs = input.limits?.startTimeoutMs ?? defaultStartTimeout
      const labels: Record<string, string> = {
        'xbasis.managed': 'true',
        [LABEL]: id,
        'xbasis.environment': input.environment,
        ...(input.projectId ? { 'xbasis.project': String(input.projectId) } : {}),
      }
      let handle: DeployHandle = { id, url: '', data: { image: tag, name } }

      try {
        // A container of the same deployment (a retry) is replaced.
        const old = docker.getContainer(name)
        const oldInfo = await engine('look for an earlier container', () => inspect(old))
        if (oldInfo) {
          if (oldInfo.State.Running && !previous?.failed) throw new DeployError(`Deployment ${id} is already running.`)
          await old.remove({ force: true, v: true }).catch(() => {})
        }

        let pkg: any = {}
        if (existsSync(join(appDir, 'package.json'))) {
          try {
            pkg = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8'))
          } catch (error) {
            throw new DeployError(`package.json is not valid JSON: ${(error as Error).message}`)
          }
        }
        const command = startCommand(pkg, appDir, memoryMb)
        const install = Boolean(pkg && typeof pkg.dependencies === 'object' && Object.keys(pkg.dependencies ?? {}).length > 0)
        await build(entry, appDir, tag, dockerfile({ baseImage, install }))
        if (volume) {
          // Made on the first deployment of the key, found again by every later one.
          await engine('create the app’s data volume', () =>
            docker.createVolume({
              Name: volume,
              Labels: { 'xbasis.managed': 'true', 'xbasis.data': input.persistentData!.key, ...(input.projectId ? { 'xbasis.project': String(input.projectId) } : {}) },
            } as any) as unknown as Promise<unknown>
          )
          emit(entry, 'build', `[xbasis] the app's data is kept in the volume ${volume} (${DATA_MOUNT}, XBASIS_DATA_DIR)`)
        }

        const memory = memoryMb * 1024 * 1024
        // The host port is chosen here, so that it stays the same when Docker restarts a
        // crashed app (a random one would change); taken in between: another one.
        let container: Docker.Container | undefined
        for (let attempt = 1; !container; attempt++) {
          const hostPort = await freePort(hostIp)
          const created = await engine('create the container', () =>
            docker.createContainer({
              name,
              Image: tag,
              Cmd: command,
              User: '1000:1000',
              WorkingDir: '/app',
              Env: env,
              Labels: labels,
              ExposedPorts: { [`${APP_PORT}/tcp`]: {} },
              Healthcheck: {
                Test: ['CMD', 'node', '-e', healthScript],
                Interval: healthIntervalMs * 1e6,
                // A probe is a `node` process: give it time on a busy machine.
                Timeout: 10e9,
                Retries: 3,
                StartPeriod: startTimeoutMs * 1e6,
                // Docker ≥ 25 probes this often while the app starts (older engines ignore it).
                StartInterval: Math.min(healthIntervalMs, 500) * 1e6,
              } as any,
              HostConfig: {
                Init: true,
                Memory: memory,
                MemorySwap: memory,
                NanoCpus: Math.round(cpus * 1e9),
                PidsLimit: pidsLimit,
                CapDrop: ['ALL'],
                SecurityOpt: ['no-new-privileges'],
                PortBindings: { [`${APP_PORT}/tcp`]: [{ HostIp: hostIp, HostPort: hostPort ? String(hostPort) : '' }] },
                RestartPolicy: { Name: 'on-failure', MaximumRetryCount: maxRestarts },
                LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
                ...(volume ? { Mounts: [{ Type: 'volume', Source: volume, Target: DATA_MOUNT }] } : {}),
                ...(options.network ? { NetworkMode: options.network } : {}),
              },
            })
          )
          handle = { id, url: '', data: { image: tag, name, container: created.id } }
          if (attempt === 1) emit(entry, 'runtime', `[xbasis] starting ${name} (${memoryMb} MB, ${cpus} CPU, ${pidsLimit} processes)`)
          try {
            await engine('start the container', () => created.start())
            container = created
          } catch (error) {
            if (attempt >= 3 || !/already allocated|address already in use/i.test((error as Error).message)) throw error
            await created.remove({ force: true }).catch(() => {})
          }
        }
        const info = await inspect(container)
        const binding = info?.NetworkSettings?.Ports?.[`${APP_PORT}/tcp`]?.[0]
        if (binding?.HostPort) {
          const port = Number(binding.HostPort)
          handle = { id, url: `http://${hostIp.includes(':') ? `[${hostIp}]` : hostIp}:${port}`, port, data: { image: tag, name, container: container.id } }
        }
        await follow(entry, container)
        const problem = binding?.HostPort
          ? await waitHealthy(entry, container, handle.url, startTimeoutMs)
          : 'it exited before Docker published its port'
        if (problem) {
          const reason = `The app did not start: ${problem}. ${await lastOutput(handle, entry)}`
          throw new DeployError(reason, { handle })
        }
        emit(entry, 'runtime', `[xbasis] live at ${handle.url}`)
        return handle
      } catch (error) {
        const message = error instanceof DeployError ? error.message : `The deploy failed: ${(error as Error)?.message ?? error}`
        entry.failed = message
        emit(entry, 'runtime', `[xbasis] failed: ${message.split('\n')[0]}`)
        if (typeof handle.data.container === 'string') {
          unfollow(entry)
          await stopContainer(docker.getContainer(handle.data.container), 2).catch(() => {})
        }
        throw new DeployError(message, { handle, cause: error })
      }
    },

    /**
     * After a platform restart: containers outlive the platform, so a running
     * one is re-attached to (its logs followed again, its health checked);
     * one that is not running (the machine or the engine restarted) is
     * started again, on the host port it was created with. A container that
     * is gone cannot come back.
     */
    async resume(handle, log) {
      const id = handle?.id
      if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new DeployError('This deployment has no valid handle to start it from: deploy again.')
      unfollow(known.get(id))
      const entry: Known = { id, buildLines: [], log }
      known.set(id, entry)
      const container = containerOf(handle)
      const since = Math.floor(Date.now() / 1000)
      try {
        const before = await engine('look for the container', () => inspect(container))
        if (!before) throw new DeployError('The app cannot start again: its container no longer exists on the Docker engine. Deploy again to start it.')
        if (!before.State.Running) {
          emit(entry, 'runtime', `[xbasis] the platform restarted: starting the container ${typeof handle.data?.name === 'string' ? handle.data.name : id} again`)
          await engine('start the container', () =>
            container.start().catch((error) => {
              if (statusCode(error) !== 304) throw error
            })
          )
        } else {
          emit(entry, 'runtime', '[xbasis] the platform restarted: the container still runs')
        }
        const info = await inspect(container)
        const binding = info?.NetworkSettings?.Ports?.[`${APP_PORT}/tcp`]?.[0]
        if (!info || !binding?.HostPort) throw new DeployError('The app did not start again after the platform restarted: it exited before Docker published its port.', { handle })
        const port = Number(binding.HostPort)
        const resumed: DeployHandle = { ...handle, url: `http://${hostIp.includes(':') ? `[${hostIp}]` : hostIp}:${port}`, port, data: { ...handle.data, container: info.Id } }
        // Only what the app prints from now on: its earlier output is in the deployment's logs already.
        await follow(entry, container, since)
        const problem = await waitHealthy(entry, container, resumed.url, defaultStartTimeout, info.RestartCount ?? 0)
        if (problem) throw new DeployError(`The app did not start again after the platform restarted: ${problem}. ${await lastOutput(resumed, entry)}`, { handle: resumed })
        emit(entry, 'runtime', `[xbasis] live again at ${resumed.url}`)
        return resumed
      } catch (error) {
        const message = error instanceof DeployError ? error.message : `The app could not start again: ${(error as Error)?.message ?? error}`
        entry.failed = message
        unfollow(entry)
        throw error instanceof DeployError ? error : new DeployError(message, { handle, cause: error })
      }
    },

    async status(handle) {
      const entry = known.get(handle.id)
      if (entry?.failed) return { state: 'failed', reason: entry.failed }
      let info: Inspect | null
      try {
        info = await inspect(containerOf(handle))
      } catch (error) {
        return { state: 'failed', reason: `Cannot ask the Docker engine at ${where}: ${(error as Error).message}` }
      }
      if (!info) return { state: 'stopped', reason: 'Its container no longer exists.' }
      const status = mapContainerState(info, entry?.stopped)
      if (status.state === 'failed' && info.State.Status === 'exited') {
        status.reason = `${status.reason} ${await lastOutput(handle)}`
      }
      return status
    },

    async logs(handle, options: LogOptions = {}) {
      const entry = known.get(handle.id)
      const build = (entry?.buildLines ?? []).filter((l) => !options.since || l.at > options.since)
      const runtime = await runtimeLines(handle, options.since)
      return [...build, ...runtime].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    },

    async stop(handle) {
      const entry = known.get(handle.id)
      if (entry) entry.stopped = true
      await engine('stop the container', () => stopContainer(containerOf(handle)))
      unfollow(entry)
    },

    async destroy(handle) {
      const entry = known.get(handle.id)
      if (entry) entry.stopped = true
      unfollow(entry)
      const container = containerOf(handle)
      await engine('remove the container', () =>
        container.remove({ force: true, v: true }).catch((error) => {
          if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error
        })
      )
      const image = typeof handle.data?.image === 'string' && handle.data.image.startsWith('xbasis-app:') ? handle.data.image : imageOf(handle.id)
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch((error) => {
          if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error
        })
      known.delete(handle.id)
    },

    /** Removes the data volume of a project × environment (the project was deleted). */
    async destroyData(key) {
      if (typeof key !== 'string' || !DATA_KEY.test(key)) throw new DeployError('The persistent data key may only hold lower-case letters, digits and "-".')
      await engine('remove the app’s data volume', () =>
        docker
          .getVolume(dataVolumeName(key))
          .remove()
          .then(
            () => undefined,
            (error) => {
            if (statusCode(error) === 404) return
            if (statusCode(error) === 409) throw new DeployError(`The data volume ${dataVolumeName(key)} is still used by a container: destroy the app's deployments first.`)
            throw error
            }
          )
      )
    },

    /** The platform stops: the containers keep running (Docker runs them), only the log streams close. */
    async shutdown() {
      for (const entry of known.values()) unfollow(entry)
    },
  }
}
