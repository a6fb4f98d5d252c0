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
 * The Railway deploy target, driven with plain `fetch` against Railway's
 * public GraphQL API v2 (`POST https://backboard.railway.com/graphql/v2`,
 * `Authorization: Bearer <account or workspace token>`).
 *
 * One deploy:
 *   1. the project: `project_id` when set, else `projectCreate` (once per lineage);
 *      its environment: `environment_id` when set, else the project's first one;
 *   2. the service: `serviceCreate` with a source (once per lineage);
 *   3. the variables: `variableCollectionUpsert` (replace, skipDeploys) with `input.env`
 *      plus `NODE_ENV` and `HOST` (Railway injects `PORT` itself);
 *   4. `serviceInstanceDeployV2` → the Railway deployment id (the handle's id);
 *   5. polls `deployment(id) { status url staticUrl }`, passing new `buildLogs` /
 *      `deploymentLogs` lines to the `log` callback as they appear, until SUCCESS
 *      (→ handle, url `https://<staticUrl>`) or FAILED/CRASHED/REMOVED/SKIPPED
 *      (→ DeployError quoting the log tail, carrying the handle).
 *
 * What the source is — and what a real Railway deploy still needs:
 *   - Railway's own way to ship local files is the CLI's `railway up`: it packs the
 *     folder into a gzipped tarball (honouring .gitignore/.railwayignore) and POSTs it
 *     to `https://backboard.railway.com/project/<projectId>/environment/<environmentId>/up?serviceId=<id>`
 *     (not part of the public GraphQL API, and not in the test fake). This driver does
 *     NOT upload `input.appDir` yet. Instead the service is created with
 *     `source: { repo }` (setting `source_repo`, a GitHub repo Railway can read — the
 *     platform would push the version there) or `source: { image }` (setting
 *     `source_image`). Without either, `deploy` refuses with a DeployError saying so.
 *   - A public URL: Railway only gives a service a `*.up.railway.app` hostname after
 *     `serviceDomainCreate`; the health check on `/health` needs
 *     `serviceInstanceUpdate(input: { healthcheckPath: "/health" })`. Neither is in
 *     the fake's schema, so neither is sent; a real deploy needs both.
 *   - Projects created here are never deleted (`projectDelete` is not in the fake):
 *     `destroy` deletes the service only. Setting `project_id` avoids the leak.
 *   - Project tokens use the `Project-Access-Token` header instead of Bearer; only
 *     account/workspace tokens are supported.
 */

export type RailwaySource = { repo: string } | { image: string }

export type RailwayTargetOptions = {
  token: string
  apiUrl?: string
  projectId?: string
  environmentId?: string
  /** What the service is built from (see the header: no tarball upload yet). */
  source?: RailwaySource
  /** Between two `deployment(id)` polls. Default 2000 ms. */
  pollIntervalMs?: number
  /** The most a deploy may take from `serviceInstanceDeployV2` to SUCCESS. Default 15 min. */
  deployTimeoutMs?: number
  /** One API request. Default 30 s. */
  requestTimeoutMs?: number
  /** How often a 429 is retried before giving up. Default 5. */
  maxRateLimitRetries?: number
  /** Ceiling of one Retry-After wait. Default 60 s. */
  maxRetryAfterMs?: number
  /** After SUCCESS, wait until `GET <url>/health` answers 2xx (within `startTimeoutMs`). Default true. */
  verifyHealth?: boolean
  /** How long the live app has to answer /health when `verifyHealth`. Default 60 s. */
  startTimeoutMs?: number
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
type Lineage = { projectId: string; environmentId: string; serviceId: string; createdProject: boolean }

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
  /** deploymentId (lineage) → what Railway made for it, so a repeated deploy reuses it. */
  readonly #lineages = new Map<string, Lineage>()

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
  }

  // -------------------------------------------------------------------------
  // The GraphQL client

  async #gql<T>(operation: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        response = await fetch(this.#apiUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'accept': 'application/json',
            'authorization': `Bearer ${this.#token}`,
          },
          body: JSON.stringify({ query, variables, operationName: operation }),
          signal: AbortSignal.timeout(this.#requestTimeoutMs),
        })
      } catch (error) {
        const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.#requestTimeoutMs} ms` : String((error as Error)?.message ?? error)
        throw new RailwayApiError(`Could not reach Railway at ${this.#apiUrl} (${operation}): ${why}`, [])
      }
      const text = await response.text()
      let body: { data?: T | null; errors?: Array<{ message?: string }> } | undefined
      try {
        body = text ? JSON.parse(text) : undefined
      } catch {
        body = undefined
      }
      const messages = (body?.errors ?? []).map((e) => String(e?.message ?? 'unknown error'))

      if (response.status === 429) {
        if (attempt >= this.#maxRateLimitRetries) {
          throw new RailwayApiError(
            `Railway rate limit hit ${attempt + 1} times in a row (${operation}): “${messages[0] ?? 'Too Many Requests'}”. Try again in a few minutes.`,
            messages,
            429
          )
        }
        await sleep(this.#retryAfterMs(response.headers, attempt))
        continue
      }
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
    const source = this.options.source
    if (!source) {
      throw new DeployError(
        'The Railway target cannot upload the app’s files yet: set its “source_repo” (a GitHub repo Railway builds from) or “source_image” setting.'
      )
    }
    const lineage = await this.#lineage(input, source)
    const variables = { ...input.env, NODE_ENV: 'production', HOST: '0.0.0.0' }
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
    const { serviceInstanceDeployV2: deploymentId } = await this.#gql<{ serviceInstanceDeployV2: string }>(
      'Deploy',
      `mutation Deploy($serviceId: String!, $environmentId: String!) { serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId) }`,
      { serviceId: lineage.serviceId, environmentId: lineage.environmentId }
    )
    const handle: DeployHandle = {
      id: deploymentId,
      url: '',
      data: {
        deploymentId: input.deploymentId,
        projectId: lineage.projectId,
        environmentId: lineage.environmentId,
        serviceId: lineage.serviceId,
        createdProject: lineage.createdProject,
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
        const host = deployment.staticUrl || deployment.url
        if (!host) return fail('Railway reports the deployment live, but it has no public URL (the service needs a domain).')
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

  async #lineage(input: DeployInput, source: RailwaySource): Promise<Lineage> {
    const known = this.#lineages.get(input.deploymentId)
    if (known) return known
    let projectId = this.options.projectId
    let environmentId = this.options.environmentId
    let createdProject = false
    type Environments = { environments: { edges: Array<{ node: { id: string; name: string } }> } }
    let environments: Environments['environments'] | undefined
    if (!projectId) {
      const { projectCreate } = await this.#gql<{ projectCreate: { id: string } & Environments }>(
        'CreateProject',
        `mutation CreateProject($input: ProjectCreateInput!) { projectCreate(input: $input) { id environments { edges { node { id name } } } } }`,
        { input: { name: `xbasis-${input.deploymentId}`, description: 'Made by xBasis', defaultEnvironmentName: 'production' } }
      )
      projectId = projectCreate.id
      environments = projectCreate.environments
      createdProject = true
    }
    if (!environmentId) {
      if (!environments) {
        const { project } = await this.#gql<{ project: Environments }>(
          'ProjectEnvironments',
          `query ProjectEnvironments($id: String!) { project(id: $id) { environments { edges { node { id name } } } } }`,
          { id: projectId }
        )
        environments = project.environments
      }
      const nodes = environments.edges.map((e) => e.node)
      environmentId = (nodes.find((n) => n.name === 'production') ?? nodes[0])?.id
      if (!environmentId) throw new DeployError(`The Railway project ${projectId} has no environment to deploy to.`)
    }
    const { serviceCreate } = await this.#gql<{ serviceCreate: { id: string } }>(
      'CreateService',
      `mutation CreateService($input: ServiceCreateInput!) { serviceCreate(input: $input) { id } }`,
      { input: { projectId, environmentId, name: `xbasis-${input.deploymentId}`.slice(0, 60), source } }
    )
    const lineage = { projectId, environmentId, serviceId: serviceCreate.id, createdProject }
    this.#lineages.set(input.deploymentId, lineage)
    return lineage
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

  /** Deletes the service (with its deployments and variables). Twice is harmless. */
  async destroy(handle: DeployHandle): Promise<void> {
    const serviceId = typeof handle.data.serviceId === 'string' ? handle.data.serviceId : undefined
    if (!serviceId) return this.stop(handle)
    try {
      await this.#gql('DeleteService', `mutation DeleteService($id: String!) { serviceDelete(id: $id) }`, { id: serviceId })
    } catch (error) {
      // Railway answers "Not Authorized" for ids that no longer exist, as for ids the
      // token cannot see: after a first destroy, that is the expected answer.
      if (error instanceof RailwayApiError && error.railwayMessages.some((m) => /not found|not authori[sz]ed/i.test(m))) return
      throw error
    }
    for (const [key, lineage] of this.#lineages) if (lineage.serviceId === serviceId) this.#lineages.delete(key)
  }
}

function toLine(entry: RailwayLog, stream: LogLine['stream']): LogLine {
  const at = Number.isNaN(Date.parse(entry.timestamp)) ? new Date().toISOString() : new Date(entry.timestamp).toISOString()
  return { at, stream, text: entry.message }
}
