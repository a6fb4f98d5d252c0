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
import { createDeployTarball } from './tarball.js'

/**
 * The Railway deploy target, driven with plain `fetch` against Railway's
 * public GraphQL API v2 (`POST https://backboard.railway.com/graphql/v2`,
 * `Authorization: Bearer <account or workspace token>`) and the upload
 * endpoint of `railway up` on the same host.
 *
 * What it makes on Railway, per xBasis app (`input.appName`, else the deployment id):
 *   - a project named `xbasis-<app>` (`projectCreate`, found again by name with
 *     `projects` after a restart), unless `project_id` is set: then every app is
 *     a service of that project;
 *   - in the project's environment (`environment_id`, else "production", else
 *     the first one) one service per xBasis environment: `xbasis-<app>` for
 *     production and `xbasis-<app>-preview` for previews (Railway keeps
 *     environments apart by environment or by service; a service each works the
 *     same with or without a shared project). Found by name, else `serviceCreate`;
 *   - its health check path `/health` (`serviceInstanceUpdate`, so Railway only
 *     switches traffic to a deployment that answers it), and one public
 *     `*.up.railway.app` domain (`domains` first, `serviceDomainCreate` only
 *     when the service has none).
 *
 * One deploy:
 *   1. the project, service, health check and domain above, looked up on every
 *      deploy (no cache: another platform instance may have made or destroyed
 *      them since), made only when missing;
 *   2. the variables: `variableCollectionUpsert` (replace, skipDeploys) with
 *      `input.env` plus `NODE_ENV` and `HOST` (Railway injects `PORT` itself):
 *      they live on the service, never in the uploaded files;
 *   3. the source, as `railway up` sends it: a gzipped tarball of `input.appDir`
 *      (entries `./<path>`, without node_modules and .git), `POST`ed with
 *      `Content-Type: application/gzip` to
 *      `<api origin>/project/<projectId>/environment/<environmentId>/up?serviceId=<id>`;
 *      the answer `{deploymentId, url, logsUrl, deploymentDomain}` names the
 *      deployment (400 answers `{message}`, 413 means too large). With
 *      `source_repo`/`source_image` set instead, the service is created from
 *      that source and `serviceInstanceDeployV2` deploys it;
 *   4. polls `deployment(id) { status url staticUrl }`, passing new `buildLogs` /
 *      `deploymentLogs` lines to the `log` callback as they appear, until SUCCESS
 *      (→ handle, url `https://<domain>`) or FAILED/CRASHED/REMOVED/SKIPPED
 *      (→ DeployError quoting the log tail, carrying the handle).
 *
 * `stop` removes the deployment (`deploymentRemove`); `destroy` deletes the
 * service (`serviceDelete`) and, when this target created the project and no
 * service is left in it, the project (`projectDelete`).
 *
 * Project tokens (`Project-Access-Token` header) are not supported: only
 * account and workspace tokens, which can create projects and services.
 */

export type RailwaySource = { repo: string } | { image: string }

export type RailwayTargetOptions = {
  token: string
  apiUrl?: string
  projectId?: string
  environmentId?: string
  /** The workspace new projects are made in (and looked up in); empty: the token's default. */
  workspaceId?: string
  /** Build from this repository or image instead of uploading `input.appDir`. */
  source?: RailwaySource
  /** Between two `deployment(id)` polls. Default 2000 ms. */
  pollIntervalMs?: number
  /** The most a deploy may take from the upload to SUCCESS. Default 15 min. */
  deployTimeoutMs?: number
  /** One API request. Default 30 s (the upload gets four times that). */
  requestTimeoutMs?: number
  /** How often a 429 is retried before giving up. Default 5. */
  maxRateLimitRetries?: number
  /** Ceiling of one Retry-After wait. Default 60 s. */
  maxRetryAfterMs?: number
  /** After SUCCESS, wait until `GET <url>/health` answers 2xx (within `startTimeoutMs`). Default true. */
  verifyHealth?: boolean
  /** How long the live app has to answer /health when `verifyHealth`. Default 60 s. */
  startTimeoutMs?: number
  /** The largest tarball sent (gzipped). Default 50 MB. */
  maxUploadBytes?: number
}

export const DEFAULT_RAILWAY_API_URL = 'https://backboard.railway.com/graphql/v2'

type RailwayStatus =
  | 'BUILDING'
  | 'CRASHED'
  | 'DEPLOYING'
  | 'FAILED'
  | 'INITIALIZING'
  | 'QUEUED'
  | 'REMOVED'
  | 'SKIPPED'
  | 'SLEEPING'
  | 'SUCCESS'
  | 'WAITING'

/** Railway's DeploymentStatus → the contract's DeployState. */
export function mapRailwayStatus(status: string): DeployState {
  switch (status as RailwayStatus) {
    case 'QUEUED':
    case 'WAITING':
      return 'queued'
    case 'INITIALIZING':
    case 'BUILDING':
      return 'building'
    case 'DEPLOYING':
      return 'deploying'
    case 'SUCCESS':
    case 'SLEEPING': // app-sleeping: it wakes on the next request
      return 'live'
    case 'FAILED':
    case 'CRASHED':
      return 'failed'
    case 'REMOVED':
    case 'SKIPPED':
      return 'stopped'
    default:
      return 'queued'
  }
}

type RailwayLog = { message: string; timestamp: string; severity?: string | null }
type Lineage = {
  projectId: string
  environmentId: string
  serviceId: string
  serviceName: string
  domain?: string
  createdProject: boolean
  /** The service's volume in this environment, when the app has persistent data. */
  volume?: { id: string; mountPath: string }
}

/** Where an app's persistent data volume is mounted on Railway (XBASIS_DATA_DIR). */
export const RAILWAY_DATA_MOUNT = '/xbasis-data'

type VolumeNodes = { volumes: { edges: Array<{ node: { id: string; volumeInstances: { edges: Array<{ node: { serviceId: string | null; environmentId: string; mountPath: string } }> } } }> } }
const VOLUMES_QUERY = `query ProjectVolumes($id: String!) { project(id: $id) { volumes { edges { node { id volumeInstances { edges { node { serviceId environmentId mountPath } } } } } } } }`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

class RailwayApiError extends DeployError {
  constructor(
    message: string,
    readonly railwayMessages: string[],
    readonly httpStatus?: number
  ) {
    super(message)
  }
}

const LOG_FIELDS = 'message timestamp severity'

/** App key → the lineage being resolved for it (see `#lineage`). */
const resolving = new Map<string, Promise<Lineage>>()

export function createRailwayTarget(options: RailwayTargetOptions): RailwayTarget {
  return new RailwayTarget(options)
}

export class RailwayTarget implements DeployTarget {
  readonly #apiUrl: string
  readonly #token: string
  readonly #pollIntervalMs: number
  readonly #deployTimeoutMs: number
  readonly #requestTimeoutMs: number
  readonly #maxRateLimitRetries: number
  readonly #maxRetryAfterMs: number
  readonly #verifyHealth: boolean
  readonly #startTimeoutMs: number
  readonly #maxUploadBytes: number

  constructor(readonly options: RailwayTargetOptions) {
    this.#apiUrl = options.apiUrl || DEFAULT_RAILWAY_API_URL
    this.#token = options.token
    this.#pollIntervalMs = options.pollIntervalMs ?? 2000
    this.#deployTimeoutMs = options.deployTimeoutMs ?? 15 * 60_000
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.#maxRateLimitRetries = options.maxRateLimitRetries ?? 5
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000
    this.#verifyHealth = options.verifyHealth ?? true
    this.#startTimeoutMs = options.startTimeoutMs ?? 60_000
    this.#maxUploadBytes = options.maxUploadBytes ?? 50 * 1024 * 1024
  }

  // -------------------------------------------------------------------------
  // The GraphQL client

  /**
   * One request to Railway's host, with the token; a 429 is retried after
   * Retry-After (or X-RateLimit-Reset, or an exponential wait), at most
   * `maxRateLimitRetries` times. Any other answer is returned as it is.
   */
  async #send(
    operation: string,
    url: string,
    request: { 'content-type': string; body: string | Buffer; timeoutMs?: number }
  ): Promise<Response> {
    const timeoutMs = request.timeoutMs ?? this.#requestTimeoutMs
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': request['content-type'],
            'accept': 'application/json',
            'authorization': `Bearer ${this.#token}`,
          },
          body: typeof request.body === 'string' ? request.body : new Uint8Array(request.body),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (error) {
        const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String((error as Error)?.message ?? error)
        throw new RailwayApiError(`Could not reach Railway at ${url.split('?')[0]} (${operation}): ${why}`, [])
      }
      if (response.status !== 429) return response
      const text = await response.text()
      if (attempt >= this.#maxRateLimitRetries) {
        let message: string | undefined
        try {
          const body = JSON.parse(text)
          message = body?.errors?.[0]?.message ?? body?.message
        } catch {
          message = text.slice(0, 200) || undefined
        }
        throw new RailwayApiError(
          `Railway rate limit hit ${attempt + 1} times in a row (${operation}): “${message ?? 'Too Many Requests'}”. Try again in a few minutes.`,
          message ? [message] : [],
          429
        )
      }
      await sleep(this.#retryAfterMs(response.headers, attempt))
    }
  }

  async #gql<T>(operation: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await this.#send(operation, this.#apiUrl, {
      'content-type': 'application/json',
      body: JSON.stringify({ query, variables, operationName: operation }),
    })
    const text = await response.text()
    let body: { data?: T | null; errors?: Array<{ message?: string }> } | undefined
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = undefined
    }
    const messages = (body?.errors ?? []).map((e) => String(e?.message ?? 'unknown error'))
    if (!response.ok) {
      const quoted = messages.length > 0 ? messages.join('; ') : text.slice(0, 300) || response.statusText
      throw new RailwayApiError(`Railway API error (HTTP ${response.status}, ${operation}): “${quoted}”`, messages, response.status)
    }
    if (messages.length > 0) {
      const hint = messages.some((m) => /not authori[sz]ed/i.test(m))
        ? ' — check the Railway token (setting “token” / RAILWAY_TOKEN: an account or workspace token with access to this project).'
        : ''
      throw new RailwayApiError(`Railway refused ${operation}: “${messages.join('; ')}”${hint}`, messages, response.status)
    }
    if (!body || body.data === undefined || body.data === null) {
      throw new RailwayApiError(`Railway answered ${operation} without data (HTTP ${response.status}).`, [], response.status)
    }
    return body.data
  }

  #retryAfterMs(headers: Headers, attempt: number): number {
    const header = headers.get('retry-after')
    let ms: number | undefined
    if (header) {
      const seconds = Number(header)
      if (Number.isFinite(seconds)) ms = seconds * 1000
      else if (!Number.isNaN(Date.parse(header))) ms = Date.parse(header) - Date.now()
    }
    if (ms === undefined) {
      const reset = Number(headers.get('x-ratelimit-reset'))
      if (Number.isFinite(reset) && reset > 0) ms = reset * 1000 - Date.now()
    }
    if (ms === undefined || ms < 0) ms = 1000 * 2 ** attempt
    return Math.min(ms, this.#maxRetryAfterMs)
  }

  // -------------------------------------------------------------------------
  // Deploy

  async deploy(input: DeployInput, log: (line: LogLine) => void): Promise<DeployHandle> {
    const note = (text: string) => log({ at: new Date().toISOString(), stream: 'build', text })
    const source = this.options.source
    // Pack first: a folder that cannot be read fails before anything is made on Railway.
    const tarball = source ? undefined : await this.#pack(input.appDir)
    const lineage = await this.#lineage(input, source)
    const variables: Record<string, string> = { ...input.env, NODE_ENV: 'production', HOST: '0.0.0.0' }
    delete variables.XBASIS_DATA_DIR
    if (lineage.volume) variables.XBASIS_DATA_DIR = lineage.volume.mountPath
    await this.#gql(
      'UpsertVariables',
      `mutation UpsertVariables($input: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $input) }`,
      {
        input: {
          projectId: lineage.projectId,
          environmentId: lineage.environmentId,
          serviceId: lineage.serviceId,
          variables,
          replace: true,
          skipDeploys: true,
        },
      }
    )
    let deploymentId: string
    let logsUrl: string | undefined
    if (tarball) {
      note(`Uploading ${tarball.files} files (${formatBytes(tarball.body.length)} gzipped) to Railway service ${lineage.serviceName}…`)
      const uploaded = await this.#upload(lineage, tarball.body)
      deploymentId = uploaded.deploymentId
      logsUrl = uploaded.logsUrl
      if (logsUrl) note(`Build logs on Railway: ${logsUrl}`)
    } else {
      const deployed = await this.#gql<{ serviceInstanceDeployV2: string }>(
        'Deploy',
        `mutation Deploy($serviceId: String!, $environmentId: String!) { serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }`,
        { serviceId: lineage.serviceId, environmentId: lineage.environmentId }
      )
      deploymentId = deployed.serviceInstanceDeployV2
    }
    const handle: DeployHandle = {
      id: deploymentId,
      url: lineage.domain ? `https://${lineage.domain}` : '',
      data: {
        deploymentId: input.deploymentId,
        projectId: lineage.projectId,
        environmentId: lineage.environmentId,
        serviceId: lineage.serviceId,
        serviceName: lineage.serviceName,
        domain: lineage.domain ?? null,
        createdProject: lineage.createdProject,
        ...(lineage.volume ? { volumeId: lineage.volume.id } : {}),
        ...(logsUrl ? { logsUrl } : {}),
      },
    }

    const seen = { build: 0, runtime: 0 }
    const emit = async () => {
      for (const line of await this.#newLines(deploymentId, seen)) log(line)
    }
    const fail = async (message: string): Promise<never> => {
      handle.data.failedReason = message
      throw new DeployError(message, { handle })
    }

    const deadline = Date.now() + this.#deployTimeoutMs
    for (;;) {
      const deployment = await this.#deployment(deploymentId)
      await emit().catch(() => {}) // logs are best effort while polling
      const status = deployment.status
      if (status === 'SUCCESS' || status === 'SLEEPING') {
        const host = lineage.domain || deployment.staticUrl || deployment.url
        if (!host) return fail('Railway reports the deployment live, but the service has no public domain.')
        handle.url = /^https?:\/\//.test(host) ? host.replace(/\/$/, '') : `https://${host}`
        if (this.#verifyHealth) await this.#waitHealthy(handle, fail)
        return handle
      }
      if (status === 'FAILED' || status === 'CRASHED') {
        const tail = await this.#tail(deploymentId, status === 'FAILED' ? 'build' : 'runtime').catch(() => '')
        return fail(
          `${status === 'FAILED' ? 'The Railway build failed' : 'The app crashed on Railway'}${tail ? `:\n${tail}` : ' (no log output).'}`
        )
      }
      if (status === 'REMOVED' || status === 'SKIPPED') {
        return fail(`Railway ${status === 'REMOVED' ? 'removed' : 'skipped'} the deployment before it went live.`)
      }
      if (Date.now() >= deadline) {
        const tail = await this.#tail(deploymentId, status === 'DEPLOYING' ? 'runtime' : 'build').catch(() => '')
        await this.#remove(deploymentId).catch(() => {})
        return fail(
          `The Railway deployment was not live within ${Math.round(this.#deployTimeoutMs / 1000)} s (last status ${status})${tail ? `:\n${tail}` : '.'}`
        )
      }
      await sleep(this.#pollIntervalMs)
    }
  }

  async #pack(appDir: string) {
    let tarball: { body: Buffer; files: number }
    try {
      tarball = await createDeployTarball(appDir)
    } catch (error) {
      throw new DeployError(`Could not pack the app’s files for Railway: ${(error as Error)?.message ?? error}`, { cause: error })
    }
    if (tarball.body.length > this.#maxUploadBytes) {
      throw new DeployError(
        `The app’s files are ${formatBytes(tarball.body.length)} gzipped (node_modules and .git left out), more than the ${formatBytes(this.#maxUploadBytes)} the Railway target uploads. Remove large files (build output, media, archives) from the project.`
      )
    }
    return tarball
  }

  /** `railway up`: the tarball to the service; the new deployment's id. */
  async #upload(lineage: Lineage, body: Buffer): Promise<{ deploymentId: string; logsUrl?: string }> {
    const url = new URL(
      `/project/${encodeURIComponent(lineage.projectId)}/environment/${encodeURIComponent(lineage.environmentId)}/up`,
      this.#apiUrl
    )
    url.searchParams.set('serviceId', lineage.serviceId)
    const response = await this.#send('upload', url.toString(), {
      'content-type': 'application/gzip',
      body,
      timeoutMs: this.#requestTimeoutMs * 4,
    })
    const text = await response.text()
    let parsed: any
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    const message = typeof parsed?.message === 'string' ? parsed.message : text.slice(0, 300) || response.statusText
    if (response.status === 413) {
      throw new RailwayApiError(`Railway refused the upload: the files are too large (${formatBytes(body.length)} gzipped): “${message}”`, [message], 413)
    }
    if (response.status === 401 || response.status === 403) {
      throw new RailwayApiError(
        `Railway refused the upload (HTTP ${response.status}): “${message}” — check the Railway token (setting “token” / RAILWAY_TOKEN: an account or workspace token with access to this project).`,
        [message],
        response.status
      )
    }
    if (!response.ok) {
      throw new RailwayApiError(`Railway refused the upload (HTTP ${response.status}): “${message}”`, [message], response.status)
    }
    if (typeof parsed?.deploymentId !== 'string' || parsed.deploymentId === '') {
      throw new RailwayApiError(`Railway accepted the upload but named no deployment (HTTP ${response.status}).`, [], response.status)
    }
    return { deploymentId: parsed.deploymentId, logsUrl: typeof parsed.logsUrl === 'string' ? parsed.logsUrl : undefined }
  }

  /**
   * What the deploy goes to. Resolved one at a time per app within this
   * process (whatever driver instance asks), so the preview and production
   * deploys of a new app cannot both create its project.
   */
  async #lineage(input: DeployInput, source: RailwaySource | undefined): Promise<Lineage> {
    const key = `${this.#apiUrl} ${this.options.projectId ?? ''} ${railwayName(input.appName || input.deploymentId)}`
    const previous = resolving.get(key) ?? Promise.resolve()
    const current = previous.catch(() => {}).then(() => this.#resolveLineage(input, source))
    resolving.set(key, current)
    try {
      return await current
    } finally {
      if (resolving.get(key) === current) resolving.delete(key)
    }
  }

  async #resolveLineage(input: DeployInput, source: RailwaySource | undefined): Promise<Lineage> {
    const app = railwayName(input.appName || input.deploymentId)
    const serviceName = input.environment === 'preview' ? `${app}-preview` : app

    type Environments = { environments: { edges: Array<{ node: { id: string; name: string } }> } }
    type Services = { services: { edges: Array<{ node: { id: string; name: string } }> } }
    let projectId = this.options.projectId
    let environmentId = this.options.environmentId
    let createdProject = false
    let environments: Environments['environments'] | undefined
    if (!projectId) {
      // The app's own project: found again by name, made once.
      const { projects } = await this.#gql<{ projects: { edges: Array<{ node: { id: string; name: string } & Environments } > } }>(
        'Projects',
        `query Projects($workspaceId: String) { projects(workspaceId: $workspaceId) { edges { node { id name environments { edges { node { id name } } } } } } }`,
        { workspaceId: this.options.workspaceId ?? null }
      )
      const found = projects.edges.map((e) => e.node).find((p) => p.name === app)
      if (found) {
        projectId = found.id
        environments = found.environments
      } else {
        const { projectCreate } = await this.#gql<{ projectCreate: { id: string } & Environments }>(
          'CreateProject',
          `mutation CreateProject($input: ProjectCreateInput!) { projectCreate(input: $input) { id environments { edges { node { id name } } } } }`,
          {
            input: {
              name: app,
              description: 'Made by xBasis',
              defaultEnvironmentName: 'production',
              ...(this.options.workspaceId ? { workspaceId: this.options.workspaceId } : {}),
            },
          }
        )
        projectId = projectCreate.id
        environments = projectCreate.environments
      }
      createdProject = true
    }
    const { project } = await this.#gql<{ project: Environments & Services }>(
      'ProjectServices',
      `query ProjectServices($id: String!) { project(id: $id) { environments { edges { node { id name } } } services { edges { node { id name } } } } }`,
      { id: projectId }
    )
    if (!environmentId) {
      const nodes = (environments ?? project.environments).edges.map((e) => e.node)
      environmentId = (nodes.find((n) => n.name === 'production') ?? nodes[0])?.id
      if (!environmentId) throw new DeployError(`The Railway project ${projectId} has no environment to deploy to.`)
    }
    let serviceId = project.services.edges.map((e) => e.node).find((s) => s.name === serviceName)?.id
    if (!serviceId) {
      const { serviceCreate } = await this.#gql<{ serviceCreate: { id: string } }>(
        'CreateService',
        `mutation CreateService($input: ServiceCreateInput!) { serviceCreate(input: $input) { id } }`,
        { input: { projectId, environmentId, name: serviceName, ...(source ? { source } : {}) } }
      )
      serviceId = serviceCreate.id
    }
    // Railway routes traffic to a new deployment only once it answers /health.
    await this.#gql(
      'HealthCheck',
      `mutation HealthCheck($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input) }`,
      { serviceId, environmentId, input: { healthcheckPath: '/health' } }
    )
    // One public *.up.railway.app domain per service: reuse the one it has.
    const { domains } = await this.#gql<{ domains: { serviceDomains: Array<{ id: string; domain: string }> } }>(
      'Domains',
      `query Domains($projectId: String!, $environmentId: String!, $serviceId: String!) { domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) { serviceDomains { id domain } } }`,
      { projectId, environmentId, serviceId }
    )
    let domain = domains.serviceDomains[0]?.domain
    if (!domain) {
      const { serviceDomainCreate } = await this.#gql<{ serviceDomainCreate: { id: string; domain: string } }>(
        'CreateDomain',
        `mutation CreateDomain($input: ServiceDomainCreateInput!) { serviceDomainCreate(input: $input) { id domain } }`,
        { input: { serviceId, environmentId } }
      )
      domain = serviceDomainCreate.domain
    }
    // The app's data: a volume mounted into its service (one per service and environment), made on the first
    // deployment and found again by every later one; deployments of the service come and go, the volume stays.
    let volume: Lineage['volume']
    if (input.persistentData) {
      const { project: withVolumes } = await this.#gql<{ project: VolumeNodes }>('ProjectVolumes', VOLUMES_QUERY, { id: projectId })
      for (const { node } of withVolumes.volumes.edges) {
        const instance = node.volumeInstances.edges.map((e) => e.node).find((i) => i.serviceId === serviceId && i.environmentId === environmentId)
        if (instance) volume = { id: node.id, mountPath: instance.mountPath }
      }
      if (!volume) {
        const { volumeCreate } = await this.#gql<{ volumeCreate: { id: string } }>(
          'CreateVolume',
          `mutation CreateVolume($input: VolumeCreateInput!) { volumeCreate(input: $input) { id } }`,
          { input: { projectId, environmentId, serviceId, mountPath: RAILWAY_DATA_MOUNT } }
        )
        volume = { id: volumeCreate.id, mountPath: RAILWAY_DATA_MOUNT }
      }
    }
    return { projectId, environmentId, serviceId, serviceName, domain, createdProject, volume }
  }

  async #deployment(id: string) {
    const { deployment } = await this.#gql<{ deployment: { id: string; status: string; url: string | null; staticUrl: string | null } }>(
      'DeploymentStatus',
      `query DeploymentStatus($id: String!) { deployment(id: $id) { id status url staticUrl } }`,
      { id }
    )
    return deployment
  }

  async #fetchLogs(deploymentId: string, stream: LogLine['stream'], limit?: number): Promise<RailwayLog[]> {
    const field = stream === 'build' ? 'buildLogs' : 'deploymentLogs'
    const data = await this.#gql<Record<string, RailwayLog[]>>(
      stream === 'build' ? 'BuildLogs' : 'DeploymentLogs',
      `query ${stream === 'build' ? 'BuildLogs' : 'DeploymentLogs'}($deploymentId: String!, $limit: Int) { ${field}(deploymentId: $deploymentId, limit: $limit) { ${LOG_FIELDS} } }`,
      { deploymentId, limit: limit ?? null }
    )
    return data[field] ?? []
  }

  /** Lines not passed on yet (Railway's log lists only grow during a deployment). */
  async #newLines(deploymentId: string, seen: Record<LogLine['stream'], number>): Promise<LogLine[]> {
    const lines: LogLine[] = []
    for (const stream of ['build', 'runtime'] as const) {
      const logs = await this.#fetchLogs(deploymentId, stream)
      for (const entry of logs.slice(seen[stream])) lines.push(toLine(entry, stream))
      seen[stream] = Math.max(seen[stream], logs.length)
    }
    return lines
  }

  async #tail(deploymentId: string, stream: LogLine['stream'], count = 15): Promise<string> {
    const logs = await this.#fetchLogs(deploymentId, stream, count)
    return logs.map((l) => l.message).join('\n').trim()
  }

  async #waitHealthy(handle: DeployHandle, fail: (message: string) => Promise<never>) {
    const deadline = Date.now() + this.#startTimeoutMs
    let last = 'no answer'
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${handle.url}/health`, { signal: AbortSignal.timeout(5000) })
        await response.body?.cancel()
        if (response.ok) return
        last = `HTTP ${response.status}`
      } catch (error) {
        last = String((error as Error)?.message ?? error)
      }
      await sleep(Math.min(this.#pollIntervalMs, 2000))
    }
    const tail = await this.#tail(handle.id, 'runtime').catch(() => '')
    await this.#remove(handle.id).catch(() => {})
    await fail(`The app on Railway never answered GET /health (${last})${tail ? `:\n${tail}` : '.'}`)
  }

  // -------------------------------------------------------------------------
  // The rest of the contract

  async status(handle: DeployHandle): Promise<DeployStatus> {
    let status: string
    try {
      status = (await this.#deployment(handle.id)).status
    } catch (error) {
      if (error instanceof RailwayApiError && error.railwayMessages.some((m) => /not found|not authori[sz]ed/i.test(m))) {
        return { state: 'stopped', reason: `Railway no longer knows this deployment (“${error.railwayMessages[0]}”).` }
      }
      throw error
    }
    const failedReason = typeof handle.data.failedReason === 'string' ? handle.data.failedReason : undefined
    const state = mapRailwayStatus(status)
    if (state === 'failed') {
      const tail = await this.#tail(handle.id, status === 'FAILED' ? 'build' : 'runtime').catch(() => '')
      return { state, reason: failedReason ?? (tail || `Railway reports ${status}.`) }
    }
    if (failedReason && state === 'stopped') return { state: 'failed', reason: failedReason }
    if (state === 'stopped') return { state, reason: `Railway reports ${status}.` }
    return { state }
  }

  async logs(handle: DeployHandle, options: LogOptions = {}): Promise<LogLine[]> {
    const lines: LogLine[] = []
    for (const stream of ['build', 'runtime'] as const) {
      try {
        lines.push(...(await this.#fetchLogs(handle.id, stream)).map((entry) => toLine(entry, stream)))
      } catch (error) {
        if (error instanceof RailwayApiError && error.railwayMessages.some((m) => /not found/i.test(m))) continue
        throw error
      }
    }
    lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    return options.since ? lines.filter((l) => l.at > options.since!) : lines
  }

  async #remove(deploymentId: string) {
    await this.#gql('RemoveDeployment', `mutation RemoveDeployment($id: String!) { deploymentRemove(id: $id) }`, { id: deploymentId })
  }

  /** Removes the deployment: the app stops answering; the service (and its variables) stay. */
  async stop(handle: DeployHandle): Promise<void> {
    try {
      await this.#remove(handle.id)
    } catch (error) {
      if (error instanceof RailwayApiError && error.railwayMessages.some((m) => /not found/i.test(m))) return
      throw error
    }
  }

  /**
   * Deletes the service (with its deployments, variables and domain) and,
   * when this target created the project and nothing else is left in it, the
   * project. Twice is harmless.
   */
  async destroy(handle: DeployHandle): Promise<void> {
    const serviceId = typeof handle.data.serviceId === 'string' ? handle.data.serviceId : undefined
    if (!serviceId) return this.stop(handle)
    const gone = (error: unknown) =>
      // Railway answers "Not Authorized" for ids that no longer exist, as for ids the
      // token cannot see: after a first destroy, that is the expected answer.
      error instanceof RailwayApiError && error.railwayMessages.some((m) => /not found|not authori[sz]ed/i.test(m))
    // The service's data volume first: destroy is only called when the project is deleted, and its data goes with it.
    if (typeof handle.data.volumeId === 'string') {
      try {
        await this.#gql('DeleteVolume', `mutation DeleteVolume($volumeId: String!) { volumeDelete(volumeId: $volumeId) }`, { volumeId: handle.data.volumeId })
      } catch (error) {
        if (!gone(error)) throw error
      }
    }
    try {
      await this.#gql('DeleteService', `mutation DeleteService($id: String!) { serviceDelete(id: $id) }`, { id: serviceId })
    } catch (error) {
      if (!gone(error)) throw error
    }
    const projectId = typeof handle.data.projectId === 'string' ? handle.data.projectId : undefined
    if (handle.data.createdProject !== true || !projectId) return
    try {
      const { project } = await this.#gql<{ project: { services: { edges: Array<{ node: { id: string } }> } } }>(
        'ProjectServices',
        `query ProjectServices($id: String!) { project(id: $id) { services { edges { node { id } } } } }`,
        { id: projectId }
      )
      if (project.services.edges.some((e) => e.node.id !== serviceId)) return // the app's other environment lives there
      await this.#gql('DeleteProject', `mutation DeleteProject($id: String!) { projectDelete(id: $id) }`, { id: projectId })
    } catch (error) {
      if (!gone(error)) throw error
    }
  }
}

/** A Railway project/service name from the app's name: `xbasis-<app>`, lowercase letters, digits and `-`. */
export function railwayName(app: string): string {
  const clean = app
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
  // Long names keep their end: the project id the platform puts there tells apps apart.
  const kept = clean.length > 45 ? clean.slice(-45).replace(/^-+/, '') : clean
  return `xbasis-${kept || 'app'}`
}

function formatBytes(bytes: number) {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`
}

function toLine(entry: RailwayLog, stream: LogLine['stream']): LogLine {
  const at = Number.isNaN(Date.parse(entry.timestamp)) ? new Date().toISOString() : new Date(entry.timestamp).toISOString()
  return { at, stream, text: entry.message }
}
