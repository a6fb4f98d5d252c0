import { LoopbackServer } from './loopback_server.js'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { Exchange, headerValue, isObject, randomId, receiveRequest, type RecordedRequest } from './fake_llm_server.js'

export type { RecordedRequest } from './fake_llm_server.js'

/**
 * A local stand-in for Railway's public GraphQL API
 * (`POST https://backboard.railway.com/graphql/v2`), and for the source
 * upload of `railway up` on the same host
 * (`POST /project/:projectId/environment/:environmentId/up?serviceId=`), for
 * the platform's deploy code driven with plain `fetch`.
 *
 *   const railway = new FakeRailwayServer({ token: 'rw-token' })
 *   await railway.start()
 *   fetch(railway.url, { method: 'POST', headers: { authorization: 'Bearer rw-token', ... },
 *     body: JSON.stringify({ query, variables }) })
 *   railway.advance(deploymentId)          // QUEUED → INITIALIZING → …
 *   railway.failNextBuild('npm ERR! …')    // the next deployment ends FAILED
 *   railway.rateLimitNext()                // the next request answers 429
 *   railway.failNextUpload(400, 'Service not found')
 *
 * The upload, as the CLI sends it (src/controllers/upload.rs of
 * railwayapp/cli): `Content-Type: application/gzip`, the Bearer token, a
 * gzipped tar whose entries are `./<path>`. The fake gunzips and reads the
 * tar (checksums included), keeps its files on the new deployment
 * (`deployment.files`), and answers as backboard does: 200
 * `{deploymentId, url, logsUrl, deploymentDomain}`; 400 `{message}` for a
 * request it rejects (unknown service, not a gzip tar); 413 with a plain-text
 * body above `maxUploadBytes`; 401 `{message: "Not Authorized"}` without a
 * valid token (the CLI only parses the 400 body: other statuses carry a short
 * message).
 *
 * Volumes: `volumeCreate(input: {projectId, environmentId, serviceId, mountPath})`
 * (one per service and environment, as Railway allows), `volumeDelete(volumeId)`,
 * listed with `project { volumes { edges { node { id volumeInstances { … } } } } }`;
 * deleting the project deletes them, deleting a service does not (the caller does).
 *
 * The document is parsed by a small GraphQL parser and checked against the
 * part of Railway's schema the fake knows: an unknown operation, field,
 * argument, input field or type is a GraphQL validation error, as it is for
 * real (so a typo cannot pass here and fail in production).
 */

export const RAILWAY_STATUSES = [
  'BUILDING',
  'CRASHED',
  'DEPLOYING',
  'FAILED',
  'INITIALIZING',
  'QUEUED',
  'REMOVED',
  'SKIPPED',
  'SLEEPING',
  'SUCCESS',
  'WAITING',
] as const
export type RailwayDeploymentStatus = (typeof RAILWAY_STATUSES)[number]

/** The statuses a deployment goes through, one `advance()` each. */
export const RAILWAY_HAPPY_TIMELINE: RailwayDeploymentStatus[] = [
  'QUEUED',
  'INITIALIZING',
  'BUILDING',
  'DEPLOYING',
  'SUCCESS',
]

export interface RailwayDeploymentScript {
  /** Statuses from creation on (first one is the status right after `serviceInstanceDeployV2`). */
  timeline?: RailwayDeploymentStatus[]
  /** Build log lines (info) played once BUILDING is reached. */
  buildLogs?: string[]
  /** Deploy log lines (info) played once DEPLOYING is reached. */
  deployLogs?: string[]
  /** The error line logged when the timeline ends FAILED (build log) or CRASHED (deploy log). */
  errorMessage?: string
}

export interface RailwayLog {
  message: string
  timestamp: string
  severity: 'info' | 'error'
}

export interface FakeRailwayDeployment {
  id: string
  serviceId: string
  environmentId: string
  projectId: string
  createdAt: string
  timeline: RailwayDeploymentStatus[]
  /** Index in `timeline` of the current status (unless removed). */
  step: number
  removed: boolean
  /** The files of the uploaded tarball (path without `./` → content); undefined for a repo/image deploy. */
  files?: Map<string, Buffer>
  buildLogs: RailwayLog[]
  deployLogs: RailwayLog[]
  script: RailwayDeploymentScript
}

export interface FakeRailwayService {
  id: string
  name: string
  projectId: string
  source: { repo?: string; image?: string } | null
  /** environmentId → variables */
  variables: Map<string, Record<string, string>>
  /** environmentId → the Railway-provided domain (at most one per service and environment). */
  domains: Map<string, { id: string; domain: string; createdAt: string }>
  /** environmentId → the service instance settings set with `serviceInstanceUpdate`. */
  settings: Map<string, Record<string, unknown>>
  deleted: boolean
}

/** A volume (`volumeCreate`): disk of a project, mounted into at most one service per environment. */
export interface FakeRailwayVolume {
  id: string
  name: string
  projectId: string
  createdAt: string
  instances: Array<{ id: string; serviceId: string | null; environmentId: string; mountPath: string }>
  deleted: boolean
}

export interface FakeRailwayProject {
  id: string
  name: string
  description: string | null
  workspaceId: string | null
  environments: Array<{ id: string; name: string }>
  deleted: boolean
}

export interface FakeRailwayServerOptions {
  /** The only token accepted as `Authorization: Bearer`. Default `railway-test-token`. */
  token?: string
  /** Every `deployment(id)` query moves that deployment one status on. Default false. */
  advanceOnPoll?: boolean
  /** Tarballs larger than this (gzipped) answer 413. Default 50 MB. */
  maxUploadBytes?: number
}

/** One scripted GraphQL error for the next call of a root field. */
interface ScriptedFieldError {
  field: string
  message: string
}

export class FakeRailwayServer {
  readonly requests: RecordedRequest[] = []
  readonly projects = new Map<string, FakeRailwayProject>()
  readonly services = new Map<string, FakeRailwayService>()
  readonly volumes = new Map<string, FakeRailwayVolume>()
  readonly deployments = new Map<string, FakeRailwayDeployment>()
  readonly token: string
  advanceOnPoll: boolean
  maxUploadBytes: number

  #http = new LoopbackServer('FakeRailwayServer', (req, res) => this.#onRequest(req, res))
  #scripts: RailwayDeploymentScript[] = []
  #rateLimits: Array<{ retryAfterSeconds: number }> = []
  #fieldErrors: ScriptedFieldError[] = []
  #uploadFailures: Array<{ status: number; message: string }> = []

  constructor(options: FakeRailwayServerOptions = {}) {
    this.token = options.token ?? 'railway-test-token'
    this.advanceOnPoll = options.advanceOnPoll ?? false
    this.maxUploadBytes = options.maxUploadBytes ?? 50 * 1024 * 1024
  }

  start(): Promise<void> {
    return this.#http.start()
  }

  close(): Promise<void> {
    return this.#http.close()
  }

  /** `http://127.0.0.1:PORT`. */
  get origin(): string {
    return this.#http.origin
  }

  /** The GraphQL endpoint, `http://127.0.0.1:PORT/graphql/v2` (the real one is on backboard.railway.com). */
  get url(): string {
    return `${this.origin}/graphql/v2`
  }

  /** Forgets requests, resources and scripts, keeping the server up. */
  reset(): void {
    this.requests.length = 0
    this.projects.clear()
    this.services.clear()
    this.volumes.clear()
    this.deployments.clear()
    this.#scripts.length = 0
    this.#rateLimits.length = 0
    this.#fieldErrors.length = 0
    this.#uploadFailures.length = 0
  }

  /** The next upload answers `status` (400: `{message}`, others: the message as text). */
  failNextUpload(status: number, message: string): this {
    this.#uploadFailures.push({ status, message })
    return this
  }

  /** The Railway-provided domain of a service in an environment, if it has one. */
  domainOf(serviceId: string, environmentId: string): string | undefined {
    return this.services.get(serviceId)?.domains.get(environmentId)?.domain
  }

  /** Scripts the next deployment created (queued, one per `serviceInstanceDeployV2`). */
  scriptNextDeployment(script: RailwayDeploymentScript): this {
    for (const status of script.timeline ?? []) {
      if (!RAILWAY_STATUSES.includes(status)) throw new Error(`FakeRailwayServer: unknown status ${status}`)
    }
    if (script.timeline && script.timeline.length === 0) throw new Error('FakeRailwayServer: empty timeline')
    this.#scripts.push(script)
    return this
  }

  /** The next deployment's build fails: QUEUED → INITIALIZING → BUILDING → FAILED, `message` in the build logs. */
  failNextBuild(message: string): this {
    return this.scriptNextDeployment({
      timeline: ['QUEUED', 'INITIALIZING', 'BUILDING', 'FAILED'],
      errorMessage: message,
    })
  }

  /** The next deployment builds, then crashes: … DEPLOYING → CRASHED, `message` in the deploy logs. */
  crashNextDeployment(message: string): this {
    return this.scriptNextDeployment({
      timeline: ['QUEUED', 'INITIALIZING', 'BUILDING', 'DEPLOYING', 'CRASHED'],
      errorMessage: message,
    })
  }

  /** The next `count` requests (any operation) answer HTTP 429 with the rate-limit headers. */
  rateLimitNext(options: { retryAfterSeconds?: number; count?: number } = {}): this {
    for (let i = 0; i < (options.count ?? 1); i++) {
      this.#rateLimits.push({ retryAfterSeconds: options.retryAfterSeconds ?? 30 })
    }
    return this
  }

  /** The next call of root field `field` (e.g. `serviceCreate`) answers a GraphQL error with `message`. */
  failNextCall(field: string, message: string): this {
    this.#fieldErrors.push({ field, message })
    return this
  }

  /** Moves a deployment `steps` statuses on along its timeline (stops at the last); its new status. */
  advance(id: string, steps = 1): RailwayDeploymentStatus {
    const deployment = this.#deployment(id)
    for (let i = 0; i < steps && !deployment.removed && deployment.step < deployment.timeline.length - 1; i++) {
      deployment.step++
      this.#enterStatus(deployment)
    }
    return statusOf(deployment)
  }

  /** Plays a deployment's timeline to its end; its final status. */
  settle(id: string): RailwayDeploymentStatus {
    const deployment = this.#deployment(id)
    return this.advance(id, deployment.timeline.length)
  }

  status(id: string): RailwayDeploymentStatus {
    return statusOf(this.#deployment(id))
  }

  /** Variables of a service in an environment, as upserted. */
  variablesOf(serviceId: string, environmentId: string): Record<string, string> {
    return { ...(this.services.get(serviceId)?.variables.get(environmentId) ?? {}) }
  }

  #deployment(id: string): FakeRailwayDeployment {
    const deployment = this.deployments.get(id)
    if (!deployment) throw new Error(`FakeRailwayServer: no deployment ${id}`)
    return deployment
  }

  /** Logs what the new status implies, and retires older successful deployments on SUCCESS. */
  #enterStatus(deployment: FakeRailwayDeployment): void {
    const status = statusOf(deployment)
    const log = (into: RailwayLog[], message: string, severity: RailwayLog['severity'] = 'info') =>
      into.push({ message, severity, timestamp: new Date().toISOString() })
    if (status === 'INITIALIZING') log(deployment.buildLogs, 'Initialization complete')
    if (status === 'BUILDING') {
      const lines = deployment.script.buildLogs ?? ['Using Nixpacks', 'npm ci', 'npm run build', 'Build time: 12.3 seconds']
      for (const line of lines) log(deployment.buildLogs, line)
    }
    if (status === 'FAILED') log(deployment.buildLogs, deployment.script.errorMessage ?? 'Build failed', 'error')
    if (status === 'DEPLOYING') {
      log(deployment.deployLogs, 'Starting Container')
      for (const line of deployment.script.deployLogs ?? []) log(deployment.deployLogs, line)
    }
    if (status === 'CRASHED') {
      log(deployment.deployLogs, deployment.script.errorMessage ?? 'Process exited with code 1', 'error')
    }
    if (status === 'SUCCESS') {
      for (const other of this.deployments.values()) {
        if (
          other !== deployment &&
          other.serviceId === deployment.serviceId &&
          other.environmentId === deployment.environmentId &&
          statusOf(other) === 'SUCCESS'
        ) {
          other.removed = true
        }
      }
    }
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const upload = UPLOAD_PATH.test((req.url ?? '/').split('?')[0])
    const received = await receiveRequest(req, { binary: upload })
    if (!received) return
    const { raw, body: parsed, record } = received
    this.requests.push(record)
    const exchange = new Exchange(req, res, record)
    try {
      if (upload) this.#handleUpload(exchange, raw)
      else this.#handle(exchange, parsed)
    } catch (error) {
      console.error('FakeRailwayServer failed:', error)
      if (!res.headersSent) exchange.json(500, { fake_server_error: String(error) })
    }
  }

  /** The upload of `railway up`: a gzipped tarball becomes a new deployment of the service. */
  #handleUpload(exchange: Exchange, raw: Buffer): void {
    const { req, res } = exchange
    const url = new URL(req.url ?? '/', 'http://fake')
    const [, projectId, environmentId] = UPLOAD_PATH.exec(url.pathname)!.map(decodeURIComponent)
    const text = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }
    if (req.method !== 'POST') return exchange.json(405, { message: 'Method Not Allowed' }, { allow: 'POST' })
    const authorization = headerValue(req.headers, 'authorization')
    const token = authorization && /^Bearer\s+/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '') : undefined
    if (token !== this.token) return exchange.json(401, { message: 'Not Authorized' })
    const limit = this.#rateLimits.shift()
    if (limit) {
      return exchange.json(
        429,
        { message: 'Rate limit exceeded. Please try again later.' },
        { 'retry-after': String(limit.retryAfterSeconds), 'x-ratelimit-remaining': '0' }
      )
    }
    const failure = this.#uploadFailures.shift()
    if (failure) return failure.status === 400 ? exchange.json(400, { message: failure.message }) : text(failure.status, failure.message)
    if (raw.length > this.maxUploadBytes) return text(413, 'Request Entity Too Large')
    const project = this.projects.get(projectId)
    if (!project || project.deleted) return exchange.json(400, { message: 'Project not found' })
    if (!project.environments.some((e) => e.id === environmentId)) return exchange.json(400, { message: 'Environment not found' })
    const serviceId = url.searchParams.get('serviceId')
    if (!serviceId) return exchange.json(400, { message: 'A service is required: pass serviceId' })
    const service = this.services.get(serviceId)
    if (!service || service.deleted || service.projectId !== project.id) return exchange.json(400, { message: 'Service not found' })
    const contentType = headerValue(req.headers, 'content-type') ?? ''
    if (!contentType.includes('application/gzip')) return exchange.json(400, { message: 'Expected a gzipped tarball (Content-Type: application/gzip)' })
    let files: Map<string, Buffer>
    try {
      files = readTar(gunzipSync(raw))
    } catch (error) {
      return exchange.json(400, { message: `Invalid tarball: ${(error as Error).message}` })
    }
    const deployment = this.#createDeployment(service, environmentId)
    deployment.files = files
    const base = `https://railway.com/project/${project.id}/service/${service.id}`
    exchange.json(200, {
      deploymentId: deployment.id,
      url: `${base}?environmentId=${environmentId}`,
      logsUrl: `${base}?id=${deployment.id}&environmentId=${environmentId}`,
      deploymentDomain: service.domains.get(environmentId)?.domain ?? '',
    })
  }

  #createDeployment(service: FakeRailwayService, environmentId: string): FakeRailwayDeployment {
    const script = this.#scripts.shift() ?? {}
    const deployment: FakeRailwayDeployment = {
      id: randomUUID(),
      serviceId: service.id,
      environmentId,
      projectId: service.projectId,
      createdAt: new Date().toISOString(),
      timeline: script.timeline ?? RAILWAY_HAPPY_TIMELINE,
      step: 0,
      removed: false,
      buildLogs: [],
      deployLogs: [],
      script,
    }
    this.deployments.set(deployment.id, deployment)
    this.#enterStatus(deployment)
    return deployment
  }

  #handle(exchange: Exchange, body: unknown): void {
    const { req } = exchange
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/graphql/v2') return exchange.json(404, { errors: [{ message: 'Not Found' }] })
    if (req.method !== 'POST') {
      return exchange.json(405, { errors: [{ message: 'Only POST requests are supported' }] }, { allow: 'POST' })
    }

    const limit = this.#rateLimits.shift()
    if (limit) {
      const reset = Math.ceil(Date.now() / 1000) + limit.retryAfterSeconds
      return exchange.json(
        429,
        { errors: [{ message: 'Rate limit exceeded. Please try again later.', extensions: { code: 'RATE_LIMITED' } }] },
        {
          'retry-after': String(limit.retryAfterSeconds),
          'x-ratelimit-limit': '1000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        }
      )
    }

    const contentType = headerValue(req.headers, 'content-type') ?? ''
    if (!contentType.includes('application/json') || !isObject(body)) {
      return gqlRequestError(exchange, 'POST body missing, invalid Content-Type, or JSON object has no keys.')
    }
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      return gqlRequestError(exchange, 'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.')
    }
    if (body.variables !== undefined && body.variables !== null && !isObject(body.variables)) {
      return gqlRequestError(exchange, '`variables` in a POST body should be provided as an object.')
    }
    if (body.operationName !== undefined && body.operationName !== null && typeof body.operationName !== 'string') {
      return gqlRequestError(exchange, '`operationName` in a POST body must be a string if provided.')
    }

    let document: Document
    try {
      document = parseDocument(body.query)
    } catch (error) {
      if (error instanceof GqlError) return gqlErrors(exchange, 400, [error.toJSON('GRAPHQL_PARSE_FAILED')])
      throw error
    }
    const operation = pickOperation(document, body.operationName as string | undefined)
    if (operation instanceof GqlError) return gqlErrors(exchange, 400, [operation.toJSON('GRAPHQL_VALIDATION_FAILED')])
    const invalid = validate(document, operation)
    if (invalid.length > 0) {
      return gqlErrors(exchange, 400, invalid.map((error) => error.toJSON('GRAPHQL_VALIDATION_FAILED')))
    }
    const variables = coerceVariables(operation, (body.variables as Record<string, unknown> | undefined) ?? {})
    if (variables instanceof GqlError) return gqlErrors(exchange, 400, [variables.toJSON('BAD_USER_INPUT')])

    const rootType = operation.kind === 'mutation' ? 'Mutation' : 'Query'
    if (operation.kind === 'subscription') {
      return gqlErrors(exchange, 400, [new GqlError('Subscriptions are only supported over WebSocket', operation.loc).toJSON('BAD_REQUEST')])
    }
    const fields = collectFields(document, operation.selections)

    // Authentication: every operation of the fake needs a token; the real API
    // answers "Not Authorized" as a GraphQL error (HTTP 200), path on the first field.
    const authorization = headerValue(req.headers, 'authorization')
    const token = authorization && /^Bearer\s+/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '') : undefined
    if (token !== this.token) {
      const first = fields[0]
      return exchange.json(200, {
        errors: [
          {
            message: 'Not Authorized',
            locations: [first.loc],
            path: [first.alias ?? first.name],
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          },
        ],
        data: null,
      })
    }

    const data: Record<string, unknown> = {}
    const errors: Array<Record<string, unknown>> = []
    let nulled = false
    for (const field of fields) {
      const key = field.alias ?? field.name
      if (field.name === '__typename') {
        data[key] = rootType
        continue
      }
      const def = SCHEMA[rootType][field.name]
      try {
        const args = coerceArguments(field, def, variables)
        const scripted = this.#fieldErrors.findIndex((e) => e.field === field.name)
        if (scripted >= 0) {
          const [failure] = this.#fieldErrors.splice(scripted, 1)
          throw new GqlError(failure.message)
        }
        const value = this.#resolve(rootType, field.name, args)
        data[key] = complete(document, def.type, value, field.selections)
      } catch (error) {
        if (!(error instanceof GqlError)) throw error
        errors.push({ ...error.toJSON('INTERNAL_SERVER_ERROR'), locations: [field.loc], path: [key] })
        data[key] = null
        if (def.type.endsWith('!')) nulled = true
      }
    }
    const answer: Record<string, unknown> = errors.length > 0 ? { errors } : {}
    answer.data = nulled ? null : data
    exchange.json(200, answer)
  }

  #resolve(rootType: 'Query' | 'Mutation', field: string, args: Record<string, any>): unknown {
    if (rootType === 'Query') {
      if (field === 'deployment') {
        const deployment = this.deployments.get(args.id)
        if (!deployment) throw new GqlError('Deployment not found')
        if (this.advanceOnPoll) this.advance(deployment.id)
        return deploymentView(deployment, this.domainOf(deployment.serviceId, deployment.environmentId))
      }
      if (field === 'buildLogs' || field === 'deploymentLogs') {
        const deployment = this.deployments.get(args.deploymentId)
        if (!deployment) throw new GqlError('Deployment not found')
        const logs = field === 'buildLogs' ? deployment.buildLogs : deployment.deployLogs
        const limit = typeof args.limit === 'number' ? args.limit : undefined
        const selected = limit !== undefined ? logs.slice(Math.max(0, logs.length - limit)) : logs
        return selected.map((entry) => ({ ...entry, attributes: [{ key: 'level', value: entry.severity }] }))
      }
      if (field === 'project') return projectView(this.#project(args.id), this.services, this.volumes)
      if (field === 'service') return serviceView(this.#service(args.id))
      if (field === 'projects') {
        const workspaceId = typeof args.workspaceId === 'string' ? args.workspaceId : null
        const nodes = [...this.projects.values()].filter((p) => !p.deleted && (workspaceId === null || p.workspaceId === workspaceId))
        return { edges: nodes.map((p) => ({ node: projectView(p, this.services, this.volumes) })) }
      }
      if (field === 'domains') {
        const project = this.#project(args.projectId)
        if (!project.environments.some((e) => e.id === args.environmentId)) throw new GqlError('Environment not found')
        const service = this.#service(args.serviceId)
        if (service.projectId !== project.id) throw new GqlError('Not Authorized')
        const domain = service.domains.get(args.environmentId)
        return {
          serviceDomains: domain ? [domainView(domain, service, args.environmentId)] : [],
          customDomains: [],
        }
      }
    }
    if (field === 'projectCreate') {
      const input = args.input ?? {}
      const project: FakeRailwayProject = {
        id: randomUUID(),
        name: input.name ?? `fake-${randomId(6).toLowerCase()}`,
        description: input.description ?? null,
        workspaceId: input.workspaceId ?? null,
        environments: [{ id: randomUUID(), name: input.defaultEnvironmentName ?? 'production' }],
        deleted: false,
      }
      this.projects.set(project.id, project)
      return projectView(project, this.services, this.volumes)
    }
    if (field === 'serviceCreate') {
      const input = args.input
      const project = this.#project(input.projectId)
      if (input.environmentId && !project.environments.some((e) => e.id === input.environmentId)) {
        throw new GqlError('Environment not found')
      }
      const source = input.source ?? null
      if (source && !source.repo && !source.image) throw new GqlError('Service source must have a repo or an image')
      const service: FakeRailwayService = {
        id: randomUUID(),
        name: input.name ?? (source?.repo ? String(source.repo).split('/').pop()! : `service-${randomId(4).toLowerCase()}`),
        projectId: project.id,
        source,
        variables: new Map(),
        domains: new Map(),
        settings: new Map(),
        deleted: false,
      }
      if (input.variables) {
        for (const environment of project.environments) service.variables.set(environment.id, { ...input.variables })
      }
      this.services.set(service.id, service)
      return serviceView(service)
    }
    if (field === 'variableCollectionUpsert') {
      const input = args.input
      const project = this.#project(input.projectId)
      if (!project.environments.some((e) => e.id === input.environmentId)) throw new GqlError('Environment not found')
      if (input.serviceId === undefined || input.serviceId === null) return true // shared variables: not tracked
      const service = this.#service(input.serviceId)
      const current = input.replace === true ? {} : (service.variables.get(input.environmentId) ?? {})
      service.variables.set(input.environmentId, { ...current, ...input.variables })
      return true
    }
    if (field === 'serviceInstanceDeployV2') {
      const service = this.#service(args.serviceId)
      const project = this.#project(service.projectId)
      if (!project.environments.some((e) => e.id === args.environmentId)) throw new GqlError('Environment not found')
      if (!service.source) throw new GqlError('Service has no source to deploy')
      return this.#createDeployment(service, args.environmentId).id
    }
    if (field === 'serviceDomainCreate') {
      const input = args.input
      const service = this.#service(input.serviceId)
      const project = this.#project(service.projectId)
      const environment = project.environments.find((e) => e.id === input.environmentId)
      if (!environment) throw new GqlError('Environment not found')
      if (service.domains.has(environment.id)) throw new GqlError('Services can only have one Railway-provided domain')
      const domain = {
        id: randomUUID(),
        domain: `${slug(service.name)}-${slug(environment.name)}-${randomId(4).toLowerCase()}.up.railway.app`,
        createdAt: new Date().toISOString(),
      }
      service.domains.set(environment.id, domain)
      return domainView(domain, service, environment.id)
    }
    if (field === 'serviceInstanceUpdate') {
      const service = this.#service(args.serviceId)
      const project = this.#project(service.projectId)
      const environmentId = args.environmentId ?? project.environments[0].id
      if (!project.environments.some((e) => e.id === environmentId)) throw new GqlError('Environment not found')
      service.settings.set(environmentId, { ...(service.settings.get(environmentId) ?? {}), ...args.input })
      return true
    }
    if (field === 'volumeCreate') {
      // As the real API: a project, a mount path, and optionally the service (and environment) it is mounted into.
      const input = args.input
      const project = this.#project(input.projectId)
      const environmentId = input.environmentId ?? project.environments[0].id
      if (!project.environments.some((e) => e.id === environmentId)) throw new GqlError('Environment not found')
      if (typeof input.mountPath !== 'string' || !input.mountPath.startsWith('/')) throw new GqlError('Mount path must be an absolute path')
      if (input.serviceId) {
        const service = this.#service(input.serviceId)
        if (service.projectId !== project.id) throw new GqlError('Not Authorized')
        const taken = [...this.volumes.values()].some((v) => !v.deleted && v.instances.some((i) => i.serviceId === service.id && i.environmentId === environmentId))
        if (taken) throw new GqlError('Service already has a volume attached')
      }
      const volume: FakeRailwayVolume = {
        id: randomUUID(),
        name: `${randomId(6).toLowerCase()}-volume`,
        projectId: project.id,
        createdAt: new Date().toISOString(),
        instances: [{ id: randomUUID(), serviceId: input.serviceId ?? null, environmentId, mountPath: input.mountPath }],
        deleted: false,
      }
      this.volumes.set(volume.id, volume)
      return volumeView(volume)
    }
    if (field === 'volumeDelete') {
      const volume = typeof args.volumeId === 'string' ? this.volumes.get(args.volumeId) : undefined
      if (!volume || volume.deleted) throw new GqlError('Not Authorized')
      volume.deleted = true
      return true
    }
    if (field === 'projectDelete') {
      const project = this.#project(args.id)
      project.deleted = true
      for (const volume of this.volumes.values()) if (volume.projectId === project.id) volume.deleted = true
      for (const service of this.services.values()) {
        if (service.projectId !== project.id) continue
        service.deleted = true
        for (const deployment of this.deployments.values()) if (deployment.serviceId === service.id) deployment.removed = true
      }
      return true
    }
    if (field === 'deploymentRemove') {
      const deployment = this.deployments.get(args.id)
      if (!deployment) throw new GqlError('Deployment not found')
      deployment.removed = true
      return true
    }
    if (field === 'serviceDelete') {
      const service = this.#service(args.id)
      service.deleted = true
      for (const deployment of this.deployments.values()) {
        if (deployment.serviceId === service.id) deployment.removed = true
      }
      return true
    }
    throw new Error(`FakeRailwayServer: no resolver for ${rootType}.${field}`)
  }

  /** The real API answers "Not Authorized" for ids the token cannot see, existing or not. */
  #project(id: unknown): FakeRailwayProject {
    const project = typeof id === 'string' ? this.projects.get(id) : undefined
    if (!project || project.deleted) throw new GqlError('Not Authorized')
    return project
  }

  #service(id: unknown): FakeRailwayService {
    const service = typeof id === 'string' ? this.services.get(id) : undefined
    if (!service || service.deleted) throw new GqlError('Not Authorized')
    return service
  }
}

const UPLOAD_PATH = /^\/project\/([^/]+)\/environment\/([^/]+)\/up$/

/**
 * Reads a tar archive (ustar, with PAX `path` records and GNU long names):
 * regular files only, names without the leading `./`. Throws on a broken
 * archive (bad checksum, truncated entry) or a path leaving the archive.
 */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  let offset = 0
  let longName: string | undefined
  const field = (block: Buffer, start: number, length: number) => {
    const raw = block.subarray(start, start + length)
    const end = raw.indexOf(0)
    return raw.subarray(0, end === -1 ? length : end).toString('utf8')
  }
  const octal = (block: Buffer, start: number, length: number) => {
    const text = field(block, start, length).trim()
    if (!/^[0-7]*$/.test(text)) throw new Error('not a tar archive (bad number field)')
    return text === '' ? 0 : parseInt(text, 8)
  }
  let ended = false
  while (offset + 512 <= archive.length) {
    const block = archive.subarray(offset, offset + 512)
    if (block.every((byte) => byte === 0)) {
      ended = true
      break
    }
    let sum = 0
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]
    if (sum !== octal(block, 148, 8)) throw new Error('not a tar archive (header checksum mismatch)')
    const size = octal(block, 124, 12)
    const type = String.fromCharCode(block[156] || 48)
    const start = offset + 512
    if (start + size > archive.length) throw new Error('truncated tar entry')
    const content = archive.subarray(start, start + size)
    offset = start + Math.ceil(size / 512) * 512
    if (type === 'x') {
      const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(content.toString('utf8'))
      if (match) longName = match[1]
      continue
    }
    if (type === 'L') {
      longName = content.toString('utf8').replace(/\0+$/, '')
      continue
    }
    const prefix = field(block, 345, 155)
    const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100))
    longName = undefined
    if (type !== '0') continue // folders, links: nothing to keep
    const path = name.replace(/^(\.\/)+/, '')
    if (path === '' || path.startsWith('/') || path.split('/').includes('..')) throw new Error(`entry outside the archive: ${name}`)
    files.set(path, Buffer.from(content))
  }
  if (!ended) throw new Error('no end-of-archive marker')
  return files
}

function statusOf(deployment: FakeRailwayDeployment): RailwayDeploymentStatus {
  return deployment.removed ? 'REMOVED' : deployment.timeline[deployment.step]
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'service'
}

function domainView(domain: { id: string; domain: string; createdAt: string }, service: FakeRailwayService, environmentId: string) {
  return {
    ...domain,
    suffix: 'up.railway.app',
    serviceId: service.id,
    environmentId,
    projectId: service.projectId,
    targetPort: null,
    updatedAt: domain.createdAt,
  }
}

function deploymentView(deployment: FakeRailwayDeployment, domain: string | undefined) {
  const status = statusOf(deployment)
  return {
    id: deployment.id,
    status,
    createdAt: deployment.createdAt,
    serviceId: deployment.serviceId,
    environmentId: deployment.environmentId,
    projectId: deployment.projectId,
    // Hostnames without a scheme, as the real API gives them: the service's
    // Railway-provided domain, none without one.
    staticUrl: domain ?? null,
    url: domain ?? null,
    canRedeploy: status !== 'REMOVED',
    canRollback: false,
    deploymentStopped: status === 'REMOVED',
    meta: {},
  }
}

function serviceView(service: FakeRailwayService) {
  return { id: service.id, name: service.name, projectId: service.projectId, createdAt: new Date().toISOString() }
}

function volumeView(volume: FakeRailwayVolume) {
  return {
    id: volume.id,
    name: volume.name,
    projectId: volume.projectId,
    createdAt: volume.createdAt,
    volumeInstances: { edges: volume.instances.map((instance) => ({ node: { ...instance, volumeId: volume.id, state: 'READY', currentSizeMB: 0, sizeMB: 5000 } })) },
  }
}

function projectView(project: FakeRailwayProject, services: Map<string, FakeRailwayService>, volumes: Map<string, FakeRailwayVolume> = new Map()) {
  const edges = <T>(nodes: T[]) => ({ edges: nodes.map((node) => ({ node })) })
  return {
    volumes: edges([...volumes.values()].filter((v) => v.projectId === project.id && !v.deleted).map(volumeView)),
    id: project.id,
    name: project.name,
    description: project.description,
    createdAt: new Date().toISOString(),
    environments: edges(project.environments.map((e) => ({ ...e, projectId: project.id }))),
    services: edges([...services.values()].filter((s) => s.projectId === project.id && !s.deleted).map(serviceView)),
  }
}

// ---------------------------------------------------------------------------
// The schema subset the fake knows (names and types as in Railway's schema).

interface FieldDef {
  type: string
  args?: Record<string, string>
}

const LOG_ARGS = {
  deploymentId: 'String!',
  limit: 'Int',
  filter: 'String',
  startDate: 'DateTime',
  endDate: 'DateTime',
}

const SCHEMA: Record<string, Record<string, FieldDef>> = {
  Query: {
    deployment: { type: 'Deployment!', args: { id: 'String!' } },
    buildLogs: { type: '[Log!]!', args: LOG_ARGS },
    deploymentLogs: { type: '[Log!]!', args: LOG_ARGS },
    project: { type: 'Project!', args: { id: 'String!' } },
    projects: {
      type: 'QueryProjectsConnection!',
      args: { workspaceId: 'String', first: 'Int', after: 'String', includeDeleted: 'Boolean', userId: 'String' },
    },
    service: { type: 'Service!', args: { id: 'String!' } },
    domains: { type: 'AllDomains!', args: { projectId: 'String!', environmentId: 'String!', serviceId: 'String!' } },
  },
  Mutation: {
    projectCreate: { type: 'Project!', args: { input: 'ProjectCreateInput!' } },
    serviceCreate: { type: 'Service!', args: { input: 'ServiceCreateInput!' } },
    variableCollectionUpsert: { type: 'Boolean!', args: { input: 'VariableCollectionUpsertInput!' } },
    serviceInstanceDeployV2: {
      type: 'String!',
      args: { serviceId: 'String!', environmentId: 'String!', commitSha: 'String' },
    },
    deploymentRemove: { type: 'Boolean!', args: { id: 'String!' } },
    serviceDelete: { type: 'Boolean!', args: { id: 'String!', environmentId: 'String' } },
    serviceDomainCreate: { type: 'ServiceDomain!', args: { input: 'ServiceDomainCreateInput!' } },
    serviceInstanceUpdate: {
      type: 'Boolean!',
      args: { serviceId: 'String!', environmentId: 'String', input: 'ServiceInstanceUpdateInput!' },
    },
    projectDelete: { type: 'Boolean!', args: { id: 'String!' } },
    volumeCreate: { type: 'Volume!', args: { input: 'VolumeCreateInput!' } },
    volumeDelete: { type: 'Boolean!', args: { volumeId: 'String!' } },
  },
  Deployment: {
    id: { type: 'String!' },
    status: { type: 'DeploymentStatus!' },
    url: { type: 'String' },
    staticUrl: { type: 'String' },
    createdAt: { type: 'DateTime!' },
    serviceId: { type: 'String' },
    environmentId: { type: 'String!' },
    projectId: { type: 'String!' },
    canRedeploy: { type: 'Boolean!' },
    canRollback: { type: 'Boolean!' },
    deploymentStopped: { type: 'Boolean!' },
    meta: { type: 'JSON' },
  },
  Log: {
    message: { type: 'String!' },
    timestamp: { type: 'DateTime!' },
    severity: { type: 'String' },
    attributes: { type: '[LogAttribute!]!' },
  },
  LogAttribute: { key: { type: 'String!' }, value: { type: 'String!' } },
  Project: {
    id: { type: 'String!' },
    name: { type: 'String!' },
    description: { type: 'String' },
    createdAt: { type: 'DateTime!' },
    environments: { type: 'ProjectEnvironmentsConnection!', args: { first: 'Int', after: 'String' } },
    services: { type: 'ProjectServicesConnection!', args: { first: 'Int', after: 'String' } },
    volumes: { type: 'ProjectVolumesConnection!', args: { first: 'Int', after: 'String' } },
  },
  ProjectVolumesConnection: { edges: { type: '[ProjectVolumesConnectionEdge!]!' } },
  ProjectVolumesConnectionEdge: { node: { type: 'Volume!' } },
  Volume: {
    id: { type: 'String!' },
    name: { type: 'String!' },
    projectId: { type: 'String!' },
    createdAt: { type: 'DateTime!' },
    volumeInstances: { type: 'VolumeVolumeInstancesConnection!', args: { first: 'Int', after: 'String' } },
  },
  VolumeVolumeInstancesConnection: { edges: { type: '[VolumeVolumeInstancesConnectionEdge!]!' } },
  VolumeVolumeInstancesConnectionEdge: { node: { type: 'VolumeInstance!' } },
  VolumeInstance: {
    id: { type: 'String!' },
    mountPath: { type: 'String!' },
    serviceId: { type: 'String' },
    environmentId: { type: 'String!' },
    volumeId: { type: 'String!' },
    state: { type: 'String' },
    currentSizeMB: { type: 'Float!' },
    sizeMB: { type: 'Int!' },
  },
  ProjectEnvironmentsConnection: { edges: { type: '[ProjectEnvironmentsConnectionEdge!]!' } },
  ProjectEnvironmentsConnectionEdge: { node: { type: 'Environment!' } },
  ProjectServicesConnection: { edges: { type: '[ProjectServicesConnectionEdge!]!' } },
  ProjectServicesConnectionEdge: { node: { type: 'Service!' } },
  Environment: { id: { type: 'String!' }, name: { type: 'String!' }, projectId: { type: 'String!' } },
  QueryProjectsConnection: { edges: { type: '[QueryProjectsConnectionEdge!]!' } },
  QueryProjectsConnectionEdge: { node: { type: 'Project!' } },
  AllDomains: { serviceDomains: { type: '[ServiceDomain!]!' }, customDomains: { type: '[CustomDomain!]!' } },
  ServiceDomain: {
    id: { type: 'String!' },
    domain: { type: 'String!' },
    suffix: { type: 'String' },
    serviceId: { type: 'String!' },
    environmentId: { type: 'String!' },
    projectId: { type: 'String' },
    targetPort: { type: 'Int' },
    createdAt: { type: 'DateTime' },
    updatedAt: { type: 'DateTime' },
  },
  CustomDomain: { id: { type: 'String!' }, domain: { type: 'String!' } },
  Service: {
    id: { type: 'String!' },
    name: { type: 'String!' },
    projectId: { type: 'String!' },
    createdAt: { type: 'DateTime!' },
  },
}

const INPUT_TYPES: Record<string, Record<string, string>> = {
  ProjectCreateInput: {
    name: 'String',
    description: 'String',
    workspaceId: 'String',
    teamId: 'String',
    defaultEnvironmentName: 'String',
    isPublic: 'Boolean',
    prDeploys: 'Boolean',
  },
  ServiceCreateInput: {
    projectId: 'String!',
    name: 'String',
    environmentId: 'String',
    source: 'ServiceSourceInput',
    branch: 'String',
    variables: 'EnvironmentVariables',
    icon: 'String',
    templateServiceId: 'String',
  },
  ServiceSourceInput: { repo: 'String', image: 'String' },
  ServiceDomainCreateInput: { serviceId: 'String!', environmentId: 'String!', targetPort: 'Int' },
  ServiceInstanceUpdateInput: {
    buildCommand: 'String',
    startCommand: 'String',
    healthcheckPath: 'String',
    healthcheckTimeout: 'Int',
    rootDirectory: 'String',
    numReplicas: 'Int',
    sleepApplication: 'Boolean',
    cronSchedule: 'String',
    railwayConfigFile: 'String',
    region: 'String',
    watchPatterns: '[String!]',
    source: 'ServiceSourceInput',
  },
  VolumeCreateInput: { projectId: 'String!', environmentId: 'String', serviceId: 'String', mountPath: 'String!', region: 'String' },
  VariableCollectionUpsertInput: {
    projectId: 'String!',
    environmentId: 'String!',
    serviceId: 'String',
    variables: 'EnvironmentVariables!',
    replace: 'Boolean',
    skipDeploys: 'Boolean',
  },
}

const SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID', 'DateTime', 'JSON', 'EnvironmentVariables'])
const ENUMS: Record<string, readonly string[]> = { DeploymentStatus: RAILWAY_STATUSES }

function namedType(type: string): string {
  return type.replace(/[[\]!]/g, '')
}

// ---------------------------------------------------------------------------
// A small GraphQL parser (operations, fragments, arguments, variables, directives).

interface Loc {
  line: number
  column: number
}

class GqlError extends Error {
  constructor(
    message: string,
    readonly loc?: Loc
  ) {
    super(message)
  }

  toJSON(code: string): Record<string, unknown> {
    return { message: this.message, ...(this.loc ? { locations: [this.loc] } : {}), extensions: { code } }
  }
}

type Value =
  | { kind: 'variable'; name: string }
  | { kind: 'int' | 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'enum'; value: string }
  | { kind: 'list'; values: Value[] }
  | { kind: 'object'; fields: Array<{ name: string; value: Value }> }

interface Field {
  kind: 'field'
  alias?: string
  name: string
  args: Array<{ name: string; value: Value; loc: Loc }>
  selections?: Selection[]
  loc: Loc
}
type Selection =
  | Field
  | { kind: 'spread'; name: string; loc: Loc }
  | { kind: 'inline'; typeCondition?: string; selections: Selection[]; loc: Loc }

interface Operation {
  kind: 'query' | 'mutation' | 'subscription'
  name?: string
  variables: Array<{ name: string; type: string; defaultValue?: Value; loc: Loc }>
  selections: Selection[]
  loc: Loc
}

interface Document {
  operations: Operation[]
  fragments: Map<string, { typeCondition: string; selections: Selection[] }>
}

interface Token {
  kind: 'punct' | 'name' | 'int' | 'float' | 'string' | 'eof'
  value: string
  loc: Loc
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  let lineStart = 0
  const loc = (at: number): Loc => ({ line, column: at - lineStart + 1 })
  const fail = (message: string, at: number): never => {
    throw new GqlError(`Syntax Error: ${message}`, loc(at))
  }
  while (i < source.length) {
    const c = source[i]
    if (c === '\n') {
      line++
      i++
      lineStart = i
    } else if (c === ' ' || c === '\t' || c === '\r' || c === ',' || c === '\ufeff') {
      i++
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++
    } else if ('!$&()[]{}:=@|'.includes(c)) {
      tokens.push({ kind: 'punct', value: c, loc: loc(i) })
      i++
    } else if (c === '.') {
      if (source.startsWith('...', i)) {
        tokens.push({ kind: 'punct', value: '...', loc: loc(i) })
        i += 3
      } else fail('Unexpected ".".', i)
    } else if (/[_A-Za-z]/.test(c)) {
      const start = i
      while (i < source.length && /[_0-9A-Za-z]/.test(source[i])) i++
      tokens.push({ kind: 'name', value: source.slice(start, i), loc: loc(start) })
    } else if (/[-0-9]/.test(c)) {
      const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))
      if (!match) fail(`Invalid number, unexpected character ${JSON.stringify(c)}.`, i)
      const text = match![0]
      tokens.push({ kind: match![2] || match![3] ? 'float' : 'int', value: text, loc: loc(i) })
      i += text.length
    } else if (c === '"') {
      const start = i
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3)
        if (end < 0) fail('Unterminated string.', start)
        const raw = source.slice(i + 3, end)
        for (const ch of raw) if (ch === '\n') line++
        tokens.push({ kind: 'string', value: raw.trim(), loc: loc(start) })
        i = end + 3
      } else {
        let value = ''
        i++
        for (;;) {
          if (i >= source.length || source[i] === '\n') fail('Unterminated string.', start)
          const ch = source[i]
          if (ch === '"') break
          if (ch === '\\') {
            const next = source[i + 1]
            const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t' }
            if (next === 'u') {
              value += String.fromCharCode(Number.parseInt(source.slice(i + 2, i + 6), 16))
              i += 6
            } else if (next in escapes) {
              value += escapes[next]
              i += 2
            } else fail(`Invalid character escape sequence: "\\${next}".`, i)
          } else {
            value += ch
            i++
          }
        }
        i++
        tokens.push({ kind: 'string', value, loc: loc(start) })
      }
    } else {
      fail(`Unexpected character: ${JSON.stringify(c)}.`, i)
    }
  }
  tokens.push({ kind: 'eof', value: '<EOF>', loc: loc(i) })
  return tokens
}

function parseDocument(source: string): Document {
  const tokens = tokenize(source)
  let p = 0
  const peek = () => tokens[p]
  const describe = (t: Token) => (t.kind === 'eof' ? '<EOF>' : t.kind === 'punct' ? `"${t.value}"` : `Name "${t.value}"`)
  const fail = (t: Token, expected?: string): never => {
    throw new GqlError(`Syntax Error: ${expected ? `Expected ${expected}, found` : 'Unexpected'} ${describe(t)}.`, t.loc)
  }
  const isPunct = (value: string) => peek().kind === 'punct' && peek().value === value
  const expectPunct = (value: string) => {
    if (!isPunct(value)) fail(peek(), `"${value}"`)
    return tokens[p++]
  }
  const expectName = () => {
    if (peek().kind !== 'name') fail(peek(), 'Name')
    return tokens[p++].value
  }

  const parseValue = (constant: boolean): Value => {
    const t = peek()
    if (t.kind === 'punct' && t.value === '$' && !constant) {
      p++
      return { kind: 'variable', name: expectName() }
    }
    if (t.kind === 'int' || t.kind === 'float') {
      p++
      return { kind: t.kind, value: Number(t.value) }
    }
    if (t.kind === 'string') {
      p++
      return { kind: 'string', value: t.value }
    }
    if (t.kind === 'name') {
      p++
      if (t.value === 'true' || t.value === 'false') return { kind: 'boolean', value: t.value === 'true' }
      if (t.value === 'null') return { kind: 'null' }
      return { kind: 'enum', value: t.value }
    }
    if (isPunct('[')) {
      p++
      const values: Value[] = []
      while (!isPunct(']')) values.push(parseValue(constant))
      p++
      return { kind: 'list', values }
    }
    if (isPunct('{')) {
      p++
      const fields: Array<{ name: string; value: Value }> = []
      while (!isPunct('}')) {
        const name = expectName()
        expectPunct(':')
        fields.push({ name, value: parseValue(constant) })
      }
      p++
      return { kind: 'object', fields }
    }
    return fail(t)
  }

  const parseType = (): string => {
    let type: string
    if (isPunct('[')) {
      p++
      type = `[${parseType()}]`
      expectPunct(']')
    } else type = expectName()
    if (isPunct('!')) {
      p++
      type += '!'
    }
    return type
  }

  const parseDirectives = () => {
    while (isPunct('@')) {
      p++
      expectName()
      if (isPunct('(')) parseArguments()
    }
  }

  const parseArguments = () => {
    const args: Field['args'] = []
    expectPunct('(')
    while (!isPunct(')')) {
      const loc = peek().loc
      const name = expectName()
      expectPunct(':')
      args.push({ name, value: parseValue(false), loc })
    }
    p++
    if (args.length === 0) fail(tokens[p - 1], 'Name')
    return args
  }

  const parseSelectionSet = (): Selection[] => {
    expectPunct('{')
    const selections: Selection[] = []
    while (!isPunct('}')) {
      const loc = peek().loc
      if (isPunct('...')) {
        p++
        if (peek().kind === 'name' && peek().value !== 'on') {
          selections.push({ kind: 'spread', name: expectName(), loc })
          parseDirectives()
        } else {
          let typeCondition: string | undefined
          if (peek().kind === 'name' && peek().value === 'on') {
            p++
            typeCondition = expectName()
          }
          parseDirectives()
          selections.push({ kind: 'inline', typeCondition, selections: parseSelectionSet(), loc })
        }
        continue
      }
      let name = expectName()
      let alias: string | undefined
      if (isPunct(':')) {
        p++
        alias = name
        name = expectName()
      }
      const args = isPunct('(') ? parseArguments() : []
      parseDirectives()
      const field: Field = { kind: 'field', alias, name, args, loc }
      if (isPunct('{')) field.selections = parseSelectionSet()
      selections.push(field)
    }
    p++
    if (selections.length === 0) fail(tokens[p - 1], 'Name')
    return selections
  }

  const document: Document = { operations: [], fragments: new Map() }
  while (peek().kind !== 'eof') {
    const t = peek()
    if (isPunct('{')) {
      document.operations.push({ kind: 'query', variables: [], selections: parseSelectionSet(), loc: t.loc })
      continue
    }
    if (t.kind === 'name' && t.value === 'fragment') {
      p++
      const name = expectName()
      if (peek().kind !== 'name' || peek().value !== 'on') fail(peek(), '"on"')
      p++
      const typeCondition = expectName()
      parseDirectives()
      document.fragments.set(name, { typeCondition, selections: parseSelectionSet() })
      continue
    }
    if (t.kind === 'name' && (t.value === 'query' || t.value === 'mutation' || t.value === 'subscription')) {
      p++
      const operation: Operation = { kind: t.value, variables: [], selections: [], loc: t.loc }
      if (peek().kind === 'name') operation.name = expectName()
      if (isPunct('(')) {
        p++
        while (!isPunct(')')) {
          const loc = peek().loc
          expectPunct('$')
          const name = expectName()
          expectPunct(':')
          const type = parseType()
          let defaultValue: Value | undefined
          if (isPunct('=')) {
            p++
            defaultValue = parseValue(true)
          }
          operation.variables.push({ name, type, defaultValue, loc })
        }
        p++
      }
      parseDirectives()
      operation.selections = parseSelectionSet()
      document.operations.push(operation)
      continue
    }
    fail(t)
  }
  if (document.operations.length === 0) throw new GqlError('Syntax Error: Unexpected <EOF>.', peek().loc)
  return document
}

function pickOperation(document: Document, operationName: string | undefined): Operation | GqlError {
  if (operationName) {
    const operation = document.operations.find((o) => o.name === operationName)
    return operation ?? new GqlError(`Unknown operation named "${operationName}".`)
  }
  if (document.operations.length > 1) return new GqlError('Must provide operation name if query contains multiple operations.')
  return document.operations[0]
}

/** Fields of a selection set, fragments flattened (no type conditions to branch on in this schema). */
function collectFields(document: Document, selections: Selection[]): Field[] {
  const fields: Field[] = []
  for (const selection of selections) {
    if (selection.kind === 'field') fields.push(selection)
    else if (selection.kind === 'inline') fields.push(...collectFields(document, selection.selections))
    else {
      const fragment = document.fragments.get(selection.name)
      if (fragment) fields.push(...collectFields(document, fragment.selections))
    }
  }
  return fields
}

/** The validation rules that matter for catching mistakes: fields, arguments, fragments, variables. */
function validate(document: Document, operation: Operation): GqlError[] {
  const errors: GqlError[] = []
  const used = new Set<string>()
  const rootType = operation.kind === 'mutation' ? 'Mutation' : operation.kind === 'subscription' ? 'Subscription' : 'Query'
  if (!SCHEMA[rootType]) {
    errors.push(new GqlError(`Schema is not configured to execute ${operation.kind} operation.`, operation.loc))
    return errors
  }
  const noteVariables = (value: Value) => {
    if (value.kind === 'variable') used.add(value.name)
    if (value.kind === 'list') value.values.forEach(noteVariables)
    if (value.kind === 'object') value.fields.forEach((f) => noteVariables(f.value))
  }
  const visit = (selections: Selection[], typeName: string, seen: Set<string>) => {
    for (const selection of selections) {
      if (selection.kind === 'spread') {
        const fragment = document.fragments.get(selection.name)
        if (!fragment) {
          errors.push(new GqlError(`Unknown fragment "${selection.name}".`, selection.loc))
          continue
        }
        if (fragment.typeCondition !== typeName) {
          errors.push(
            new GqlError(
              `Fragment "${selection.name}" cannot be spread here as objects of type "${typeName}" can never be of type "${fragment.typeCondition}".`,
              selection.loc
            )
          )
          continue
        }
        if (seen.has(selection.name)) continue
        visit(fragment.selections, typeName, new Set([...seen, selection.name]))
        continue
      }
      if (selection.kind === 'inline') {
        visit(selection.selections, selection.typeCondition ?? typeName, seen)
        continue
      }
      if (selection.name === '__typename') continue
      const def = SCHEMA[typeName]?.[selection.name]
      if (!def) {
        errors.push(new GqlError(`Cannot query field "${selection.name}" on type "${typeName}".`, selection.loc))
        continue
      }
      const declared = def.args ?? {}
      for (const arg of selection.args) {
        noteVariables(arg.value)
        if (!(arg.name in declared)) {
          errors.push(new GqlError(`Unknown argument "${arg.name}" on field "${typeName}.${selection.name}".`, arg.loc))
        }
      }
      for (const [name, type] of Object.entries(declared)) {
        if (type.endsWith('!') && !selection.args.some((a) => a.name === name)) {
          errors.push(
            new GqlError(
              `Field "${selection.name}" argument "${name}" of type "${type}" is required, but it was not provided.`,
              selection.loc
            )
          )
        }
      }
      const target = namedType(def.type)
      const leaf = SCALARS.has(target) || target in ENUMS
      if (leaf && selection.selections) {
        errors.push(
          new GqlError(
            `Field "${selection.name}" must not have a selection since type "${def.type}" has no subfields.`,
            selection.loc
          )
        )
      } else if (!leaf && !selection.selections) {
        errors.push(
          new GqlError(
            `Field "${selection.name}" of type "${def.type}" must have a selection of subfields. Did you mean "${selection.name} { ... }"?`,
            selection.loc
          )
        )
      } else if (selection.selections) {
        visit(selection.selections, target, seen)
      }
    }
  }
  visit(operation.selections, rootType, new Set())
  const declared = new Set(operation.variables.map((v) => v.name))
  for (const name of used) {
    if (!declared.has(name)) {
      errors.push(
        new GqlError(
          operation.name
            ? `Variable "$${name}" is not defined by operation "${operation.name}".`
            : `Variable "$${name}" is not defined.`,
          operation.loc
        )
      )
    }
  }
  for (const variable of operation.variables) {
    const type = namedType(variable.type)
    if (!SCALARS.has(type) && !(type in INPUT_TYPES) && !(type in ENUMS)) {
      errors.push(new GqlError(`Unknown type "${type}".`, variable.loc))
    }
    if (!used.has(variable.name)) {
      errors.push(
        new GqlError(
          operation.name
            ? `Variable "$${variable.name}" is never used in operation "${operation.name}".`
            : `Variable "$${variable.name}" is never used.`,
          variable.loc
        )
      )
    }
  }
  return errors
}

/** Checks a JSON value against an input type; the problem, or undefined. */
function inputProblem(value: unknown, type: string): string | undefined {
  if (type.endsWith('!')) {
    if (value === null || value === undefined) return `Expected non-nullable type "${type}" not to be null.`
    return inputProblem(value, type.slice(0, -1))
  }
  if (value === null || value === undefined) return undefined
  if (type.startsWith('[')) {
    const inner = type.slice(1, -1)
    const values = Array.isArray(value) ? value : [value]
    for (const item of values) {
      const problem = inputProblem(item, inner)
      if (problem) return problem
    }
    return undefined
  }
  const shown = JSON.stringify(value)
  switch (type) {
    case 'String':
    case 'ID':
    case 'DateTime':
      return typeof value === 'string' ? undefined : `String cannot represent a non string value: ${shown}`
    case 'Int':
      return Number.isInteger(value) ? undefined : `Int cannot represent non-integer value: ${shown}`
    case 'Float':
      return typeof value === 'number' ? undefined : `Float cannot represent non numeric value: ${shown}`
    case 'Boolean':
      return typeof value === 'boolean' ? undefined : `Boolean cannot represent a non boolean value: ${shown}`
    case 'JSON':
      return undefined
    case 'EnvironmentVariables':
      if (!isObject(value)) return `EnvironmentVariables cannot represent a non object value: ${shown}`
      for (const [key, item] of Object.entries(value)) {
        if (typeof item !== 'string') return `EnvironmentVariables value of "${key}" must be a string: ${JSON.stringify(item)}`
      }
      return undefined
  }
  if (type in ENUMS) {
    return typeof value === 'string' && ENUMS[type].includes(value)
      ? undefined
      : `Value ${shown} does not exist in "${type}" enum.`
  }
  const fields = INPUT_TYPES[type]
  if (!fields) return `Unknown type "${type}".`
  if (!isObject(value)) return `Expected type "${type}" to be an object.`
  for (const key of Object.keys(value)) {
    if (!(key in fields)) return `Field "${key}" is not defined by type "${type}".`
  }
  for (const [key, fieldType] of Object.entries(fields)) {
    if (fieldType.endsWith('!') && (value[key] === undefined || value[key] === null)) {
      return `Field "${key}" of required type "${fieldType}" was not provided.`
    }
    const problem = inputProblem(value[key], fieldType)
    if (problem) return `${problem} At "${key}".`
  }
  return undefined
}

function coerceVariables(operation: Operation, provided: Record<string, unknown>): Record<string, unknown> | GqlError {
  const values: Record<string, unknown> = {}
  for (const variable of operation.variables) {
    let value = provided[variable.name]
    if (value === undefined && variable.defaultValue) value = literal(variable.defaultValue, {})
    if (value === undefined && variable.type.endsWith('!')) {
      return new GqlError(`Variable "$${variable.name}" of required type "${variable.type}" was not provided.`, variable.loc)
    }
    const problem = inputProblem(value, variable.type)
    if (problem) {
      return new GqlError(`Variable "$${variable.name}" got invalid value ${JSON.stringify(value)}; ${problem}`, variable.loc)
    }
    if (value !== undefined) values[variable.name] = value
  }
  return values
}

function literal(value: Value, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case 'variable':
      return variables[value.name]
    case 'null':
      return null
    case 'list':
      return value.values.map((v) => literal(v, variables))
    case 'object':
      return Object.fromEntries(
        value.fields.map((f) => [f.name, literal(f.value, variables)]).filter(([, v]) => v !== undefined)
      )
    default:
      return value.value
  }
}

function coerceArguments(field: Field, def: FieldDef, variables: Record<string, unknown>): Record<string, any> {
  const args: Record<string, unknown> = {}
  for (const arg of field.args) {
    const value = literal(arg.value, variables)
    const problem = inputProblem(value, def.args![arg.name])
    if (problem) throw new GqlError(`Argument "${arg.name}" has invalid value: ${problem}`, arg.loc)
    if (value !== undefined) args[arg.name] = value
  }
  return args
}

/** Shapes a resolved value to the selection set, as an executor does. */
function complete(document: Document, type: string, value: unknown, selections: Selection[] | undefined): unknown {
  if (value === null || value === undefined) return null
  const bare = type.endsWith('!') ? type.slice(0, -1) : type
  if (bare.startsWith('[')) {
    return (value as unknown[]).map((item) => complete(document, bare.slice(1, -1), item, selections))
  }
  const fields = SCHEMA[bare]
  if (!fields || !selections) return value
  const object = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const field of collectFields(document, selections)) {
    const key = field.alias ?? field.name
    out[key] = field.name === '__typename' ? bare : complete(document, fields[field.name].type, object[field.name], field.selections)
  }
  return out
}

function gqlRequestError(exchange: Exchange, message: string): void {
  gqlErrors(exchange, 400, [{ message, extensions: { code: 'BAD_REQUEST' } }])
}

function gqlErrors(exchange: Exchange, status: number, errors: Array<Record<string, unknown>>, headers: OutgoingHttpHeaders = {}) {
  exchange.json(status, { errors }, headers)
}
