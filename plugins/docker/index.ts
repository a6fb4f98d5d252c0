import { definePlugin } from '#plugins/definition'
import type { DeployTarget } from '#deploy/contract'

const number = (value: string | undefined) => {
  const parsed = value === undefined || value === '' ? NaN : Number(value)
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined
}

/**
 * Where the Docker engine is: the `socket_path` setting, else `host`
 * (DOCKER_HOST: unix:///path or tcp://host:port), else dockerode's own
 * defaults (DOCKER_HOST with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, or
 * /var/run/docker.sock).
 */
export function engineOptions(settings: { socket_path?: string; host?: string }): { options: Record<string, unknown> | undefined; where: string } {
  if (settings.socket_path) return { options: { socketPath: settings.socket_path }, where: `unix://${settings.socket_path}` }
  const host = settings.host
  if (host && host !== process.env.DOCKER_HOST) {
    if (host.startsWith('unix://')) return { options: { socketPath: host.slice('unix://'.length) }, where: host }
    if (host.startsWith('/')) return { options: { socketPath: host }, where: `unix://${host}` }
    const url = new URL(host.replace(/^tcp:/, 'http:'))
    return { options: { host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === 'https:' ? 'https' : 'http' }, where: host }
  }
  return { options: undefined, where: process.env.DOCKER_HOST || 'unix:///var/run/docker.sock' }
}

/**
 * Runs each app as a Docker container built from its version's files
 * (Docker Engine API, through dockerode).
 */
export default definePlugin<DeployTarget>({
  id: 'docker',
  kind: 'deploy-target',
  name: 'Docker',
  description:
    'Builds an image per deployment and runs it as a container with memory, CPU and process limits, a health check on /health and its port published on 127.0.0.1. Needs a Docker engine (DOCKER_HOST or a socket path).',
  version: '1.0.0',
  hostApi: '^1.0.0',
  settings: [
    {
      name: 'host',
      label: 'Docker engine',
      help: 'unix:///var/run/docker.sock or tcp://host:2375. Empty: DOCKER_HOST, else /var/run/docker.sock.',
      scopes: ['platform'],
      env: 'DOCKER_HOST',
    },
    {
      name: 'socket_path',
      label: 'Socket path',
      help: 'Path of the engine’s unix socket; when set, it wins over the engine address.',
      scopes: ['platform'],
      env: 'DOCKER_SOCKET_PATH',
    },
    {
      name: 'base_image',
      label: 'Base image',
      help: 'FROM of every app image: Node.js 20 with node and npm. Never pulled when present; a machine without a registry builds one with docker/make-app-base-image.sh.',
      scopes: ['platform'],
      env: 'DOCKER_APP_BASE_IMAGE',
      default: 'node:20-slim',
    },
    {
      name: 'network',
      label: 'Network',
      help: 'Docker network the apps join. Empty: Docker’s default bridge.',
      scopes: ['platform'],
      env: 'DOCKER_APP_NETWORK',
    },
    {
      name: 'build_network',
      label: 'Build network',
      help: 'Network of the build steps (npm install), e.g. host. Empty: Docker’s default.',
      scopes: ['platform'],
      env: 'DOCKER_BUILD_NETWORK',
    },
    {
      name: 'host_ip',
      label: 'Published on',
      help: 'Host IP the apps’ ports are published on, and the host of their URLs.',
      scopes: ['platform'],
      env: 'DOCKER_APP_HOST_IP',
      default: '127.0.0.1',
    },
    {
      name: 'memory_mb',
      label: 'Memory per app (MB)',
      type: 'number',
      help: 'Memory limit of each container (no swap), and the most a deployment may ask for.',
      scopes: ['platform'],
      env: 'DOCKER_APP_MEMORY_MB',
      default: '512',
    },
    {
      name: 'cpus',
      label: 'CPUs per app',
      type: 'number',
      help: 'CPU limit of each container (1 = one core).',
      scopes: ['platform'],
      env: 'DOCKER_APP_CPUS',
      default: '1',
    },
    {
      name: 'pids_limit',
      label: 'Processes per app',
      type: 'number',
      help: 'Most processes and threads a container may run.',
      scopes: ['platform'],
      env: 'DOCKER_APP_PIDS_LIMIT',
      default: '256',
    },
    {
      name: 'start_timeout_ms',
      label: 'Start timeout (ms)',
      type: 'number',
      help: 'How long a started container has to be healthy (answer GET /health).',
      scopes: ['platform'],
      env: 'DOCKER_START_TIMEOUT_MS',
      default: '60000',
    },
    {
      name: 'health_interval_ms',
      label: 'Health check interval (ms)',
      type: 'number',
      help: 'How often Docker runs the app’s health check (GET /health).',
      scopes: ['platform'],
      env: 'DOCKER_HEALTH_INTERVAL_MS',
      default: '2000',
    },
  ],
  async create({ settings }) {
    const [{ default: Docker }, { createDockerTarget }] = await Promise.all([import('dockerode'), import('./target.js')])
    const { options, where } = engineOptions(settings)
    return createDockerTarget({
      docker: new Docker(options as any),
      where,
      baseImage: settings.base_image || undefined,
      network: settings.network || undefined,
      buildNetwork: settings.build_network || undefined,
      hostIp: settings.host_ip || undefined,
      memoryMb: number(settings.memory_mb),
      cpus: number(settings.cpus),
      pidsLimit: number(settings.pids_limit),
      startTimeoutMs: number(settings.start_timeout_ms),
      healthIntervalMs: number(settings.health_interval_ms),
    })
  },
})
