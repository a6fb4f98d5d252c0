import { definePlugin } from '#plugins/definition'
import type { DeployTarget } from '#deploy/contract'

const number = (value: string | undefined) => {
  const parsed = value === undefined || value === '' ? NaN : Number(value)
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined
}

/**
 * Deploys apps to Railway (railway.com) through its public GraphQL API v2
 * and the source upload of `railway up`, with plain `fetch`. See `target.ts`
 * for what it makes on Railway and the flow of one deploy.
 */
export default definePlugin<DeployTarget>({
  id: 'railway',
  kind: 'deploy-target',
  name: 'Railway',
  description:
    'Deploys each app to Railway: a project per app, a service per environment with a public domain and a /health check, its variables, and the version’s files uploaded as `railway up` does. Needs a Railway account or workspace token.',
  version: '0.2.0',
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
      help: 'Deploy every app as services of this Railway project. Empty: one project per app, made on its first deployment.',
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
      name: 'workspace_id',
      label: 'Workspace id',
      help: 'The Railway workspace new projects are made in. Empty: the token’s own.',
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_WORKSPACE_ID',
    },
    {
      name: 'source_repo',
      label: 'Source repository',
      help: 'Optional: a GitHub repository (owner/name) Railway builds every service from, instead of uploading the version’s files.',
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_SOURCE_REPO',
    },
    {
      name: 'source_image',
      label: 'Source image',
      help: 'Optional: a Docker image Railway runs instead of the uploaded files, when no repository is set.',
      scopes: ['platform', 'workspace'],
      env: 'RAILWAY_SOURCE_IMAGE',
    },
    {
      name: 'max_upload_mb',
      label: 'Upload limit (MB)',
      type: 'number',
      help: 'Deploys whose gzipped files (without node_modules and .git) are larger are refused.',
      scopes: ['platform'],
      env: 'RAILWAY_MAX_UPLOAD_MB',
      default: '50',
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
      workspaceId: settings.workspace_id || undefined,
      source,
      maxUploadBytes: number(settings.max_upload_mb) === undefined ? undefined : Math.round(number(settings.max_upload_mb)! * 1024 * 1024),
      pollIntervalMs: number(settings.poll_interval_ms),
      deployTimeoutMs: number(settings.deploy_timeout_ms),
      requestTimeoutMs: number(settings.request_timeout_ms),
      verifyHealth: settings.verify_health !== 'false',
    })
  },
})
