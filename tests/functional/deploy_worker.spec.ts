import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONFIG_VARS, processesIn, PROJECT_ROOT, removePlatform, startPlatform, type PlatformProcess } from '#tests/helpers/platform_process'


/**
 * With Redis, a platform started with XBASIS_WORKER=false only queues
 * deployments; `node ace xbasis:worker`, a process of its own on the same
 * data, runs them.
 */
test.group('Deployments: a separate worker process', (group) => {
  let dataDir = ''
  let platform: PlatformProcess | null = null
  let worker: ChildProcess | null = null
  group.each.setup(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'xbasis-worker-'))
    return async () => {
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        worker.kill('SIGTERM')
        await new Promise((resolve) => worker!.once('exit', resolve))
      }
      await removePlatform(platform, dataDir)
    }
  })

  test('node ace xbasis:worker runs the deployments a platform with XBASIS_WORKER=false queues', async ({ assert }) => {
    const shared = {
      REDIS_HOST: process.env.REDIS_HOST || '127.0.0.1',
      REDIS_PORT: process.env.REDIS_PORT || '6379',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX ?? 'xbasis:'}worker-${randomUUID().slice(0, 8)}:`,
      DATA_DIR: dataDir,
    }
    platform = await startPlatform({ dataDir, env: { ...shared, XBASIS_WORKER: 'false' }, timeoutMs: 300_000 })
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(platform!.url + path, {
        method,
        headers: { 'content-type': 'application/json', 'accept': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return (await response.json()) as any
    }
    const token = (await call('POST', '/api/v1/auth/register', { name: 'Ops', email: 'ops@example.com', password: 'an ops password' })).token.value
    const { project } = await call('POST', '/api/v1/projects', { name: 'Queued' }, token)
    await call('POST', `/api/v1/projects/${project.id}/messages`, { content: 'a landing page', provider: 'offline' }, token)
    const created = (await call('POST', `/api/v1/projects/${project.id}/deployments`, { environment: 'production' }, token)).deployment
    await new Promise((resolve) => setTimeout(resolve, 2000))
    assert.equal((await call('GET', `/api/v1/deployments/${created.id}`, undefined, token)).deployment.status, 'queued', 'no consumer in the platform')

    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !CONFIG_VARS.test(key)) env[key] = value
    let output = ''
    worker = spawn(process.execPath, ['ace', 'xbasis:worker'], { cwd: PROJECT_ROOT, env: { ...env, ...shared }, stdio: ['ignore', 'pipe', 'pipe'] })
    worker.stdout!.on('data', (chunk) => (output += chunk))
    worker.stderr!.on('data', (chunk) => (output += chunk))

    let deployment = created
    for (let i = 0; i < 1200 && !['live', 'failed'].includes(deployment.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      deployment = (await call('GET', `/api/v1/deployments/${created.id}`, undefined, token)).deployment
    }
    assert.equal(deployment.status, 'live', `${deployment.reason}\n${output}`)
    assert.match(output, /is running jobs/)
    const app = `${platform.url}/apps/${new URL(deployment.url).hostname.split('.')[0]}/health`
    assert.equal((await fetch(app)).status, 200, 'the platform routes to the app the worker runs')
    const running = processesIn(`${join(dataDir, 'deployments', `d${created.id}`)}/`)
    assert.lengthOf(running, 1)
    assert.equal(running[0].ppid, worker.pid, 'the app is a child of the worker process')

    // SIGTERM: the worker stops its apps and exits.
    worker.kill('SIGTERM')
    const code = await new Promise((resolve) => worker!.once('exit', resolve))
    assert.equal(code, 0, output)
    assert.lengthOf(processesIn(`${join(dataDir, 'deployments')}/`), 0)
  }).timeout(900_000)
})
