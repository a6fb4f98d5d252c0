import { test } from '@japa/runner'
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPlatform, type PlatformProcess } from '#tests/helpers/platform_process'

/**
 * Acceptance 5: killing the platform (SIGKILL) during a deployment, then
 * starting it again on the same data: the deployment ends failed with a
 * reason (in-process queue) or is resumed to live (Redis queue), never stuck;
 * nothing else is lost; no app of the killed platform keeps running.
 */

/** An app that takes a few seconds to answer /health: a deployment of it can be interrupted. */
const SLOW_APP = {
  'package.json': JSON.stringify({ name: 'slow', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }, null, 2),
  'server.js': `const http = require('node:http')
console.log('warming up')
setTimeout(() => {
  http.createServer((req, res) => res.end(req.url === '/health' ? 'ok' : 'slow app ready')).listen(Number(process.env.PORT), process.env.HOST)
  console.log('listening')
}, 4000)
`,
}

type Api = ReturnType<typeof client>
function client(platform: () => PlatformProcess, token: () => string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(platform().url + path, {
      method,
      headers: { 'content-type': 'application/json', 'accept': 'application/json', 'authorization': `Bearer ${token()}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json().catch(() => null)) as any }
  }
}

async function waitStatus(api: Api, id: number, done: (deployment: any) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms
  let deployment: any
  const seen = new Set<string>()
  while (Date.now() < deadline) {
    deployment = (await api('GET', `/api/v1/deployments/${id}`)).body.deployment
    seen.add(deployment.status)
    if (done(deployment)) return { deployment, seen }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`deployment ${id} stayed ${deployment?.status} (${JSON.stringify(deployment)})`)
}

/** Processes whose working directory is inside the folder. */
function processesIn(dir: string) {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false
    try {
      return `${readlinkSync(`/proc/${pid}/cwd`)}/`.startsWith(dir)
    } catch {
      return false
    }
  })
}

/** Signs up, makes a project with a chat turn, a live deployment, then a version of the slow app. */
async function prepare(api: Api, setToken: (token: string) => void, platform: PlatformProcess, assert: any) {
  const registered = await fetch(`${platform.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json' },
    body: JSON.stringify({ name: 'Ops', email: `ops-${randomUUID().slice(0, 6)}@example.com`, password: 'an ops password' }),
  })
  setToken(((await registered.json()) as any).token.value)
  const { project } = (await api('POST', '/api/v1/projects', { name: 'Restart' })).body
  const turn = await api('POST', `/api/v1/projects/${project.id}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
  assert.equal(turn.status, 201, JSON.stringify(turn.body))
  const first = (await api('POST', `/api/v1/projects/${project.id}/deployments`, { environment: 'preview' })).body.deployment
  const { deployment: earlier } = await waitStatus(api, first.id, (d) => ['live', 'failed'].includes(d.status))
  assert.equal(earlier.status, 'live', earlier.reason)
  for (const [path, content] of Object.entries(SLOW_APP)) {
    const saved = await api('PUT', `/api/v1/projects/${project.id}/files/${path}`, { content })
    assert.include([200, 201], saved.status, JSON.stringify(saved.body))
  }
  const before = {
    files: (await api('GET', `/api/v1/projects/${project.id}/files`)).body,
    versions: (await api('GET', `/api/v1/projects/${project.id}/versions`)).body,
    messages: (await api('GET', `/api/v1/projects/${project.id}/messages`)).body,
    // The automatic preview of the chat turn and the one above.
    deployments: (await api('GET', `/api/v1/projects/${project.id}/deployments`)).body.deployments as any[],
  }
  // The deployment to interrupt: killed while it waits for the slow app to answer.
  const interrupted = (await api('POST', `/api/v1/projects/${project.id}/deployments`, { environment: 'production' })).body.deployment
  await waitStatus(api, interrupted.id, (d) => d.status === 'deploying', 30_000)
  const logs = async () => (await api('GET', `/api/v1/deployments/${interrupted.id}/logs`)).body.logs.map((l: any) => l.text).join('\n')
  for (let i = 0; i < 100 && !(await logs()).includes('warming up'); i++) await new Promise((r) => setTimeout(r, 100))
  assert.include(await logs(), 'warming up', 'the app had started when the platform was killed')
  return { project, earlier, interrupted, before }
}

test.group('Deployments: the platform killed mid-deployment', (group) => {
  let dataDir = ''
  let platform: PlatformProcess | null = null
  group.each.setup(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'xbasis-restart-'))
    return async () => {
      await platform?.stop()
      platform = null
      for (const pid of processesIn(dataDir)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {}
      }
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  test('without Redis: the interrupted deployment ends failed with a reason; nothing else is lost; a new deploy works', async ({ assert }) => {
    let token = ''
    platform = await startPlatform({ dataDir, timeoutMs: 300_000 })
    const api = client(() => platform!, () => token)
    const { project, earlier, interrupted, before } = await prepare(api, (t) => (token = t), platform, assert)

    platform.child.kill('SIGKILL')
    await platform.stop()
    platform = await startPlatform({ dataDir, timeoutMs: 300_000 })

    const after = (await api('GET', `/api/v1/deployments/${interrupted.id}`)).body.deployment
    assert.equal(after.status, 'failed')
    assert.match(after.reason, /Interrupted: the platform restarted/)
    // The rest is as it was: files, versions, chat, the earlier deployment (its app ended with the platform).
    assert.deepEqual((await api('GET', `/api/v1/projects/${project.id}/files`)).body, before.files)
    assert.deepEqual((await api('GET', `/api/v1/projects/${project.id}/versions`)).body, before.versions)
    assert.deepEqual((await api('GET', `/api/v1/projects/${project.id}/messages`)).body, before.messages)
    const list = (await api('GET', `/api/v1/projects/${project.id}/deployments`)).body.deployments
    assert.sameMembers(list.map((d: any) => d.id), [...before.deployments.map((d) => d.id), interrupted.id])
    for (const old of before.deployments) {
      const now = list.find((d: any) => d.id === old.id)
      // A live app ended with the platform: stopped; the others are as they were.
      assert.containsSubset(now, { version: old.version, environment: old.environment, status: old.status === 'live' ? 'stopped' : old.status })
    }
    assert.equal(list.find((d: any) => d.id === earlier.id).status, 'stopped')

    // Deploying again works, and the killed platform's app is no longer running.
    const again = (await api('POST', `/api/v1/projects/${project.id}/deployments`, { environment: 'production' })).body.deployment
    const { deployment: live } = await waitStatus(api, again.id, (d) => ['live', 'failed'].includes(d.status))
    assert.equal(live.status, 'live', live.reason)
    const app = `${platform.url}/apps/${new URL(live.url).hostname.split('.')[0]}/`
    assert.equal(await (await fetch(app)).text(), 'slow app ready')
    assert.deepEqual(processesIn(`${join(dataDir, 'deployments', `d${interrupted.id}`)}/`), [], 'the interrupted deployment’s app was stopped')
  }).timeout(900_000)

  test('with Redis: the interrupted deployment is resumed and goes live', async ({ assert }) => {
    let token = ''
    const env = {
      REDIS_HOST: process.env.REDIS_HOST || '127.0.0.1',
      REDIS_PORT: process.env.REDIS_PORT || '6379',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX ?? 'xbasis:'}restart-${randomUUID().slice(0, 8)}:`,
      XBASIS_WORKER_LEASE_SECONDS: '2',
    }
    platform = await startPlatform({ dataDir, env, timeoutMs: 300_000 })
    const api = client(() => platform!, () => token)
    const { project, interrupted, before } = await prepare(api, (t) => (token = t), platform, assert)

    platform.child.kill('SIGKILL')
    await platform.stop()
    platform = await startPlatform({ dataDir, env, timeoutMs: 300_000 })

    const { deployment, seen } = await waitStatus(api, interrupted.id, (d) => ['live', 'failed'].includes(d.status))
    assert.equal(deployment.status, 'live', deployment.reason)
    assert.notInclude([...seen], 'failed')
    const logs = (await api('GET', `/api/v1/deployments/${interrupted.id}/logs`)).body.logs.map((l: any) => l.text).join('\n')
    assert.include(logs, 'Resuming: the worker that was running this deployment stopped')
    const app = `${platform.url}/apps/${new URL(deployment.url).hostname.split('.')[0]}/`
    assert.equal(await (await fetch(app)).text(), 'slow app ready')
    assert.deepEqual((await api('GET', `/api/v1/projects/${project.id}/versions`)).body, before.versions)
    assert.deepEqual((await api('GET', `/api/v1/projects/${project.id}/messages`)).body, before.messages)
    // One app runs for the deployment: the killed platform's copy was stopped.
    assert.lengthOf(processesIn(`${join(dataDir, 'deployments', `d${interrupted.id}`)}/`), 1)
  }).timeout(900_000)
})
