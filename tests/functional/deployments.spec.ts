import { test } from '@japa/runner'
import { request } from 'node:http'
import { hostname } from 'node:os'
import { DateTime } from 'luxon'
import { dbTime } from '#lib/db_time'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import deploy from '#deploy/deploy_manager'
import { WebClient } from '#tests/helpers/web_client'


const platform = new WebClient().baseUrl

/** Through the platform: /apps/<app>/… reaches the live deployment. */
function viaPlatform(url: string, path: string) {
  return fetch(`${platform}/apps/${new URL(url).hostname.split('.')[0]}${path}`)
}

test.group('Deployments with the process target', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    // No app may outlive the suite.
    const live = await db.from('deployments').where('status', 'live')
    const driver = await deploy.use('process')
    for (const row of live) if (row.handle) await driver.destroy(JSON.parse(row.handle)).catch(() => {})
  })

  test('a version deploys to a live URL with logs; a second deploy replaces it; stop; rollback', async ({ assert }) => {
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    const nothing = await account.json('POST', `${projectUrl}/deployments`, {})
    assert.equal(nothing.status, 409, 'nothing to deploy before the first turn')

    const first = await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
    const v1 = first.body.message.changes.version
    const created = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production' })
    assert.equal(created.status, 202)
    assert.containsSubset(created.body.deployment, { status: 'queued', version: v1, target: 'process', environment: 'production' })

    const live = await waitForDeployment(account, created.body.deployment.id, ['live', 'failed'])
    assert.equal(live.status, 'live', live.reason)
    assert.match(live.url, new RegExp(`^http://[a-z0-9-]+-${account.project.id}\\.localhost:\\d+$`))
    assert.equal((await viaPlatform(live.url, '/health')).status, 200)
    assert.equal((await viaPlatform(live.url, '/waitlist')).status, 200)
    // The same app at its own host name, as a browser reaches it.
    const byHost = await new Promise<number>((resolve, reject) => {
      const target = new URL(platform)
      request({ host: target.hostname, port: target.port, path: '/health', headers: { host: new URL(live.url).host } }, (res) => resolve(res.statusCode!)).on('error', reject).end()
    })
    assert.equal(byHost, 200)
    const project = await account.json('GET', projectUrl)
    assert.containsSubset(project.body.project, { deploy_url: live.url, status: 'live' })
    const logs = await account.json('GET', `/api/v1/deployments/${live.id}/logs`)
    assert.match(logs.body.logs.map((l: any) => l.text).join('\n'), /Exporting version[\s\S]*Live at/)

    // A new version: the new deployment goes live, then the old one stops.
    await account.json('POST', `${projectUrl}/messages`, { content: 'add a blog', provider: 'offline' })
    const second = await account.json('POST', `${projectUrl}/deployments`, {})
    const live2 = await waitForDeployment(account, second.body.deployment.id, ['live', 'failed'])
    assert.equal(live2.status, 'live', live2.reason)
    assert.equal((await viaPlatform(live2.url, '/blog')).status, 200)
    const old = await waitForDeployment(account, live.id, ['stopped'])
    assert.equal(old.reason, 'Replaced by a newer deployment')

    // Rollback: the first version again, as a new deployment.
    const rolled = await account.json('POST', `/api/v1/deployments/${live.id}/rollback`)
    assert.equal(rolled.status, 202)
    assert.equal(rolled.body.deployment.version, v1)
    const live3 = await waitForDeployment(account, rolled.body.deployment.id, ['live', 'failed'])
    assert.equal(live3.status, 'live')
    assert.equal((await viaPlatform(live3.url, '/blog')).status, 404, 'the blog came with the newer version')

    const stopped = await account.json('POST', `/api/v1/deployments/${live3.id}/stop`)
    assert.equal(stopped.body.deployment.status, 'stopped')
    assert.equal((await viaPlatform(live3.url, '/health')).status, 503, 'not running any more')

    const list = await account.json('GET', `${projectUrl}/deployments`)
    assert.lengthOf(list.body.deployments.filter((d: any) => d.environment === 'production'), 3)
  }).timeout(120_000)

  test('an older deployment that answers after a newer one went live never replaces it', async ({ assert }) => {
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    const turn = await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
    const version = turn.body.message.changes.version
    const { default: DeployService } = await import('#services/deploy_service')
    const { default: Deployment } = await import('#models/deployment')
    const row = () => Deployment.create({ projectId: account.project.id, environment: 'production', status: 'queued', target: 'process', version, triggeredBy: null })
    const older = await row()
    const newer = await row()
    // Two workers: the newer job finishes first, the older one answers after it.
    await new DeployService().run(newer.id)
    await new DeployService().run(older.id)
    await newer.refresh()
    await older.refresh()
    assert.equal(newer.status, 'live')
    assert.equal(older.status, 'stopped', older.reason ?? '')
    assert.match(older.reason!, /a newer deployment of this environment went live first/)
    const project = await account.json('GET', projectUrl)
    assert.equal(project.body.project.deploy_url, newer.url)
    // The older app was stopped; the newer one still answers.
    await assert.rejects(() => fetch(`${older.handle!.url}/health`))
    assert.equal((await fetch(`${newer.handle!.url}/health`)).status, 200)
  })

  test("bad input and other tenants' deployments", async ({ assert }) => {
    const alice = await apiAccount('Alice')
    const bob = await apiAccount('Bob')
    await alice.json('POST', `/api/v1/projects/${alice.project.id}/messages`, { content: 'a landing page', provider: 'offline' })
    for (const payload of [{ environment: 'staging' }, { target: 'Bad Target' }, { version: 'HEAD~1' }]) {
      assert.equal((await alice.json('POST', `/api/v1/projects/${alice.project.id}/deployments`, payload)).status, 422, JSON.stringify(payload))
    }
    assert.equal((await alice.json('POST', `/api/v1/projects/${alice.project.id}/deployments`, { target: 'nowhere' })).status, 422)
    assert.equal((await alice.json('POST', `/api/v1/projects/${alice.project.id}/deployments`, { version: 'abcdef1234567' })).status, 404)
    const created = await alice.json('POST', `/api/v1/projects/${alice.project.id}/deployments`, {})
    const live = await waitForDeployment(alice, created.body.deployment.id, ['live', 'failed'])
    assert.equal((await bob.json('GET', `/api/v1/deployments/${live.id}`)).status, 404)
    assert.equal((await bob.json('POST', `/api/v1/deployments/${live.id}/stop`)).status, 404)
    assert.equal((await bob.json('POST', `/api/v1/projects/${alice.project.id}/deployments`, {})).status, 404)
    await alice.json('POST', `/api/v1/deployments/${live.id}/stop`)
  }).timeout(60_000)

  test('a platform restart leaves no deployment looking alive', async ({ assert }) => {
    const account = await apiAccount()
    const { default: DeployService } = await import('#services/deploy_service')
    const { jobQueue } = await import('#services/platform_queue')
    const now = new Date()
    // The last one is run by another process that is still there (this one's parent).
    const alive = { id: 'd0', url: 'http://127.0.0.1:1', data: { owner: { host: hostname(), pid: process.ppid } } }
    const rows = ['building', 'queued', 'live', 'live'].map((status, i) => ({ project_id: account.project.id, environment: 'production', status, target: 'process', version: 'a'.repeat(40), handle: i === 3 ? JSON.stringify(alive) : null, created_at: dbTime(now), updated_at: dbTime(now) }))
    await db.table('deployments').multiInsert(rows)
    const { resumed, ...result } = await new DeployService().recoverAfterRestart()
    const statuses = async () => (await db.from('deployments').orderBy('id')).map((row) => row.status)
    // The live one without a handle cannot come back: failed with a reason; the other one's owner still runs it.
    assert.deepEqual(await resumed, {})
    const noHandle = await db.from('deployments').where('status', 'failed').whereNotNull('reason').where('reason', 'like', '%kept no handle%').first()
    assert.exists(noHandle)
    if (jobQueue().driver === 'memory') {
      // The queue died with the process: what it held is failed, with a reason.
      assert.deepEqual(result, { interrupted: 2, requeued: 0, resuming: 0, attaching: 0, failed: 1, drained: 0 })
      assert.deepEqual(await statuses(), ['failed', 'failed', 'failed', 'live'])
      return
    }
    // On Redis the queue outlives the process; fresh rows may still be on their way into it.
    assert.deepEqual(result, { interrupted: 0, requeued: 0, resuming: 0, attaching: 0, failed: 1, drained: 0 })
    assert.deepEqual(await statuses(), ['building', 'queued', 'failed', 'live'])
    // Rows whose job never reached the queue are queued again, and run (this version does not exist: failed).
    await db.from('deployments').whereIn('status', ['building', 'queued']).update({ updated_at: dbTime(DateTime.now().minus({ minutes: 10 })) })
    const { resumed: _again, ...again } = await new DeployService().recoverAfterRestart()
    assert.deepEqual(again, { interrupted: 0, requeued: 2, resuming: 0, attaching: 0, failed: 0, drained: 0 })
    for (let i = 0; i < 100 && (await statuses()).slice(0, 2).some((s) => s !== 'failed'); i++) await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(await statuses(), ['failed', 'failed', 'failed', 'live'])
  })

  test('a replaced deployment whose drain a restart cut short has its app stopped at the next start', async ({ assert }) => {
    const account = await apiAccount()
    const { default: DeployService } = await import('#services/deploy_service')
    const { default: deploy } = await import('#deploy/deploy_manager')
    const { SimDeployTarget } = await import('#tests/helpers/sim_deploy_target')
    const target = new SimDeployTarget()
    deploy.fake('sim', target)
    try {
      const row = (id: string, reason: string, updated: Date) => {
        target.running.set(id, { files: {} })
        return { project_id: account.project.id, environment: 'production', status: 'stopped', reason, target: 'sim', version: 'a'.repeat(40), handle: JSON.stringify({ id, url: `https://${id}.sim.test`, data: {} }), created_at: dbTime(updated), updated_at: dbTime(updated) }
      }
      await db.table('deployments').multiInsert([
        row('sim-draining', 'Replaced by a newer deployment', new Date()),
        row('sim-by-user', 'Stopped by the user', new Date()),
        row('sim-long-ago', 'Replaced by a newer deployment', DateTime.now().minus({ days: 3 }).toJSDate()),
      ])
      const result = await new DeployService().recoverAfterRestart()
      assert.equal(result.drained, 1)
      assert.deepEqual(target.stopped, ['sim-draining'])
    } finally {
      deploy.restore('sim')
    }
  })

})

test.group('Deployments: apps that were live come back after a restart', (group) => {
  group.each.setup(() => truncateAll())

  test('live ones are starting at once, then live with their new handle or failed with the reason; stopped and remote ones are left alone; one stopped while starting stays stopped; a few at a time', async ({ assert }) => {
    const { default: DeployService } = await import('#services/deploy_service')
    const { SimDeployTarget } = await import('#tests/helpers/sim_deploy_target')
    const { DeployError } = await import('#deploy/contract')
    const { default: xbasisConfig } = await import('#config/xbasis')
    const { appName } = await import('#lib/app_urls')
    type Handle = import('#deploy/contract').DeployHandle
    // A local target that can resume once the test lets it: "ok-*" come back on another port, "fail-*" cannot.
    let inFlight = 0
    let mostAtOnce = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const resumedIds: string[] = []
    class ResumingTarget extends SimDeployTarget {
      async resume(handle: Handle, log: (line: any) => void) {
        resumedIds.push(handle.id)
        inFlight++
        mostAtOnce = Math.max(mostAtOnce, inFlight)
        try {
          await gate
          await new Promise((r) => setTimeout(r, 20))
          log({ at: new Date().toISOString(), stream: 'runtime', text: `sim: resuming ${handle.id}` })
          if (handle.id.startsWith('fail')) throw new DeployError(`The app cannot start again: ${handle.id} is gone.`)
          this.running.set(handle.id, { files: {} })
          return { ...handle, url: 'http://127.0.0.1:2', port: 2 }
        } finally {
          inFlight--
        }
      }
    }
    const local = new ResumingTarget()
    const remote = new SimDeployTarget()
    deploy.fake('sim-local', local)
    deploy.fake('sim-remote', remote)
    const concurrency = xbasisConfig.resumeConcurrency
    xbasisConfig.resumeConcurrency = 2
    try {
      const alice = await apiAccount('Alice')
      const bob = await apiAccount('Bob')
      const now = dbTime(new Date())
      const row = (project: any, environment: string, status: string, target: string, id: string, reason: string | null = null) => ({
        project_id: project.id, environment, status, target, version: 'a'.repeat(40), reason, url: `http://${id}.localhost`,
        handle: JSON.stringify({ id, url: 'http://127.0.0.1:1', port: 1, data: {} }), created_at: now, updated_at: now,
      })
      await db.table('deployments').multiInsert([
        row(alice.project, 'production', 'live', 'sim-local', 'ok-a'),
        row(alice.project, 'preview', 'live', 'sim-local', 'slow-c'),
        row(alice.project, 'preview', 'stopped', 'sim-local', 'ok-stopped', 'Stopped by the user'),
        row(bob.project, 'production', 'live', 'sim-local', 'fail-b'),
        row(bob.project, 'preview', 'live', 'sim-remote', 'remote-e'),
        row(bob.project, 'preview', 'live', 'sim-local', 'ok-f'),
        row(bob.project, 'preview', 'live', 'sim-local', 'ok-g'),
        // Its app still runs (as a docker container outlives the platform): re-attached, live throughout.
        row(alice.project, 'preview', 'live', 'sim-local', 'run-h'),
      ])
      local.running.set('run-h', { files: {} })
      await db.from('projects').whereIn('id', [alice.project.id, bob.project.id]).update({ status: 'live' })
      const ids = Object.fromEntries((await db.from('deployments').select('id', 'handle')).map((r) => [JSON.parse(r.handle).id, Number(r.id)]))
      const statusOf = async (id: string) => (await db.from('deployments').where('id', ids[id]).first()).status

      const { resumed, resuming, attaching, failed } = await new DeployService().recoverAfterRestart()
      assert.equal(resuming, 5)
      assert.equal(attaching, 1)
      assert.equal(failed, 0)
      assert.equal(await statusOf('run-h'), 'live')
      // At once: truthful statuses for the owner (API) and a "starting" page for visitors.
      const shown = (await alice.json('GET', `/api/v1/deployments/${ids['ok-a']}`)).body.deployment
      assert.containsSubset(shown, { status: 'starting', reason: 'The platform restarted: starting the app again' })
      const page = await viaPlatform(`http://${appName(alice.project, 'production')}.localhost`, '/')
      assert.equal(page.status, 503)
      assert.include(await page.text(), 'data-state="starting"')
      // The user stops one while it starts.
      await waitFor(() => resumedIds.includes('slow-c'))
      assert.equal((await alice.json('POST', `/api/v1/deployments/${ids['slow-c']}/stop`)).status, 200)
      release()
      const outcomes = await resumed
      assert.deepEqual(outcomes, { [ids['ok-a']]: 'live', [ids['slow-c']]: 'superseded', [ids['fail-b']]: 'failed', [ids['ok-f']]: 'live', [ids['ok-g']]: 'live', [ids['run-h']]: 'live' })
      assert.include(resumedIds, 'run-h')
      assert.equal(await statusOf('run-h'), 'live')
      assert.equal(JSON.parse((await db.from('deployments').where('id', ids['run-h']).first()).handle).port, 2, 're-attached: its handle is stored too')

      const a = await db.from('deployments').where('id', ids['ok-a']).first()
      assert.containsSubset(a, { status: 'live', reason: null, url: 'http://ok-a.localhost' })
      assert.equal(JSON.parse(a.handle).port, 2, 'the new handle is stored')
      const logsOfA = (await alice.json('GET', `/api/v1/deployments/${ids['ok-a']}/logs`)).body.logs.map((l: any) => l.text)
      assert.includeMembers(logsOfA, ['The platform restarted: starting the app again', 'sim: resuming ok-a', 'Live again at http://ok-a.localhost'])
      const b = (await bob.json('GET', `/api/v1/deployments/${ids['fail-b']}`)).body.deployment
      assert.containsSubset(b, { status: 'failed', reason: 'The app cannot start again: fail-b is gone.' })
      assert.equal((await bob.json('GET', `/api/v1/projects/${bob.project.id}`)).body.project.status, 'failed')
      assert.equal((await alice.json('GET', `/api/v1/projects/${alice.project.id}`)).body.project.status, 'live')
      assert.equal(await statusOf('slow-c'), 'stopped')
      assert.include(local.stopped, 'slow-c', 'the app that came back after its stop was stopped again')
      assert.equal(await statusOf('ok-stopped'), 'stopped')
      assert.equal(await statusOf('remote-e'), 'live')
      assert.notInclude(resumedIds, 'ok-stopped')
      assert.notInclude(resumedIds, 'remote-e')
      assert.equal(mostAtOnce, 2, 'two at a time')

    } finally {
      xbasisConfig.resumeConcurrency = concurrency
      deploy.restore('sim-local')
      deploy.restore('sim-remote')
    }
  })
})

test.group('Deployments: a project deleted while its app is starting again', (group) => {
  group.each.setup(() => truncateAll())

  test('its app is removed too', async ({ assert }) => {
    const { default: DeployService } = await import('#services/deploy_service')
    const { SimDeployTarget } = await import('#tests/helpers/sim_deploy_target')
    const target = new SimDeployTarget()
    deploy.fake('sim-starting', target)
    try {
      const account = await apiAccount('Deleter')
      target.running.set('sim-starting-1', { files: {} })
      await db.table('deployments').insert({ project_id: account.project.id, environment: 'production', status: 'starting', target: 'sim-starting', version: 'a'.repeat(40), handle: JSON.stringify({ id: 'sim-starting-1', url: 'http://127.0.0.1:1', data: {} }), created_at: dbTime(new Date()), updated_at: dbTime(new Date()) })
      await new DeployService().destroyAll(account.project.id)
      assert.isFalse(target.running.has('sim-starting-1'))
    } finally {
      deploy.restore('sim-starting')
    }
  })
})

async function waitFor(condition: () => boolean | Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

test.group('Deployments: platform shutdown', () => {
  test('stopping the platform stops the apps it runs, and the platform exits; started again, the app comes back', async ({ assert }) => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { startPlatform } = await import('#tests/helpers/platform_process')
    const dataDir = mkdtempSync(join(tmpdir(), 'xbasis-shutdown-'))
    const running = await startPlatform({ dataDir })
    let again: Awaited<ReturnType<typeof startPlatform>> | null = null
    try {
      const call = async (method: string, path: string, body?: unknown, token?: string, base = running.url) => {
        const response = await fetch(base + path, {
          method,
          headers: { 'content-type': 'application/json', 'accept': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        return (await response.json()) as any
      }
      const { token } = await call('POST', '/api/v1/auth/register', { name: 'Ops', email: 'ops@example.com', password: 'ops password' })
      const { project } = await call('POST', '/api/v1/projects', { name: 'Shop' }, token.value)
      await call('POST', `/api/v1/projects/${project.id}/messages`, { content: 'a landing page' }, token.value)
      let deployment = (await call('POST', `/api/v1/projects/${project.id}/deployments`, {}, token.value)).deployment
      for (let i = 0; i < 100 && !['live', 'failed'].includes(deployment.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        deployment = (await call('GET', `/api/v1/deployments/${deployment.id}`, undefined, token.value)).deployment
      }
      assert.equal(deployment.status, 'live', deployment.reason)
      const app = `${running.url}/apps/${new URL(deployment.url).hostname.split('.')[0]}/health`
      assert.equal((await fetch(app)).status, 200)

      const code = await running.stop()
      assert.equal(code, 0, `exited by itself after SIGTERM:\n${running.output().slice(-2000)}`)
      // No process is left whose working directory is in the instance's data.
      const { readdirSync, readlinkSync } = await import('node:fs')
      const orphans = readdirSync('/proc').filter((pid) => {
        if (!/^\d+$/.test(pid)) return false
        try {
          return readlinkSync(`/proc/${pid}/cwd`).startsWith(dataDir)
        } catch {
          return false
        }
      })
      assert.deepEqual(orphans, [], 'no app left running')

      // Started again on the same data (an upgrade, a reboot): the app comes back by itself.
      again = await startPlatform({ dataDir })
      const read = async () => (await call('GET', `/api/v1/deployments/${deployment.id}`, undefined, token.value, again!.url)).deployment
      let back = await read()
      for (let i = 0; i < 200 && back.status !== 'live'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        back = await read()
      }
      assert.equal(back.status, 'live', back.reason)
      assert.equal((await fetch(`${again.url}/apps/${new URL(deployment.url).hostname.split('.')[0]}/health`)).status, 200)
    } finally {
      await running.stop()
      await again?.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }).timeout(240_000)
})
