import { LoopbackServer } from './loopback_server.js'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { Exchange, headerValue, isObject, randomId, type RecordedRequest } from './fake_llm_server.js'

export type { RecordedRequest } from './fake_llm_server.js'

/**
 * A local stand-in for the part of Vercel's REST API the platform drives
 * with `fetch` (base `https://api.vercel.com`):
 *
 *   POST   /v13/deployments                 inline files, name, projectSettings, target
 *   GET    /v13/deployments/:idOrUrl        readyState QUEUED → INITIALIZING → BUILDING → READY | ERROR
 *   DELETE /v13/deployments/:id             { uid, state: 'DELETED' }
 *   PATCH  /v12/deployments/:id/cancel      readyState CANCELED
 *   GET    /v3/deployments/:idOrUrl/events  build events, as a JSON array
 *
 * Every call needs `Authorization: Bearer <token>`; a fake configured with
 * `teamId` requires `?teamId=<it>` on every call (the platform always deploys
 * into its team), and one configured without a team rejects any `teamId`.
 * Errors use Vercel's `{error: {code, message}}` envelope.
 *
 *   const vercel = new FakeVercelServer({ token: 'vc-token', teamId: 'team_abc' })
 *   await vercel.start()                       // vercel.url is the API base
 *   vercel.failNextBuild('Type error: …')      // next deployment ends ERROR
 *   vercel.rateLimitNext()                     // next call answers 429 rate_limited
 *   vercel.advance(id)                         // or { advanceOnPoll: true }
 */

export const VERCEL_READY_STATES = ['QUEUED', 'INITIALIZING', 'BUILDING', 'READY', 'ERROR', 'CANCELED'] as const
export type VercelReadyState = (typeof VERCEL_READY_STATES)[number]

export const VERCEL_HAPPY_TIMELINE: VercelReadyState[] = ['QUEUED', 'INITIALIZING', 'BUILDING', 'READY']

export interface VercelDeploymentScript {
  /** States from creation on; the first is the one the create call answers. */
  timeline?: VercelReadyState[]
  /** Build output lines (stdout) logged on BUILDING. */
  buildLogs?: string[]
  /** The stderr line logged when the timeline ends in ERROR; also the deployment's `errorMessage`. */
  errorMessage?: string
  /** The deployment's `errorCode` on ERROR. Default `BUILD_UTILS_SPAWN_1` (a failed build command). */
  errorCode?: string
}

export interface VercelInlineFile {
  file: string
  data: string
  encoding?: 'utf-8' | 'base64'
}

export interface VercelEvent {
  type: 'command' | 'stdout' | 'stderr'
  created: number
  date: number
  deploymentId: string
  id: string
  serial: string
  text: string
  info: { type: 'build'; name: string; entrypoint: string }
  level?: 'error'
}

export interface FakeVercelDeployment {
  id: string
  url: string
  name: string
  projectId: string
  target: 'production' | 'preview' | 'staging' | null
  createdAt: number
  buildingAt?: number
  ready?: number
  timeline: VercelReadyState[]
  step: number
  canceled: boolean
  deleted: boolean
  /** The files as sent, decoded: path → content. */
  files: Map<string, Buffer>
  projectSettings: Record<string, unknown> | undefined
  meta: Record<string, string>
  events: VercelEvent[]
  script: VercelDeploymentScript
}

export interface FakeVercelServerOptions {
  /** The only token accepted. Default `vercel-test-token`. */
  token?: string
  /** The team the token belongs to; when set, every call must carry `?teamId=` with it. */
  teamId?: string
  /** The team's slug (in deployment URLs, and accepted as `?slug=`). Default `fake-team`. */
  teamSlug?: string
  /** Every GET of a deployment moves it one state on. Default false. */
  advanceOnPoll?: boolean
  /** Projects that exist already (by name): a first deployment of another name needs `projectSettings`. */
  projects?: string[]
}

/** The `projectSettings` fields of the create-deployment body, with their JSON types. */
const PROJECT_SETTINGS: Record<string, 'string' | 'boolean'> = {
  buildCommand: 'string',
  commandForIgnoringBuildStep: 'string',
  devCommand: 'string',
  framework: 'string',
  installCommand: 'string',
  nodeVersion: 'string',
  outputDirectory: 'string',
  rootDirectory: 'string',
  serverlessFunctionRegion: 'string',
  skipGitConnectDuringLink: 'boolean',
  sourceFilesOutsideRootDirectory: 'boolean',
}

/** Top-level fields of the create-deployment body (API v13). */
const BODY_FIELDS = new Set([
  'name',
  'project',
  'files',
  'gitSource',
  'gitMetadata',
  'meta',
  'monorepoManager',
  'projectSettings',
  'target',
  'customEnvironmentSlugOrId',
  'deploymentId',
  'withLatestCommit',
])

/** Framework presets (`projectSettings.framework`) the fake accepts; null means "Other". */
const FRAMEWORKS = new Set([
  'nextjs', 'vite', 'create-react-app', 'astro', 'sveltekit', 'sveltekit-1', 'svelte', 'nuxtjs', 'nuxt', 'remix',
  'react-router', 'gatsby', 'hugo', 'jekyll', 'eleventy', 'docusaurus', 'docusaurus-2', 'vue', 'angular', 'ember',
  'preact', 'solidstart', 'solidstart-1', 'tanstack-start', 'vitepress', 'vuepress', 'hexo', 'storybook', 'parcel',
  'express', 'hono', 'nestjs', 'fastify', 'fastapi', 'flask', 'redwoodjs', 'blitzjs', 'hydrogen', 'gridsome',
  'ionic-react', 'ionic-angular', 'polymer', 'stencil', 'umijs', 'sapper', 'saber', 'scully', 'zola', 'brunch',
  'middleman', 'dojo', 'sanity', 'sanity-v3',
])

const TARGETS = ['production', 'preview', 'staging']

class VercelError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: OutgoingHttpHeaders = {}
  ) {}
}

export class FakeVercelServer {
  readonly requests: RecordedRequest[] = []
  readonly deployments = new Map<string, FakeVercelDeployment>()
  /** Project name → project id. */
  readonly projects = new Map<string, string>()
  readonly token: string
  readonly teamId: string | undefined
  readonly teamSlug: string
  advanceOnPoll: boolean

  #http = new LoopbackServer('FakeVercelServer', (req, res) => this.#onRequest(req, res))
  #initialProjects: string[]
  #scripts: VercelDeploymentScript[] = []
  #rateLimits: Array<{ resetSeconds: number }> = []
  #failures: VercelError[] = []

  constructor(options: FakeVercelServerOptions = {}) {
    this.token = options.token ?? 'vercel-test-token'
    this.teamId = options.teamId
    this.teamSlug = options.teamSlug ?? 'fake-team'
    this.advanceOnPoll = options.advanceOnPoll ?? false
    this.#initialProjects = options.projects ?? []
    this.#seedProjects()
  }

  start(): Promise<void> {
    return this.#http.start()
  }

  close(): Promise<void> {
    return this.#http.close()
  }

  /** The API base, `http://127.0.0.1:PORT` (the real one is `https://api.vercel.com`). */
  get url(): string {
    return this.#http.origin
  }

  /** Forgets requests, deployments, created projects and scripts, keeping the server up. */
  reset(): void {
    this.requests.length = 0
    this.deployments.clear()
    this.projects.clear()
    this.#seedProjects()
    this.#scripts.length = 0
    this.#rateLimits.length = 0
    this.#failures.length = 0
  }

  /** Scripts the next deployment created (queued, one per successful create call). */
  scriptNextDeployment(script: VercelDeploymentScript): this {
    for (const state of script.timeline ?? []) {
      if (!VERCEL_READY_STATES.includes(state)) throw new Error(`FakeVercelServer: unknown readyState ${state}`)
    }
    if (script.timeline && script.timeline.length === 0) throw new Error('FakeVercelServer: empty timeline')
    this.#scripts.push(script)
    return this
  }

  /** The next deployment's build fails: QUEUED → INITIALIZING → BUILDING → ERROR, `message` on stderr. */
  failNextBuild(message: string, errorCode = 'BUILD_UTILS_SPAWN_1'): this {
    return this.scriptNextDeployment({
      timeline: ['QUEUED', 'INITIALIZING', 'BUILDING', 'ERROR'],
      errorMessage: message,
      errorCode,
    })
  }

  /** The next `count` authenticated calls answer 429 `rate_limited`, with the X-RateLimit-* headers. */
  rateLimitNext(options: { resetSeconds?: number; count?: number } = {}): this {
    for (let i = 0; i < (options.count ?? 1); i++) this.#rateLimits.push({ resetSeconds: options.resetSeconds ?? 60 })
    return this
  }

  /** The next authenticated call answers this error (e.g. 500 internal_server_error). */
  failNextRequest(status: number, code: string, message: string): this {
    this.#failures.push(new VercelError(status, code, message))
    return this
  }

  /** Moves a deployment `steps` states on along its timeline (stops at the last); its new state. */
  advance(id: string, steps = 1): VercelReadyState {
    const deployment = this.#get(id)
    for (let i = 0; i < steps && !deployment.canceled && deployment.step < deployment.timeline.length - 1; i++) {
      deployment.step++
      this.#enterState(deployment)
    }
    return stateOf(deployment)
  }

  /** Plays a deployment's timeline to its end; its final state. */
  settle(id: string): VercelReadyState {
    return this.advance(id, this.#get(id).timeline.length)
  }

  readyState(id: string): VercelReadyState {
    return stateOf(this.#get(id))
  }

  #seedProjects(): void {
    for (const name of this.#initialProjects) this.projects.set(name, `prj_${randomId(28)}`)
  }

  #get(id: string): FakeVercelDeployment {
    const deployment = this.deployments.get(id)
    if (!deployment) throw new Error(`FakeVercelServer: no deployment ${id}`)
    return deployment
  }

  #enterState(deployment: FakeVercelDeployment): void {
    const state = stateOf(deployment)
    const log = (text: string, type: VercelEvent['type'] = 'stdout') => {
      const now = Date.now()
      deployment.events.push({
        type,
        created: now,
        date: now,
        deploymentId: deployment.id,
        id: randomId(20),
        serial: `${now}000000${String(deployment.events.length).padStart(8, '0')}`,
        text,
        info: { type: 'build', name: `bld_${deployment.id.slice(4, 16)}`, entrypoint: '.' },
        ...(type === 'stderr' ? { level: 'error' as const } : {}),
      })
    }
    if (state === 'INITIALIZING') {
      log('Running build in Washington, D.C., USA (East) – iad1')
      log(`Downloading ${deployment.files.size} deployment files...`)
    }
    if (state === 'BUILDING') {
      deployment.buildingAt = Date.now()
      log('Running "vercel build"', 'command')
      for (const line of deployment.script.buildLogs ?? ['Installing dependencies...', 'Build Completed in /vercel/output']) {
        log(line)
      }
    }
    if (state === 'ERROR') {
      log(deployment.script.errorMessage ?? 'Error: Command "npm run build" exited with 1', 'stderr')
    }
    if (state === 'READY') {
      deployment.ready = Date.now()
      log('Deploying outputs...')
      log('Deployment completed')
    }
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = []
    try {
      for await (const part of req) parts.push(part as Buffer)
    } catch {
      return
    }
    const rawBody = Buffer.concat(parts).toString('utf8')
    let parsed: unknown
    let jsonError = false
    try {
      parsed = rawBody === '' ? undefined : JSON.parse(rawBody)
    } catch {
      parsed = rawBody
      jsonError = true
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: parsed,
      clientDisconnected: false,
    }
    this.requests.push(record)
    const exchange = new Exchange(req, res, record)
    try {
      const answer = this.#handle(req, parsed, jsonError)
      exchange.json(answer.status, answer.body)
    } catch (error) {
      if (error instanceof VercelError) {
        return exchange.json(
          error.status,
          { error: { code: error.code, message: error.message, ...error.extra } },
          error.headers
        )
      }
      console.error('FakeVercelServer failed:', error)
      if (!res.headersSent) exchange.json(500, { fake_server_error: String(error) })
    }
  }

  #handle(req: IncomingMessage, body: unknown, jsonError: boolean): { status: number; body: unknown } {
    const url = new URL(req.url ?? '/', 'http://fake')
    const method = req.method ?? 'GET'
    const route = matchRoute(url.pathname)
    if (!route) throw new VercelError(404, 'not_found', 'The requested endpoint was not found.')
    if (!route.methods.includes(method)) {
      throw new VercelError(405, 'method_unknown', `This endpoint only responds to ${route.methods.join(', ')}`)
    }

    const authorization = headerValue(req.headers, 'authorization')
    if (!authorization) {
      throw new VercelError(403, 'forbidden', 'The request is missing an authentication token', { missingToken: true })
    }
    const token = /^Bearer\s+/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '') : ''
    if (token !== this.token) throw new VercelError(403, 'forbidden', 'Not authorized', { invalidToken: true })

    const teamId = url.searchParams.get('teamId')
    const slug = url.searchParams.get('slug')
    if (this.teamId) {
      // The real API would fall back to the token owner's personal scope
      // without a team; the platform always deploys into its team, so the fake
      // holds a missing teamId to be a bug.
      const sameTeam = teamId ? teamId === this.teamId : slug === this.teamSlug
      if (!sameTeam) throw new VercelError(403, 'forbidden', 'Not authorized')
    } else if (teamId || slug) {
      throw new VercelError(403, 'forbidden', 'Not authorized')
    }

    const limit = this.#rateLimits.shift()
    if (limit) {
      const resetMs = Date.now() + limit.resetSeconds * 1000
      const reset = Math.ceil(resetMs / 1000)
      const total = route.name === 'create' ? 100 : 500
      throw new VercelError(
        429,
        'rate_limited',
        `Rate limit exceeded. Try again in ${limit.resetSeconds} seconds.`,
        { limit: { remaining: 0, reset, resetMs, total } },
        { 'x-ratelimit-limit': String(total), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }
      )
    }
    const failure = this.#failures.shift()
    if (failure) throw failure

    if (route.name === 'create') return this.#create(url, body, jsonError)
    const deployment = this.#find(route.id!)
    if (route.name === 'byId' && method === 'GET') {
      if (this.advanceOnPoll) this.advance(deployment.id)
      return { status: 200, body: this.#view(deployment) }
    }
    if (route.name === 'events') return { status: 200, body: deployment.events }
    if (route.name === 'cancel') {
      const state = stateOf(deployment)
      if (state === 'READY' || state === 'ERROR' || state === 'CANCELED') {
        throw new VercelError(400, 'bad_request', `Cannot cancel a deployment in state ${state}.`)
      }
      deployment.canceled = true
      return { status: 200, body: this.#view(deployment) }
    }
    // DELETE /v13/deployments/:id
    deployment.deleted = true
    return { status: 200, body: { uid: deployment.id, state: 'DELETED', url: deployment.url } }
  }

  /** By id (`dpl_…`) or by hostname, as the real endpoints accept. */
  #find(idOrUrl: string): FakeVercelDeployment {
    const host = idOrUrl.replace(/^https?:\/\//, '')
    for (const deployment of this.deployments.values()) {
      if (!deployment.deleted && (deployment.id === idOrUrl || deployment.url === host)) return deployment
    }
    throw new VercelError(404, 'not_found', 'The deployment could not be found.')
  }

  #create(url: URL, body: unknown, jsonError: boolean): { status: number; body: unknown } {
    if (jsonError) throw new VercelError(400, 'bad_request', 'Invalid JSON in the request body.')
    const request = validateCreateBody(body)
    const name = request.name
    if (url.searchParams.get('forceNew') !== null && !['0', '1'].includes(url.searchParams.get('forceNew')!)) {
      throw invalid('`forceNew` should be equal to one of the allowed values "0, 1"')
    }
    let projectId = this.projects.get(name)
    if (!projectId) {
      const skip = url.searchParams.get('skipAutoDetectionConfirmation') === '1'
      if (!request.projectSettings && !skip) {
        throw new VercelError(
          400,
          'missing_project_settings',
          'The `projectSettings` object is required for new projects, but could not be determined. Please add it to the request body and try again.',
          { framework: null }
        )
      }
      projectId = `prj_${randomId(28)}`
      this.projects.set(name, projectId)
    }

    const script = this.#scripts.shift() ?? {}
    const id = `dpl_${randomId(28)}`
    const scope = this.teamId ? this.teamSlug : 'fake-user'
    const deployment: FakeVercelDeployment = {
      id,
      url: `${name}-${randomId(9).toLowerCase()}-${scope}.vercel.app`,
      name,
      projectId,
      target: request.target ?? null,
      createdAt: Date.now(),
      timeline: script.timeline ?? VERCEL_HAPPY_TIMELINE,
      step: 0,
      canceled: false,
      deleted: false,
      files: new Map(request.files.map((f) => [f.file, Buffer.from(f.data, f.encoding === 'base64' ? 'base64' : 'utf8')])),
      projectSettings: request.projectSettings,
      meta: request.meta ?? {},
      events: [],
      script,
    }
    this.deployments.set(id, deployment)
    this.#enterState(deployment)
    return { status: 200, body: this.#view(deployment) }
  }

  /** The deployment object of the v13 endpoints (the fields a client reads, and their neighbours). */
  #view(deployment: FakeVercelDeployment) {
    const state = stateOf(deployment)
    const scope = this.teamId ? this.teamSlug : 'fake-user'
    const production = deployment.target === 'production'
    const aliases = state === 'READY' && production ? [`${deployment.name}.vercel.app`] : []
    return {
      id: deployment.id,
      url: deployment.url,
      name: deployment.name,
      meta: deployment.meta,
      version: 2,
      regions: ['iad1'],
      routes: null,
      plan: this.teamId ? 'pro' : 'hobby',
      public: false,
      ownerId: this.teamId ?? 'user_fake',
      readyState: state,
      status: state,
      ...(state === 'READY' ? { readySubstate: production ? 'PROMOTED' : 'STAGED' } : {}),
      type: 'LAMBDAS',
      createdAt: deployment.createdAt,
      ...(deployment.buildingAt ? { buildingAt: deployment.buildingAt } : {}),
      ...(deployment.ready ? { ready: deployment.ready } : {}),
      ...(state === 'CANCELED' ? { canceledAt: Date.now() } : {}),
      target: deployment.target,
      projectId: deployment.projectId,
      inspectorUrl: `https://vercel.com/${scope}/${deployment.name}/${deployment.id.slice(4)}`,
      alias: aliases,
      aliasAssigned: aliases.length > 0 ? deployment.ready! : false,
      aliasError: null,
      creator: { uid: 'user_fake', username: 'fake-user' },
      ...(state === 'ERROR'
        ? {
            errorCode: deployment.script.errorCode ?? 'BUILD_UTILS_SPAWN_1',
            errorMessage: deployment.script.errorMessage ?? 'Command "npm run build" exited with 1',
          }
        : {}),
    }
  }
}

function stateOf(deployment: FakeVercelDeployment): VercelReadyState {
  return deployment.canceled ? 'CANCELED' : deployment.timeline[deployment.step]
}

function matchRoute(path: string): { name: string; methods: string[]; id?: string } | undefined {
  if (path === '/v13/deployments') return { name: 'create', methods: ['POST'] }
  let match = /^\/v13\/deployments\/([^/]+)$/.exec(path)
  if (match) return { name: 'byId', methods: ['GET', 'DELETE'], id: decodeURIComponent(match[1]) }
  match = /^\/v3\/deployments\/([^/]+)\/events$/.exec(path)
  if (match) return { name: 'events', methods: ['GET'], id: decodeURIComponent(match[1]) }
  match = /^\/v12\/deployments\/([^/]+)\/cancel$/.exec(path)
  if (match) return { name: 'cancel', methods: ['PATCH'], id: decodeURIComponent(match[1]) }
  return undefined
}

function invalid(detail: string): VercelError {
  return new VercelError(400, 'bad_request', `Invalid request: ${detail}.`)
}

interface CreateRequest {
  name: string
  files: VercelInlineFile[]
  projectSettings?: Record<string, unknown>
  target?: 'production' | 'preview' | 'staging'
  meta?: Record<string, string>
}

/**
 * The create-deployment body, checked the way the real API's schema does
 * (`Invalid request: …` messages, `bad_request`): required and unknown
 * properties, types, enums. Only inline files are supported: a file given by
 * `sha` was never uploaded to the fake, so it answers `missing_files` as the
 * real API does for an upload it has not seen.
 */
function validateCreateBody(body: unknown): CreateRequest {
  if (!isObject(body)) throw invalid('should be object')
  for (const key of Object.keys(body)) {
    if (!BODY_FIELDS.has(key)) throw invalid(`should NOT have additional property \`${key}\``)
  }
  if (!('name' in body)) throw invalid("should have required property 'name'")
  if (typeof body.name !== 'string') throw invalid('`name` should be string')
  if (body.name.length > 100 || !/^[a-z0-9._-]+$/.test(body.name) || body.name.includes('---')) {
    throw new VercelError(
      400,
      'bad_request',
      "Project names can be up to 100 characters long and must be lowercase. They can include letters, digits, and the following characters: '.', '_', '-'. However, they cannot contain the sequence '---'."
    )
  }
  if ('target' in body && body.target !== undefined) {
    if (typeof body.target !== 'string' || !TARGETS.includes(body.target)) {
      throw invalid(`\`target\` should be equal to one of the allowed values "${TARGETS.join(', ')}"`)
    }
  }
  if ('meta' in body) {
    if (!isObject(body.meta)) throw invalid('`meta` should be object')
    for (const [key, value] of Object.entries(body.meta)) {
      if (typeof value !== 'string') throw invalid(`\`meta.${key}\` should be string`)
    }
  }
  let projectSettings: Record<string, unknown> | undefined
  if ('projectSettings' in body) {
    if (!isObject(body.projectSettings)) throw invalid('`projectSettings` should be object')
    projectSettings = body.projectSettings
    for (const [key, value] of Object.entries(projectSettings)) {
      const type = PROJECT_SETTINGS[key]
      if (!type) throw invalid(`\`projectSettings\` should NOT have additional property \`${key}\``)
      if (value !== null && typeof value !== type) throw invalid(`\`projectSettings.${key}\` should be ${type},null`)
    }
    const framework = projectSettings.framework
    if (typeof framework === 'string' && !FRAMEWORKS.has(framework)) {
      throw invalid('`projectSettings.framework` should be equal to one of the allowed values')
    }
  }
  if ('gitSource' in body) {
    throw new VercelError(400, 'bad_request', 'FakeVercelServer: gitSource deployments are not supported by the fake')
  }
  if (!('files' in body)) throw new VercelError(400, 'missing_files', 'Missing files', { missing: [] })
  if (!Array.isArray(body.files)) throw invalid('`files` should be array')
  if (body.files.length === 0) throw new VercelError(400, 'missing_files', 'Missing files', { missing: [] })
  const missing: string[] = []
  const files: VercelInlineFile[] = []
  const seen = new Set<string>()
  for (const [i, file] of body.files.entries()) {
    const at = `\`files[${i}]\``
    if (!isObject(file)) throw invalid(`${at} should be object`)
    const inline = !('sha' in file)
    const allowed = inline ? ['file', 'data', 'encoding'] : ['file', 'sha', 'size', 'mode']
    for (const key of Object.keys(file)) {
      if (!allowed.includes(key)) throw invalid(`${at} should NOT have additional property \`${key}\``)
    }
    if (!('file' in file)) throw invalid(`${at} should have required property 'file'`)
    if (typeof file.file !== 'string' || file.file === '') throw invalid(`\`files[${i}].file\` should be string`)
    if (!inline) {
      if (typeof file.sha !== 'string') throw invalid(`\`files[${i}].sha\` should be string`)
      missing.push(file.sha)
      continue
    }
    if (!('data' in file)) throw invalid(`${at} should have required property 'data'`)
    if (typeof file.data !== 'string') throw invalid(`\`files[${i}].data\` should be string`)
    if ('encoding' in file && file.encoding !== 'base64' && file.encoding !== 'utf-8') {
      throw invalid(`\`files[${i}].encoding\` should be equal to one of the allowed values "base64, utf-8"`)
    }
    if (file.encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(file.data.replace(/\s/g, ''))) {
      throw invalid(`\`files[${i}].data\` is not valid base64`)
    }
    if (file.file.startsWith('/') || file.file.split('/').includes('..')) {
      throw invalid(`\`files[${i}].file\` must be a relative path inside the deployment`)
    }
    if (seen.has(file.file)) throw invalid(`\`files\` has the file \`${file.file}\` more than once`)
    seen.add(file.file)
    files.push({ file: file.file, data: file.data, encoding: file.encoding as VercelInlineFile['encoding'] })
  }
  if (missing.length > 0) throw new VercelError(400, 'missing_files', 'Missing files', { missing })
  return {
    name: body.name,
    files,
    projectSettings,
    target: body.target as CreateRequest['target'],
    meta: body.meta as Record<string, string> | undefined,
  }
}
