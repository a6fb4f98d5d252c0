import { lstat, readFile, readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import {
  DeployError,
  type DeployHandle,
  type DeployInput,
  type DeployState,
  type DeployStatus,
  type DeployTarget,
  type LogLine,
  type LogOptions,
} from '#deploy/contract'

/**
 * The `vercel` deploy target: uploads a version's files inline to Vercel's
 * REST API (`POST /v13/deployments`), follows the deployment's `readyState`
 * and build events, and answers at `https://<deployment url>`.
 *
 * What it makes on Vercel
 * -----------------------
 * One Vercel project per xBasis app, `xbasis-<appName>` (else
 * `xbasis-<deploymentId>`), reused by every deployment of the app, preview
 * and production alike: `GET /v9/projects/:name`, created with
 * `POST /v11/projects` (framework "Other", no build or install command) when
 * missing; a 409 (made meanwhile) counts as "exists". Preview and production
 * are the deployment's target inside that project: a production deployment
 * sends `target: "production"` (and gets the project's production domain), a
 * preview sends none.
 *
 * Environment: `input.env` becomes the project's variables of the
 * deployment's target (`production` or `preview`), BEFORE the deployment is
 * created, since Vercel gives a deployment the variables its project has when
 * it builds: `POST /v10/projects/:id/env?upsert=true`, type `encrypted`, one
 * variable per key and target, with a comment marking it as managed by
 * xBasis; managed variables of that target that are no longer given are
 * deleted (`DELETE /v9/projects/:id/env/:envId`); variables someone set on the
 * project by hand are left alone unless `input.env` names them. Variables
 * Vercel refuses (its `failed` entries, e.g. reserved names such as `TZ`)
 * fail the deploy with Vercel's message. No value of `input.env` is written
 * into the uploaded files.
 *
 * How an xBasis app maps onto Vercel
 * ----------------------------------
 * An xBasis app is a long-running Node HTTP server started with `npm start`
 * (`node server.js`) that listens on `PORT`. Vercel runs no long-running
 * processes: it serves static files and runs functions per request. So the
 * target adds two generated files to the upload (the version on disk is never
 * touched):
 *
 * - `api/xbasis-entry.mjs`, a Node.js function: on cold start it sets the
 *   app's environment, captures the `http.Server` the app creates (by
 *   wrapping `Server.prototype.listen`), imports the app's entry file with a
 *   static `import()` (so Vercel's file tracer bundles it and what it imports)
 *   and then hands every request to that server (`server.emit('request')`).
 *   The app still listens, on an ephemeral 127.0.0.1 port (`PORT=0`), which
 *   nothing uses.
 * - `vercel.json` with `builds` (only the function is built, so the app's
 *   sources are never served as static files) and a catch-all route to it.
 *   `@vercel/node` installs `package.json` dependencies itself.
 *
 * What does not carry over: in-memory state between requests (instances are
 * recycled), background work after a response, WebSockets, and writing to
 * the filesystem outside /tmp. Apps whose start script is not `node <file>`
 * are refused with a clear error.
 *
 * The generated function sets only the variables of the start script
 * (`FOO=1 node server.js`), `NODE_ENV=production`, `HOST` and `PORT`: none of
 * them secret. Everything else comes from the function's `process.env`, which
 * Vercel fills from the project's variables.
 *
 * `stop` deletes the deployment; the project (with its variables) stays for
 * the app's next deployment. `destroy` deletes the deployment and, when the
 * project has no other deployment left (`GET /v6/deployments?projectId=`),
 * the project with its variables (`DELETE /v9/projects/:id`).
 */
export type VercelTargetOptions = {
  /** API base. Default `https://api.vercel.com`. */
  apiUrl?: string
  token: string
  /** Sent as `?teamId=` on every call when set. */
  teamId?: string
  /** Project name prefix; the project is `<prefix>-<appName or deploymentId>`, made Vercel-valid. Default `xbasis`. */
  projectPrefix?: string
  /** Total size of the files above which deploy refuses. Default 10 MB. */
  maxUploadBytes?: number
  /** One API call. Default 30 s. */
  requestTimeoutMs?: number
  /** From the create call until the deployment is READY (or ERROR). Default 15 min. */
  buildTimeoutMs?: number
  /** Between two polls of the deployment. Default 2 s. */
  pollIntervalMs?: number
  /** How long to wait for `GET /health` at the URL once READY. Default 60 s (or `limits.startTimeoutMs`). */
  healthTimeoutMs?: number
  /** false: skip the /health check (the URL is not reachable, e.g. against a fake API). Default true. */
  checkHealth?: boolean
  /** Longest single wait after a 429. Default 60 s. */
  maxRateLimitWaitMs?: number
  /** 429 answers in a row before giving up. Default 5. */
  maxRateLimitRetries?: number
  /** The fetch used for the API and the health check. Default the global one. */
  fetch?: typeof fetch
}

export const WRAPPER_PATH = 'api/xbasis-entry.mjs'
/** The comment on the project variables this target manages (and may delete). */
export const MANAGED_ENV_COMMENT = 'Managed by xBasis: set on the project’s environment page, overwritten at each deploy'
export const SKIPPED_DIRS = new Set(['node_modules', '.git'])
const REASON_LINES = 12

type VercelDeployment = {
  id: string
  url: string
  readyState: string
  errorMessage?: string
  errorCode?: string
}

type VercelEnv = { id: string; key: string; target?: string[] | string; comment?: string; gitBranch?: string }
type VercelProject = { id: string; name: string }

type VercelEvent = { id?: string; serial?: string; created?: number; date?: number; type?: string; text?: string }

type Known = {
  lines: LogLine[]
  seen: Set<string>
  /** Set when the deploy failed after Vercel said READY (the health check). */
  failure?: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A Vercel project name: lowercase, `[a-z0-9._-]`, at most 100 characters, no `---`. */
export function vercelName(prefix: string, deploymentId: string): string {
  const name = `${prefix}-${deploymentId}`
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{3,}/g, '--')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 100)
    .replace(/[-._]+$/g, '')
  return name || 'xbasis-app'
}

/** `node [flags] <file>` (after optional VAR=value assignments) → its file and the variables. */
export function parseStartScript(script: string): { entry: string; env: Record<string, string> } | undefined {
  const tokens = script.trim().split(/\s+/)
  const env: Record<string, string> = {}
  while (tokens.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0])) {
    const [key, ...rest] = tokens.shift()!.split('=')
    env[key] = rest.join('=').replace(/^['"]|['"]$/g, '')
  }
  if (tokens.shift() !== 'node') return undefined
  const entry = tokens.find((t) => !t.startsWith('-'))
  if (!entry || tokens.indexOf(entry) !== tokens.length - 1) return undefined
  if (entry.startsWith('/') || entry.split('/').includes('..')) return undefined
  return { entry: entry.replace(/^\.\//, ''), env }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
function encode(content: Buffer): { data: string; encoding: 'utf-8' | 'base64' } {
  if (!content.includes(0)) {
    try {
      return { data: utf8.decode(content), encoding: 'utf-8' }
    } catch {}
  }
  return { data: content.toString('base64'), encoding: 'base64' }
}

/** Every regular file of `dir` (relative, `/`-separated), skipping node_modules and .git; refuses above `maxBytes`. */
export async function collectFiles(dir: string, maxBytes: number): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  let total = 0
  const walk = async (current: string) => {
    const entries = await readdir(current, { withFileTypes: true })
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && SKIPPED_DIRS.has(entry.name)) continue
      const path = join(current, entry.name)
      if (entry.isDirectory()) {
        await walk(path)
        continue
      }
      if (!entry.isFile()) continue // symlinks, sockets: not uploaded
      total += (await lstat(path)).size
      if (total > maxBytes) {
        throw new DeployError(
          `The app's files are more than ${formatBytes(maxBytes)} (node_modules and .git left out): too large to upload to Vercel. Remove large files (build output, media, archives) from the project.`
        )
      }
      files.set(relative(dir, path).split(sep).join('/'), await readFile(path))
    }
  }
  await walk(dir)
  return files
}

function formatBytes(bytes: number) {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`
}

/**
 * The generated function that runs the app's HTTP server inside Vercel (see
 * the header). `env` holds only non-secret defaults (the start script's
 * variables, NODE_ENV): the app's own variables come from the project.
 */
export function wrapperSource(entry: string, env: Record<string, string>): string {
  return `// Generated by xBasis at deploy time: runs the app's Node HTTP server inside a Vercel function.
import http from 'node:http'

Object.assign(process.env, ${JSON.stringify(env)}, { HOST: '127.0.0.1', PORT: '0' })

let captured
const listen = http.Server.prototype.listen
http.Server.prototype.listen = function (...args) {
  captured ??= this
  return listen.apply(this, args)
}

await import(${JSON.stringify(`../${entry}`)})
if (!captured) throw new Error('xBasis: ${entry} did not start an HTTP server (http.createServer(...).listen(PORT))')
const server = captured

export default function handler(req, res) {
  server.emit('request', req, res)
}
`
}

export function vercelConfig() {
  return {
    version: 2,
    builds: [{ src: WRAPPER_PATH, use: '@vercel/node', config: { includeFiles: ['**'] } }],
    routes: [{ src: '/(.*)', dest: `/${WRAPPER_PATH}` }],
  }
}

/** readyState → the contract's state. */
export function mapReadyState(readyState: string): DeployState {
  switch (readyState) {
    case 'QUEUED':
      return 'queued'
    case 'INITIALIZING':
    case 'BUILDING':
      return 'building'
    case 'READY':
      return 'live'
    case 'ERROR':
      return 'failed'
    case 'CANCELED':
    case 'DELETED':
      return 'stopped'
    default:
      return 'building'
  }
}

class VercelApiError extends DeployError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined
  ) {
    super(message)
  }
}

export function createVercelTarget(options: VercelTargetOptions): DeployTarget {
  const apiUrl = (options.apiUrl || 'https://api.vercel.com').replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args))
  const prefix = options.projectPrefix || 'xbasis'
  const maxUploadBytes = options.maxUploadBytes ?? 10 * 1024 * 1024
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000
  const buildTimeoutMs = options.buildTimeoutMs ?? 15 * 60_000
  const pollIntervalMs = options.pollIntervalMs ?? 2000
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 5
  const known = new Map<string, Known>()

  const knownOf = (id: string) => {
    let entry = known.get(id)
    if (!entry) known.set(id, (entry = { lines: [], seen: new Set() }))
    return entry
  }

  /** One API call, with 429 back-off; Vercel's error envelope becomes a DeployError quoting its message. */
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(apiUrl + path)
    // `path` may carry its own query (?upsert=true, ?projectId=…): teamId joins it.
    if (options.teamId) url.searchParams.set('teamId', options.teamId)
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        response = await doFetch(url, {
          method,
          headers: {
            'authorization': `Bearer ${options.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(requestTimeoutMs),
        })
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
        throw new DeployError(
          timedOut
            ? `Vercel did not answer ${method} ${path} within ${requestTimeoutMs} ms.`
            : `Could not reach Vercel (${apiUrl}): ${error instanceof Error ? error.message : String(error)}`,
          { cause: error }
        )
      }
      const text = await response.text()
      let parsed: any
      try {
        parsed = text === '' ? undefined : JSON.parse(text)
      } catch {
        parsed = undefined
      }
      if (response.ok) return parsed as T

      const code: string | undefined = parsed?.error?.code
      const message: string = parsed?.error?.message ?? (text.slice(0, 300) || response.statusText)
      if (response.status === 429 && attempt < maxRateLimitRetries) {
        const reset = Number(response.headers.get('x-ratelimit-reset'))
        const untilReset = Number.isFinite(reset) && reset > 0 ? reset * 1000 - Date.now() : NaN
        const backoff = Number.isFinite(untilReset) ? Math.max(untilReset, 250) : 1000 * 2 ** attempt
        await sleep(Math.min(backoff, maxRateLimitWaitMs))
        continue
      }
      if (response.status === 401 || (response.status === 403 && (parsed?.error?.invalidToken || parsed?.error?.missingToken))) {
        throw new VercelApiError(
          `Vercel refused the token (${response.status} ${code ?? ''}: ${message}). Check VERCEL_TOKEN${options.teamId ? ' and VERCEL_TEAM_ID' : ''}.`,
          response.status,
          code
        )
      }
      if (response.status === 403) {
        throw new VercelApiError(
          `Vercel answered 403 ${code ?? ''}: ${message}. The token may not have access to ${options.teamId ? `team ${options.teamId}` : 'this scope'}.`,
          response.status,
          code
        )
      }
      throw new VercelApiError(`Vercel answered ${response.status} ${code ?? ''}: ${message}`.replace(/\s+:/, ':'), response.status, code)
    }
  }

  /**
   * The app's project: found by name, else created; a 409 means someone made
   * it meanwhile. Looked up on every deploy (no cache): another platform
   * instance may have destroyed or made it since.
   */
  async function ensureProject(name: string, note: (text: string) => void): Promise<string> {
    const find = async () => {
      try {
        return await api<VercelProject>('GET', `/v9/projects/${encodeURIComponent(name)}`)
      } catch (error) {
        if (error instanceof VercelApiError && error.status === 404) return undefined
        throw error
      }
    }
    let project = await find()
    if (!project) {
      try {
        project = await api<VercelProject>('POST', '/v11/projects', {
          name,
          framework: null,
          buildCommand: null,
          installCommand: null,
          outputDirectory: null,
        })
        note(`Created the Vercel project ${name}.`)
      } catch (error) {
        if (!(error instanceof VercelApiError && error.status === 409)) throw error
        project = await find()
        if (!project) throw error
      }
    }
    return project.id
  }

  /**
   * The project's variables of `target` become `env`: upserted (encrypted,
   * marked as managed), and the managed ones no longer given deleted.
   */
  async function syncEnv(projectId: string, target: 'production' | 'preview', env: Record<string, string>) {
    const path = `/v10/projects/${encodeURIComponent(projectId)}/env`
    const { envs = [] } = (await api<{ envs?: VercelEnv[] }>('GET', path)) ?? {}
    const targets = (variable: VercelEnv) => (Array.isArray(variable.target) ? variable.target : variable.target ? [variable.target] : [])
    const keys = Object.keys(env)
    if (keys.length > 0) {
      const answer = await api<{ failed?: Array<{ error?: { code?: string; message?: string; key?: string; envVarKey?: string } }> }>(
        'POST',
        `${path}?upsert=true`,
        keys.map((key) => ({ key, value: env[key], type: 'encrypted', target: [target], comment: MANAGED_ENV_COMMENT }))
      )
      const failed = answer?.failed ?? []
      if (failed.length > 0) {
        const reasons = failed.map((f) => `${f.error?.key ?? f.error?.envVarKey ?? '?'}: ${f.error?.message ?? f.error?.code ?? 'refused'}`)
        throw new DeployError(`Vercel refused ${failed.length === 1 ? 'a variable' : `${failed.length} variables`} of the ${target} environment — ${reasons.join('; ')}`)
      }
    }
    for (const variable of envs) {
      if (variable.comment !== MANAGED_ENV_COMMENT || variable.gitBranch || !targets(variable).includes(target) || keys.includes(variable.key)) continue
      try {
        await api('DELETE', `/v9/projects/${encodeURIComponent(projectId)}/env/${encodeURIComponent(variable.id)}`)
      } catch (error) {
        if (!(error instanceof VercelApiError && error.status === 404)) throw error
      }
    }
  }

  const getDeployment = (id: string) => api<VercelDeployment>('GET', `/v13/deployments/${encodeURIComponent(id)}`)

  /** Fetches the build events, records the new ones and passes them to `log`. */
  async function pullEvents(id: string, log?: (line: LogLine) => void) {
    const entry = knownOf(id)
    const events = await api<VercelEvent[]>('GET', `/v3/deployments/${encodeURIComponent(id)}/events`)
    for (const event of Array.isArray(events) ? events : []) {
      const key = event.id ?? event.serial ?? `${event.created}:${event.text}`
      if (entry.seen.has(key) || typeof event.text !== 'string') continue
      entry.seen.add(key)
      const line: LogLine = { at: new Date(event.created ?? event.date ?? Date.now()).toISOString(), stream: 'build', text: event.text }
      entry.lines.push(line)
      log?.(line)
    }
  }

  const tail = (id: string) =>
    knownOf(id)
      .lines.slice(-REASON_LINES)
      .map((l) => l.text)
      .join('\n')

  function reasonOf(deployment: VercelDeployment): string {
    const message = deployment.errorMessage ?? `The deployment failed${deployment.errorCode ? ` (${deployment.errorCode})` : ''}.`
    const lines = tail(deployment.id)
    return lines ? `${message}\n\nLast build output:\n${lines}` : message
  }

  async function waitForHealth(handle: DeployHandle, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs
    let last = 'no answer'
    while (Date.now() < deadline) {
      try {
        const response = await doFetch(`${handle.url}/health`, { signal: AbortSignal.timeout(Math.min(10_000, timeoutMs)) })
        await response.text().catch(() => {})
        if (response.ok) return undefined
        last = `HTTP ${response.status}`
      } catch (error) {
        last = error instanceof Error ? error.message : String(error)
      }
      await sleep(Math.min(1000, pollIntervalMs))
    }
    return `The app is deployed on Vercel but GET /health at ${handle.url} did not answer 2xx within ${timeoutMs} ms (last: ${last}).`
  }

  async function remove(handle: DeployHandle) {
    try {
      await api('DELETE', `/v13/deployments/${encodeURIComponent(handle.id)}`)
    } catch (error) {
      if (error instanceof VercelApiError && error.status === 404) return // already gone
      throw error
    }
  }

  return {
    async deploy(input: DeployInput, log: (line: LogLine) => void): Promise<DeployHandle> {
      if (!/^[A-Za-z0-9_-]+$/.test(input.deploymentId)) {
        throw new DeployError(`Invalid deployment id ${JSON.stringify(input.deploymentId)}.`)
      }
      const files = await collectFiles(input.appDir, maxUploadBytes)
      const packageJson = files.get('package.json')
      let pkg: { scripts?: Record<string, string>; main?: string } = {}
      try {
        pkg = packageJson ? JSON.parse(packageJson.toString('utf8')) : {}
      } catch {
        throw new DeployError('The app’s package.json is not valid JSON.')
      }
      const start = pkg.scripts?.start ? parseStartScript(pkg.scripts.start) : files.has('server.js') ? { entry: 'server.js', env: {} } : undefined
      if (!start || !files.has(start.entry)) {
        throw new DeployError(
          `Vercel can only run apps whose start script is \`node <file>\` with that file in the project (found ${JSON.stringify(pkg.scripts?.start ?? null)}).`
        )
      }
      const note = (text: string) => log({ at: new Date().toISOString(), stream: 'build', text })
      if (files.has('vercel.json')) note('xBasis: the project’s own vercel.json is replaced by the generated one.')

      const name = vercelName(prefix, input.appName || input.deploymentId)
      const target = input.environment === 'production' ? 'production' : 'preview'
      const projectId = await ensureProject(name, note)
      await syncEnv(projectId, target, input.env)
      note(`Set ${Object.keys(input.env).length} variables on the Vercel project (${target}).`)

      const upload = [...files].filter(([path]) => path !== 'vercel.json' && path !== WRAPPER_PATH)
      const body = {
        name,
        project: projectId,
        files: [
          ...upload.map(([file, content]) => ({ file, ...encode(content) })),
          { file: WRAPPER_PATH, data: wrapperSource(start.entry, { ...start.env, NODE_ENV: 'production' }), encoding: 'utf-8' as const },
          { file: 'vercel.json', data: JSON.stringify(vercelConfig(), null, 2), encoding: 'utf-8' as const },
        ],
        // A plain Node app ("Other"): no framework preset, no build step; the
        // generated vercel.json `builds` decides what is built and installed.
        projectSettings: { framework: null, buildCommand: null, installCommand: null, outputDirectory: null },
        meta: { xbasisDeploymentId: input.deploymentId, xbasisEnvironment: input.environment },
        ...(input.environment === 'production' ? { target: 'production' as const } : {}),
      }
      note(`Uploading ${body.files.length} files to Vercel (${body.name})…`)
      const created = await api<VercelDeployment>('POST', '/v13/deployments', body)
      const handle: DeployHandle = {
        id: created.id,
        url: `https://${String(created.url).replace(/^https?:\/\//, '')}`,
        data: { name: body.name, projectId, environment: input.environment, teamId: options.teamId ?? null },
      }
      knownOf(handle.id)

      const deadline = Date.now() + buildTimeoutMs
      let current = created
      for (;;) {
        await pullEvents(handle.id, log).catch(() => {})
        const state = mapReadyState(current.readyState)
        if (state === 'live') break
        if (state === 'failed') throw new DeployError(`Vercel build failed: ${reasonOf(current)}`, { handle })
        if (state === 'stopped') throw new DeployError('The Vercel deployment was canceled.', { handle })
        if (Date.now() > deadline) {
          throw new DeployError(`The Vercel deployment was still ${current.readyState} after ${buildTimeoutMs} ms.`, { handle })
        }
        await sleep(pollIntervalMs)
        current = await getDeployment(handle.id)
      }

      if (options.checkHealth !== false) {
        const failure = await waitForHealth(handle, input.limits?.startTimeoutMs ?? options.healthTimeoutMs ?? 60_000)
        if (failure) {
          knownOf(handle.id).failure = failure
          const lines = tail(handle.id)
          throw new DeployError(lines ? `${failure}\n\nLast build output:\n${lines}` : failure, { handle })
        }
      }
      note(`Live at ${handle.url}`)
      return handle
    },

    async status(handle: DeployHandle): Promise<DeployStatus> {
      let deployment: VercelDeployment
      try {
        deployment = await getDeployment(handle.id)
      } catch (error) {
        if (error instanceof VercelApiError && error.status === 404) {
          return { state: 'stopped', reason: 'Vercel no longer has this deployment (deleted).' }
        }
        throw error
      }
      const state = mapReadyState(deployment.readyState)
      if (state === 'failed') {
        await pullEvents(handle.id).catch(() => {})
        return { state, reason: reasonOf(deployment) }
      }
      const failure = known.get(handle.id)?.failure
      if (state === 'live' && failure) return { state: 'failed', reason: failure }
      if (state === 'stopped') return { state, reason: 'The Vercel deployment was canceled.' }
      return { state }
    },

    async logs(handle: DeployHandle, logOptions: LogOptions = {}): Promise<LogLine[]> {
      // Vercel's runtime logs are not in this API (log drains or the dashboard): build events only.
      await pullEvents(handle.id).catch(() => {})
      const lines = known.get(handle.id)?.lines ?? []
      return logOptions.since ? lines.filter((l) => l.at > logOptions.since!) : [...lines]
    },

    async stop(handle: DeployHandle) {
      // Vercel cannot pause a deployment: stopping it deletes it (its files are in the platform's versions).
      await remove(handle)
    },

    /**
     * Deletes the deployment and, once the app's project holds no other
     * deployment (the app's other environment has none left either), the
     * project with its variables: nothing of a removed app stays on Vercel.
     */
    async destroy(handle: DeployHandle) {
      await remove(handle)
      known.delete(handle.id)
      const projectId = typeof handle.data.projectId === 'string' ? handle.data.projectId : undefined
      if (!projectId) return
      try {
        const listed = await api<{ deployments?: Array<{ uid: string }> }>(
          'GET',
          `/v6/deployments?projectId=${encodeURIComponent(projectId)}&limit=20`
        )
        if ((listed?.deployments ?? []).some((d) => d.uid !== handle.id)) return
        await api('DELETE', `/v9/projects/${encodeURIComponent(projectId)}`)
      } catch (error) {
        if (!(error instanceof VercelApiError && error.status === 404)) throw error
      }
    },
  }
}
