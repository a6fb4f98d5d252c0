import { definePlugin } from '#plugins/definition'
import type { DeployTarget } from '#deploy/contract'

const number = (value: string | undefined) => {
  const parsed = value === undefined || value === '' ? NaN : Number(value)
  return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined
}

/**
 * Deploys each version to Vercel through its REST API (plain fetch): one
 * Vercel project per app holds the app's variables per target (production,
 * preview), the files are uploaded inline, a generated function runs the
 * app's Node HTTP server, and the app answers at its `https://….vercel.app`
 * URL. See `target.ts` for how an `npm start` server maps onto Vercel and
 * its limits.
 */
export default definePlugin<DeployTarget>({
  id: 'vercel',
  kind: 'deploy-target',
  name: 'Vercel',
  description:
    'Deploys each app to its own Vercel project (REST API, inline file upload, variables as encrypted project variables per target) as a Node.js function wrapping its HTTP server; answers at a *.vercel.app URL.',
  version: '1.1.0',
  hostApi: '^1.0.0',
  settings: [
    {
      name: 'token',
      label: 'Access token',
      help: 'A Vercel access token (Account Settings → Tokens) with access to the team below.',
      secret: true,
      required: true,
      scopes: ['platform', 'workspace'],
      env: 'VERCEL_TOKEN',
    },
    {
      name: 'team_id',
      label: 'Team id',
      help: 'Deploy into this team (team_…), sent as ?teamId= on every call. Empty: the token owner’s personal account.',
      scopes: ['platform', 'workspace'],
      env: 'VERCEL_TEAM_ID',
    },
    {
      name: 'api_url',
      label: 'API URL',
      type: 'url',
      help: 'Vercel’s REST API base.',
      scopes: ['platform'],
      env: 'VERCEL_API_URL',
      default: 'https://api.vercel.com',
    },
    {
      name: 'max_upload_mb',
      label: 'Upload limit (MB)',
      type: 'number',
      help: 'Deploys whose files (without node_modules and .git) are larger are refused.',
      scopes: ['platform'],
      env: 'VERCEL_MAX_UPLOAD_MB',
      default: '10',
    },
    {
      name: 'build_timeout_ms',
      label: 'Build timeout (ms)',
      type: 'number',
      help: 'How long a deployment may take to become READY on Vercel.',
      scopes: ['platform'],
      env: 'VERCEL_BUILD_TIMEOUT_MS',
      default: '900000',
    },
    {
      name: 'poll_interval_ms',
      label: 'Poll interval (ms)',
      type: 'number',
      help: 'Time between two checks of a deployment’s state while it builds.',
      scopes: ['platform'],
      env: 'VERCEL_POLL_INTERVAL_MS',
      default: '2000',
    },
    {
      name: 'request_timeout_ms',
      label: 'API call timeout (ms)',
      type: 'number',
      scopes: ['platform'],
      env: 'VERCEL_REQUEST_TIMEOUT_MS',
      default: '30000',
    },
  ],
  async create({ settings }) {
    const { createVercelTarget } = await import('./target.js')
    const maxUploadMb = number(settings.max_upload_mb)
    return createVercelTarget({
      token: settings.token ?? '',
      teamId: settings.team_id || undefined,
      apiUrl: settings.api_url || undefined,
      maxUploadBytes: maxUploadMb === undefined ? undefined : Math.round(maxUploadMb * 1024 * 1024),
      buildTimeoutMs: number(settings.build_timeout_ms),
      requestTimeoutMs: number(settings.request_timeout_ms),
      pollIntervalMs: number(settings.poll_interval_ms),
    })
  },
})
