import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processesIn, removePlatform, startPlatform, type PlatformProcess } from '#tests/helpers/platform_process'
import { WebClient } from '#tests/helpers/web_client'

/**
 * Issue 11, acceptance 3: apps that were live come back by themselves after
 * the platform is killed (SIGKILL) and started again on the same data.
 *
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
  // The turn's automatic preview settles first: an older deployment that goes live after a newer one of the
  // same environment replaces it (markReplaced), which would end `first` before the kill.
  for (let i = 0; i < 600; i++) {
    const list = (await api('GET', `/api/v1/projects/${project.id}/deployments`)).body.deployments as any[]
    if (list.length && list.every((d) => ['live', 'failed', 'stopped'].includes(d.status))) break
    await new Promise((r) => setTimeout(r, 100))
  }
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
      await removePlatform(platform, dataDir)
      platform = null
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
      assert.containsSubset(now, { version: old.version, environment: old.environment })
      // A live app comes back by itself (starting, then live); the others are as they were.
      if (old.status === 'live') assert.include(['starting', 'live'], now.status)
      else assert.equal(now.status, old.status)
    }
    const { deployment: back } = await waitStatus(api, earlier.id, (d) => ['live', 'failed'].includes(d.status), 20_000)
    assert.equal(back.status, 'live', back.reason)

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

/** A small app that keeps notes in a file of its own folder (no dependencies: no npm install). */
const NOTES_APP = (name: string) => ({
  'package.json': JSON.stringify({ name, version: '1.0.0', private: true, scripts: { start: 'node server.js' } }, null, 2),
  'server.js': `const http = require('node:http')
const fs = require('node:fs')
const file = __dirname + '/data/notes.json'
const read = () => { try { return JSON.parse(fs.readFileSync(file, 'utf8')) } catch { return [] } }
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok')
  if (req.method === 'POST' && req.url === '/notes') {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      fs.mkdirSync(__dirname + '/data', { recursive: true })
      fs.writeFileSync(file, JSON.stringify([...read(), body]))
      res.end('saved')
    })
    return
  }
  res.end(JSON.stringify({ app: ${JSON.stringify(name)}, notes: read() }))
}).listen(Number(process.env.PORT), process.env.HOST)
`,
})

test.group('Deployments: apps come back by themselves after the platform is killed', (group) => {
  let dataDir = ''
  let platform: PlatformProcess | null = null
  group.each.setup(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'xbasis-comeback-'))
    return async () => {
      await removePlatform(platform, dataDir)
      platform = null
    }
  })

  test('kill -9 with 3 live apps and one whose folder is then removed: the 3 answer with their data within 20 s, unasked; API and dashboard say live; the 4th ends failed with a reason', async ({ assert }) => {
    const env = { XBASIS_AUTO_PREVIEW: 'false', XBASIS_SIGNUP_PER_HOUR: '100', DEPLOY_DRAIN_MS: '0' }
    platform = await startPlatform({ dataDir, env, timeoutMs: 300_000 })
    const password = 'an owner password'
    // Four owners (the free plan runs one production app per workspace), each with one live production app.
    const owners: { email: string; token: string; project: any; deployment: any; path: string; api: Api }[] = []
    for (let i = 0; i < 4; i++) {
      const email = `owner${i}-${randomUUID().slice(0, 6)}@example.com`
      const registered = await fetch(`${platform.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept': 'application/json' },
        body: JSON.stringify({ name: `Owner ${i}`, email, password }),
      })
      const token = ((await registered.json()) as any).token.value as string
      const api = client(() => platform!, () => token)
      const { project } = (await api('POST', '/api/v1/projects', { name: `Comeback ${i}` })).body
      for (const [path, content] of Object.entries(NOTES_APP(`app-${i}`))) {
        const saved = await api('PUT', `/api/v1/projects/${project.id}/files/${path}`, { content })
        assert.include([200, 201], saved.status, JSON.stringify(saved.body))
      }
      const created = (await api('POST', `/api/v1/projects/${project.id}/deployments`, { environment: 'production' })).body.deployment
      const { deployment } = await waitStatus(api, created.id, (d) => ['live', 'failed'].includes(d.status))
      assert.equal(deployment.status, 'live', deployment.reason)
      const path = `/apps/${new URL(deployment.url).hostname.split('.')[0]}/`
      // A record written through the app before the kill.
      const saved = await fetch(`${platform.url}${path}notes`, { method: 'POST', body: `note of app ${i}` })
      assert.equal(await saved.text(), 'saved')
      owners.push({ email, token, project, deployment, path, api })
    }

    platform.child.kill('SIGKILL')
    await platform.stop()
    // While the platform is down, the last app's folder is removed (its orphan with it).
    const removedDir = join(dataDir, 'deployments', `d${owners[3].deployment.id}`)
    for (const { pid } of processesIn(`${removedDir}/`)) process.kill(pid, 'SIGKILL')
    rmSync(removedDir, { recursive: true, force: true })

    const restarted = Date.now()
    platform = await startPlatform({ dataDir, env, timeoutMs: 60_000 })
    // Nobody asks the platform anything about the apps: only visitors, at the apps' addresses.
    const answers = await Promise.all(
      owners.slice(0, 3).map(async (owner, i) => {
        while (Date.now() - restarted < 20_000) {
          const response = await fetch(`${platform!.url}${owner.path}`).catch(() => null)
          const text = (await response?.text()) ?? ''
          if (response?.status === 200) return { text, after: Date.now() - restarted }
          await new Promise((r) => setTimeout(r, 100))
        }
        throw new Error(`app ${i} did not answer within 20 s of the restart:\n${platform!.output().slice(-2000)}`)
      })
    )
    for (const [i, answer] of answers.entries()) {
      assert.deepEqual(JSON.parse(answer.text), { app: `app-${i}`, notes: [`note of app ${i}`] })
      assert.isBelow(answer.after, 20_000)
    }

    // The API: the three live (same deployments, logs tell why), the fourth failed with the reason.
    for (const owner of owners.slice(0, 3)) {
      const { deployment } = await waitStatus(owner.api, owner.deployment.id, (d) => d.status !== 'starting', 20_000)
      assert.equal(deployment.status, 'live', deployment.reason)
      const logs = (await owner.api('GET', `/api/v1/deployments/${owner.deployment.id}/logs`)).body.logs.map((l: any) => l.text).join('\n')
      assert.include(logs, 'The platform restarted: starting the app again')
      assert.include(logs, 'Live again at')
      assert.equal((await owner.api('GET', `/api/v1/projects/${owner.project.id}`)).body.project.status, 'live')
    }
    const { deployment: gone, seen } = await waitStatus(owners[3].api, owners[3].deployment.id, (d) => d.status === 'failed', 20_000)
    assert.match(gone.reason, /its folder \(deployments\/d\d+\/app\) is gone/)
    assert.notInclude([...seen], 'live')
    const list = (await owners[3].api('GET', `/api/v1/projects/${owners[3].project.id}/deployments`)).body.deployments
    assert.containsSubset(list.find((d: any) => d.id === gone.id), { status: 'failed', reason: gone.reason })
    assert.equal((await owners[3].api('GET', `/api/v1/projects/${owners[3].project.id}`)).body.project.status, 'failed')
    assert.equal((await fetch(`${platform.url}${owners[3].path}`)).status, 503)

    // The dashboard, signed in as the owners.
    const statusOnDashboard = async (owner: (typeof owners)[number]) => {
      const web = new WebClient(platform!.url)
      const login = await web.submit('/login', '/login', { email: owner.email, password })
      assert.equal(login.status, 302, login.text.slice(0, 300))
      const page = (await web.get('/dashboard')).text
      const item = page.slice(page.indexOf(`/projects/${owner.project.id}"`))
      return item.match(/<span class="rounded-full[^>]*>\s*([a-z]+)\s*<\/span>/)?.[1]
    }
    for (const owner of owners.slice(0, 3)) assert.equal(await statusOnDashboard(owner), 'live')
    assert.equal(await statusOnDashboard(owners[3]), 'failed')
  }).timeout(300_000)
})
