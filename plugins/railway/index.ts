import { definePlugin } from '#plugins/definition'
import type { DeployTarget } from '#deploy/contract'

const number = (value: string | undefined) => {
  const parsed = value === undefined || value === '' ? NaN : Number(value)
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined
}

/**
 * Deploys apps to Railway (railway.com) through its public GraphQL API v2,
 * with plain `fetch`. See `target.ts` for the flow and for what a real
 * deploy still needs (Railway has no public upload of local files: the
 * service is built from `source_repo` or `source_image`).
 */
export default definePlugin<DeployTarget>({
  id: 'railway',
  kind: 'deploy-target',
  name: 'Railway',
  description:
    'Deploys each app as a Railway service (project, service, variables, deployment) through Railway’s GraphQL API. Needs a Railway account or workspace token.',
  version: '0.1.0',
  hostApi: '^1.0.0',
  settings: [
    {
      name: 'token',
      label: 'API token',
      help: 'A Railway account or workspace token (Account settings → Tokens). Project tokens are not supported.',
      required: true,
      secret: true,
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_TOKEN',
    },
    {
      name: 'api_url',
      label: 'API URL',
      type: 'url',
      help: 'Railway’s GraphQL endpoint.',
      scopes: ['platform'],
      env: 'RAILWAY_API_URL',
      default: 'https://backboard.railway.com/graphql/v2',
    },
    {
      name: 'project_id',
      label: 'Project id',
      help: 'Deploy every app as a service of this Railway project. Empty: one new project per deployment.',
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_PROJECT_ID',
    },
    {
      name: 'environment_id',
      label: 'Environment id',
      help: 'The Railway environment to deploy to. Empty: the project’s “production” (or first) environment.',
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_ENVIRONMENT_ID',
    },
    {
      name: 'source_repo',
      label: 'Source repository',
      help: 'GitHub repository (owner/name) Railway builds the service from. Local files are not uploaded yet.',
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_SOURCE_REPO',
    },
    {
      name: 'source_image',
      label: 'Source image',
      help: 'Docker image Railway runs instead, when no repository is set.',
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_SOURCE_IMAGE',
    },
    {
      name: 'poll_interval_ms',
      label: 'Poll interval (ms)',
      type: 'number',
      help: 'Time between two status checks of a running deploy.',
      scopes: ['platform'],
      env: 'RAILWAY_POLL_INTERVAL_MS',
      default: '2000',
    },
    {
      name: 'deploy_timeout_ms',
      label: 'Deploy timeout (ms)',
      type: 'number',
      help: 'How long a deploy (build included) may take before it counts as failed.',
      scopes: ['platform'],
      env: 'RAILWAY_DEPLOY_TIMEOUT_MS',
      default: '900000',
    },
    {
      name: 'request_timeout_ms',
      label: 'Request timeout (ms)',
      type: 'number',
      help: 'How long one API request may take.',
      scopes: ['platform'],
      env: 'RAILWAY_REQUEST_TIMEOUT_MS',
      default: '30000',
    },
    {
      name: 'verify_health',
      label: 'Check /health',
      help: '“false”: trust Railway’s SUCCESS status instead of also waiting for GET <url>/health to answer.',
      scopes: ['platform'],
      env: 'RAILWAY_VERIFY_HEALTH',
      default: 'true',
    },
  ],
  async create({ settings }) {
    const { createRailwayTarget } = await import('./target.js')
    const source = settings.source_repo
      ? { repo: settings.source_repo }
      : settings.source_image
        ? { image: settings.source_image }
        : undefined
    return createRailwayTarget({
      token: settings.token ?? '',
      apiUrl: settings.api_url || undefined,
      projectId: settings.project_id || undefined,
      environmentId: settings.environment_id || undefined,
      source,
      pollIntervalMs: number(settings.poll_interval_ms),
      deployTimeoutMs: number(settings.deploy_timeout_ms),
      requestTimeoutMs: number(settings.request_timeout_ms),
      verifyHealth: settings.verify_health !== 'false',
    })
  },
})
