import { LoopbackServer } from './loopback_server.js'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { Exchange, headerValue, isObject, randomId, receiveRequest, type RecordedRequest } from './fake_llm_server.js'

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
 *   GET    /v9/projects/:idOrName           the project; 404 not_found
 *   POST   /v11/projects                    { name, framework, … }; 409 conflict when the name is taken
 *   DELETE /v9/projects/:idOrName           204, its deployments and variables with it
 *   GET    /v6/deployments?projectId=       { deployments: [{ uid, name, url, state, target, … }], pagination }
 *   GET    /v10/projects/:idOrName/env      { envs: [...] } (encrypted values stay encrypted)
 *   POST   /v10/projects/:idOrName/env      one variable or an array, `?upsert=true`;
 *                                           201 { created, failed: [{ error: { code, message, key } }] }
 *   DELETE /v9/projects/:idOrName/env/:id   the removed variable
 *
 * A deployment gets the project's variables of its target (`production`, or
 * `preview` for a deployment without a target) as they were when it was
 * created, decrypted, in `deployment.env`: what its functions see in
 * `process.env` on Vercel. Variables are checked per item as the API does:
 * a bad key, a reserved name (Vercel's list: AWS_SECRET_KEY, TZ, NOW_REGION,
 * LAMBDA_TASK_ROOT, …) or a variable that exists already without `upsert`
 * becomes a `failed` entry, the others are created (the codes of those
 * entries are the fake's own; a client quotes them, never matches on them).
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
  /** The project's variables of the deployment's target when it was created, decrypted: its runtime env. */
  env: Record<string, string>
  projectSettings: Record<string, unknown> | undefined
  meta: Record<string, string>
  events: VercelEvent[]
  script: VercelDeploymentScript
}

export type VercelEnvTarget = 'production' | 'preview' | 'development'

export interface FakeVercelEnv {
  id: string
  key: string
  /** The value as given (the API answers it encrypted). */
  value: string
  type: 'encrypted' | 'sensitive' | 'plain' | 'secret' | 'system'
  target: VercelEnvTarget[]
  comment?: string
  gitBranch?: string
  createdAt: number
  updatedAt: number
}

export interface FakeVercelProject {
  id: string
  name: string
  framework: string | null
  settings: Record<string, unknown>
  env: FakeVercelEnv[]
  createdAt: number
  updatedAt: number
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
const ENV_TARGETS = ['production', 'preview', 'development']
const ENV_TYPES = ['system', 'secret', 'encrypted', 'plain', 'sensitive']
const ENV_FIELDS = new Set(['key', 'value', 'type', 'target', 'gitBranch', 'comment', 'customEnvironmentIds'])
/** Names Vercel's function runtimes keep for themselves. */
export const VERCEL_RESERVED_ENV = [
  'AWS_SECRET_KEY',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'NOW_REGION',
  'TZ',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]
/** The create-project body fields the fake knows (v11). */
const PROJECT_FIELDS: Record<string, 'string' | 'boolean' | 'array'> = {
  name: 'string',
  framework: 'string',
  buildCommand: 'string',
  devCommand: 'string',
  installCommand: 'string',
  outputDirectory: 'string',
  rootDirectory: 'string',
  serverlessFunctionRegion: 'string',
  publicSource: 'boolean',
  skipGitConnectDuringLink: 'boolean',
  environmentVariables: 'array',
}

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
  /** Project id → the project, with its variables. */
  readonly projectsById = new Map<string, FakeVercelProject>()
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
    this.projectsById.clear()
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

  /** A project's variables (decrypted) for one target. */
  envOf(projectIdOrName: string, target: VercelEnvTarget): Record<string, string> {
    const project = this.#projectOrUndefined(projectIdOrName)
    const env: Record<string, string> = {}
    for (const variable of project?.env ?? []) if (variable.target.includes(target) && !variable.gitBranch) env[variable.key] = variable.value
    return env
  }

  #seedProjects(): void {
    for (const name of this.#initialProjects) this.#addProject(name, { framework: null })
  }

  #addProject(name: string, settings: Record<string, unknown>): FakeVercelProject {
    const now = Date.now()
    const project: FakeVercelProject = {
      id: `prj_${randomId(28)}`,
      name,
      framework: (settings.framework as string | null | undefined) ?? null,
      settings,
      env: [],
      createdAt: now,
      updatedAt: now,
    }
    this.projects.set(name, project.id)
    this.projectsById.set(project.id, project)
    return project
  }

  #projectOrUndefined(idOrName: string): FakeVercelProject | undefined {
    return this.projectsById.get(idOrName) ?? this.projectsById.get(this.projects.get(idOrName) ?? '')
  }

  #project(idOrName: string): FakeVercelProject {
    const project = this.#projectOrUndefined(idOrName)
    if (!project) throw new VercelError(404, 'not_found', 'Project not found')
    return project
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
    const received = await receiveRequest(req)
    if (!received) return
    const { body: parsed, jsonError, record } = received
    this.requests.push(record)
    const exchange = new Exchange(req, res, record)
    try {
      const answer = this.#handle(req, parsed, jsonError)
      if (answer.status === 204) {
        res.writeHead(204)
        res.end()
      } else exchange.json(answer.status, answer.body)
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
    if (route.name === 'projectCreate') return this.#createProject(body, jsonError)
    if (route.name === 'list') {
      const projectId = url.searchParams.get('projectId')
      const project = projectId ? this.#projectOrUndefined(projectId) : undefined
      if (projectId && !project) throw new VercelError(404, 'not_found', 'Project not found')
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 20) || 20, 100)
      const all = [...this.deployments.values()]
        .filter((d) => !d.deleted && (!project || d.projectId === project.id))
        .sort((a, b) => b.createdAt - a.createdAt)
      const page = all.slice(0, limit)
      return {
        status: 200,
        body: {
          pagination: { count: page.length, next: all.length > limit ? page.at(-1)!.createdAt : null, prev: null },
          deployments: page.map((d) => ({
            uid: d.id,
            name: d.name,
            url: d.url,
            created: d.createdAt,
            createdAt: d.createdAt,
            state: stateOf(d),
            readyState: stateOf(d),
            target: d.target,
            projectId: d.projectId,
            meta: d.meta,
          })),
        },
      }
    }
    if (route.name === 'project') {
      const project = this.#project(route.id!)
      if (method === 'GET') return { status: 200, body: this.#projectView(project) }
      this.projectsById.delete(project.id)
      this.projects.delete(project.name)
      for (const deployment of this.deployments.values()) if (deployment.projectId === project.id) deployment.deleted = true
      return { status: 204, body: undefined }
    }
    if (route.name === 'env') {
      const project = this.#project(route.id!)
      if (method === 'GET') return { status: 200, body: { envs: project.env.map(envView) } }
      return this.#upsertEnv(project, url, body, jsonError)
    }
    if (route.name === 'envById') {
      const project = this.#project(route.id!)
      const index = project.env.findIndex((e) => e.id === route.envId)
      if (index === -1) throw new VercelError(404, 'not_found', 'Environment Variable was not found')
      const [removed] = project.env.splice(index, 1)
      project.updatedAt = Date.now()
      return { status: 200, body: envView(removed) }
    }
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
    let project = request.project ? this.#projectOrUndefined(request.project) : this.#projectOrUndefined(name)
    if (request.project && !project) throw new VercelError(404, 'not_found', 'Project not found')
    if (!project) {
      const skip = url.searchParams.get('skipAutoDetectionConfirmation') === '1'
      if (!request.projectSettings && !skip) {
        throw new VercelError(
          400,
          'missing_project_settings',
          'The `projectSettings` object is required for new projects, but could not be determined. Please add it to the request body and try again.',
          { framework: null }
        )
      }
      project = this.#addProject(name, { ...(request.projectSettings ?? {}) })
    }
    const projectId = project.id

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
      env: this.envOf(projectId, request.target === 'production' ? 'production' : 'preview'),
      projectSettings: request.projectSettings,
      meta: request.meta ?? {},
      events: [],
      script,
    }
    this.deployments.set(id, deployment)
    this.#enterState(deployment)
    return { status: 200, body: this.#view(deployment) }
  }

  #createProject(body: unknown, jsonError: boolean): { status: number; body: unknown } {
    if (jsonError) throw new VercelError(400, 'bad_request', 'Invalid JSON in the request body.')
    if (!isObject(body)) throw invalid('should be object')
    for (const [key, value] of Object.entries(body)) {
      const type = PROJECT_FIELDS[key]
      if (!type) throw invalid(`should NOT have additional property \`${key}\``)
      if (value === null) continue
      if (type === 'array' ? !Array.isArray(value) : typeof value !== type) throw invalid(`\`${key}\` should be ${type}`)
    }
    if (typeof body.name !== 'string') throw invalid("should have required property 'name'")
    checkProjectName(body.name)
    if (typeof body.framework === 'string' && !FRAMEWORKS.has(body.framework)) {
      throw invalid('`framework` should be equal to one of the allowed values')
    }
    if (this.projects.has(body.name)) {
      throw new VercelError(409, 'conflict', `A project with the name "${body.name}" already exists.`)
    }
    const { name, ...settings } = body
    return { status: 200, body: this.#projectView(this.#addProject(name as string, settings)) }
  }

  #projectView(project: FakeVercelProject) {
    return {
      id: project.id,
      name: project.name,
      accountId: this.teamId ?? 'user_fake',
      framework: project.framework,
      buildCommand: project.settings.buildCommand ?? null,
      installCommand: project.settings.installCommand ?? null,
      outputDirectory: project.settings.outputDirectory ?? null,
      nodeVersion: '22.x',
      createdAt: project.createdAt,
      updatedAt: project.updatedAt,
      env: project.env.map(envView),
      latestDeployments: [...this.deployments.values()]
        .filter((d) => d.projectId === project.id && !d.deleted)
        .map((d) => ({ id: d.id, url: d.url, readyState: stateOf(d), target: d.target, createdAt: d.createdAt })),
    }
  }

  /** POST /v10/projects/:idOrName/env: the body is checked whole, then each variable on its own. */
  #upsertEnv(project: FakeVercelProject, url: URL, body: unknown, jsonError: boolean): { status: number; body: unknown } {
    if (jsonError) throw new VercelError(400, 'bad_request', 'Invalid JSON in the request body.')
    const upsert = url.searchParams.get('upsert') === 'true'
    const many = Array.isArray(body)
    const items = many ? (body as unknown[]) : [body]
    if (items.length === 0) throw invalid('should NOT have fewer than 1 items')
    items.forEach((item, i) => checkEnvItem(item, many ? `[${i}]` : ''))
    const created: unknown[] = []
    const failed: unknown[] = []
    for (const item of items as Array<Record<string, any>>) {
      const fail = (code: string, message: string) =>
        failed.push({ error: { code, message, key: item.key, envVarKey: item.key, target: item.target } })
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(item.key)) {
        fail('invalid_key', `The name of your Environment Variable "${item.key}" is invalid. It must contain only letters, digits and underscores, and not start with a digit.`)
        continue
      }
      if (VERCEL_RESERVED_ENV.includes(item.key)) {
        fail('reserved_key', `The name of your Environment Variable "${item.key}" is reserved.`)
        continue
      }
      if (item.type === 'sensitive' && item.target.includes('development')) {
        fail('bad_request', 'Sensitive Environment Variables cannot be created in the Development environment.')
        continue
      }
      const existing = project.env.find(
        (e) => e.key === item.key && (e.gitBranch ?? null) === (item.gitBranch ?? null) && e.target.some((t) => item.target.includes(t))
      )
      const now = Date.now()
      if (existing && !upsert) {
        fail('ENV_ALREADY_EXISTS', `A variable with the name \`${item.key}\` already exists for the target ${existing.target.join(',')}.`)
        continue
      }
      if (existing) {
        Object.assign(existing, { value: item.value, type: item.type, target: [...item.target], comment: item.comment, updatedAt: now })
        created.push(envView(existing))
        continue
      }
      const variable: FakeVercelEnv = {
        id: randomId(16),
        key: item.key,
        value: item.value,
        type: item.type,
        target: [...item.target],
        ...(item.comment !== undefined ? { comment: item.comment } : {}),
        ...(item.gitBranch ? { gitBranch: item.gitBranch } : {}),
        createdAt: now,
        updatedAt: now,
      }
      project.env.push(variable)
      created.push(envView(variable))
    }
    project.updatedAt = Date.now()
    return { status: 201, body: { created: many ? created : (created[0] ?? []), failed } }
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

/** A variable as the API shows it: encrypted and sensitive values never come back in the clear. */
function envView(variable: FakeVercelEnv) {
  const hidden = variable.type !== 'plain'
  return {
    id: variable.id,
    key: variable.key,
    value: hidden ? `enc:${Buffer.from(variable.value).toString('base64').split('').reverse().join('')}` : variable.value,
    type: variable.type,
    target: variable.target,
    ...(variable.gitBranch ? { gitBranch: variable.gitBranch } : {}),
    ...(variable.comment !== undefined ? { comment: variable.comment } : {}),
    configurationId: null,
    createdAt: variable.createdAt,
    updatedAt: variable.updatedAt,
    decrypted: false,
  }
}

function checkEnvItem(item: unknown, at: string): void {
  const where = (field: string) => `\`${at ? `${at}.` : ''}${field}\``
  if (!isObject(item)) throw invalid(`${at ? `\`${at}\` ` : ''}should be object`)
  for (const key of Object.keys(item)) {
    if (!ENV_FIELDS.has(key)) throw invalid(`${at ? `\`${at}\` ` : ''}should NOT have additional property \`${key}\``)
  }
  for (const field of ['key', 'value', 'type', 'target']) {
    if (!(field in item)) throw invalid(`${at ? `\`${at}\` ` : ''}should have required property '${field}'`)
  }
  if (typeof item.key !== 'string') throw invalid(`${where('key')} should be string`)
  if (typeof item.value !== 'string') throw invalid(`${where('value')} should be string`)
  if (typeof item.type !== 'string' || !ENV_TYPES.includes(item.type)) {
    throw invalid(`${where('type')} should be equal to one of the allowed values "${ENV_TYPES.join(', ')}"`)
  }
  if (!Array.isArray(item.target) || item.target.length === 0 || item.target.some((t) => !ENV_TARGETS.includes(t as string))) {
    throw invalid(`${where('target')} should be an array of "${ENV_TARGETS.join(', ')}"`)
  }
  if ('comment' in item && (typeof item.comment !== 'string' || item.comment.length > 500)) {
    throw invalid(`${where('comment')} should be string of at most 500 characters`)
  }
  if ('gitBranch' in item && typeof item.gitBranch !== 'string') throw invalid(`${where('gitBranch')} should be string`)
}

function checkProjectName(name: string): void {
  if (name.length > 100 || !/^[a-z0-9._-]+$/.test(name) || name.includes('---')) {
    throw new VercelError(
      400,
      'bad_request',
      "Project names can be up to 100 characters long and must be lowercase. They can include letters, digits, and the following characters: '.', '_', '-'. However, they cannot contain the sequence '---'."
    )
  }
}

function matchRoute(path: string): { name: string; methods: string[]; id?: string; envId?: string } | undefined {
  if (path === '/v13/deployments') return { name: 'create', methods: ['POST'] }
  if (path === '/v11/projects') return { name: 'projectCreate', methods: ['POST'] }
  if (path === '/v6/deployments') return { name: 'list', methods: ['GET'] }
  let project = /^\/v9\/projects\/([^/]+)$/.exec(path)
  if (project) return { name: 'project', methods: ['GET', 'DELETE'], id: decodeURIComponent(project[1]) }
  project = /^\/v10\/projects\/([^/]+)\/env$/.exec(path)
  if (project) return { name: 'env', methods: ['GET', 'POST'], id: decodeURIComponent(project[1]) }
  project = /^\/v9\/projects\/([^/]+)\/env\/([^/]+)$/.exec(path)
  if (project) return { name: 'envById', methods: ['DELETE'], id: decodeURIComponent(project[1]), envId: decodeURIComponent(project[2]) }
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
  project?: string
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
  checkProjectName(body.name)
  if ('project' in body && typeof body.project !== 'string') throw invalid('`project` should be string')
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
    project: body.project as string | undefined,
    files,
    projectSettings,
    target: body.target as CreateRequest['target'],
    meta: body.meta as Record<string, string> | undefined,
  }
}
