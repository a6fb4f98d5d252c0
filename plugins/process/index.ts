import { definePlugin } from '#plugins/definition'
import type { DeployTarget } from '#deploy/contract'

const number = (value: string | undefined) => {
  const parsed = value === undefined || value === '' ? NaN : Number(value)
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined
}

/**
 * The embedded default deploy target: each app runs as a supervised child
 * process of the platform on 127.0.0.1, from a working copy under
 * `<data_dir>` (default `$DATA_DIR/deployments`). No Docker, no network
 * beyond `npm install` when the app has dependencies.
 */
export default definePlugin<DeployTarget>({
  id: 'process',
  kind: 'deploy-target',
  name: 'Local processes',
  description:
    'Runs each app as a supervised Node.js process on this machine (127.0.0.1), restarted with back-off when it crashes. The default; for a single machine.',
  version: '1.0.0',
  hostApi: '^1.0.0',
  settings: [
    {
      name: 'data_dir',
      label: 'Working directory',
      help: 'Where the apps’ working copies and logs go. Default: $DATA_DIR/deployments.',
      scopes: ['platform'],
      env: 'PROCESS_DEPLOY_DIR',
    },
    {
      name: 'app_data_dir',
      label: 'App data directory',
      help: 'Where each app keeps the data its visitors save (one folder per project and environment, kept across deployments, removed with the project). Default: $DATA_DIR/app-data.',
      scopes: ['platform'],
      env: 'PROCESS_APP_DATA_DIR',
    },
    {
      name: 'base_port',
      label: 'First port',
      type: 'number',
      help: 'Apps get the first free port from here on. Empty: any free port.',
      scopes: ['platform'],
      env: 'PROCESS_BASE_PORT',
    },
    {
      name: 'max_memory_mb',
      label: 'Memory per app (MB)',
      type: 'number',
      help: 'Heap ceiling of each app (--max-old-space-size), and the most a deployment may ask for.',
      scopes: ['platform'],
      env: 'PROCESS_MAX_MEMORY_MB',
      default: '512',
    },
    {
      name: 'start_timeout_ms',
      label: 'Start timeout (ms)',
      type: 'number',
      help: 'How long a started app has to answer GET /health.',
      scopes: ['platform'],
      env: 'PROCESS_START_TIMEOUT_MS',
      default: '30000',
    },
    {
      name: 'npm_registry',
      label: 'npm registry',
      help: 'The registry `npm install` uses for apps with dependencies (the app’s own .npmrc and the project’s variables never change it). Default: https://registry.npmjs.org/.',
      scopes: ['platform'],
      env: 'PROCESS_NPM_REGISTRY',
    },
  ],
  async create({ settings }) {
    const { createProcessTarget } = await import('./target.js')
    return createProcessTarget({
      rootDir: settings.data_dir || undefined,
      appDataDir: settings.app_data_dir || undefined,
      basePort: number(settings.base_port),
      maxMemoryMb: number(settings.max_memory_mb),
      startTimeoutMs: number(settings.start_timeout_ms),
      npmRegistry: settings.npm_registry || undefined,
    })
  },
})
