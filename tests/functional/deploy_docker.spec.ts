import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { useTestDockerTarget, waitForDeployment } from '#tests/helpers/deploys'
import deploy from '#deploy/deploy_manager'
import { WebClient } from '#tests/helpers/web_client'
import type { TestDocker } from '#tests/helpers/docker'

/**
 * Issue 5, acceptance 2: the docker target against a real dockerd, through
 * the platform (DeployService, the HTTP API, the apps proxy): deploy, the
 * live URL answers, a redeploy of a new version with no failed request
 * while a loop of requests runs, rollback, stop.
 */

const platform = new WebClient().baseUrl
const appPath = (url: string, path: string) => `${platform}/apps/${new URL(url).hostname.split('.')[0]}${path}`

/** Requests in a loop (a few at a time) until stopped; every answer that is not a 200 is a failure. */
function requestLoop(url: string, concurrency = 2) {
  let running = true
  const failures: string[] = []
  let ok = 0
  let stopped: Promise<{ ok: number; failures: string[] }> | null = null
  const worker = async () => {
    while (running) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
        const text = await response.text()
        if (response.status === 200) ok++
        else failures.push(`HTTP ${response.status}: ${text.slice(0, 200)}`)
      } catch (error) {
        failures.push(`${(error as Error).message} ${String((error as any).cause ?? '')}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  const workers = Array.from({ length: concurrency }, worker)
  return {
    stop() {
      running = false
      stopped ??= Promise.all(workers).then(() => ({ ok, failures }))
      return stopped
    },
    get ok() {
      return ok
    },
  }
}

test.group('Deployments with the docker target (real dockerd)', (group) => {
  let engine: TestDocker
  group.setup(useTestDockerTarget((started) => (engine = started)))
  group.each.setup(() => truncateAll())
  group.each.teardown(async () => {
    // Every container and image of the test's deployments, stopped ones included.
    const rows = await db.from('deployments').where('target', 'docker').whereNotNull('handle')
    const driver = await deploy.use('docker')
    for (const row of rows) await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
  })

  test('deploy, live URL, redeploy with no failed request, rollback, stop', async ({ assert, cleanup }) => {
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    const first = await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
    const v1 = first.body.message.changes.version

    // 1. Deploy: the live URL answers, through the platform.
    const created = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production', target: 'docker' })
    assert.equal(created.status, 202)
    const live = await waitForDeployment(account, created.body.deployment.id, ['live', 'failed'], 120_000)
    assert.equal(live.status, 'live', live.reason)
    assert.equal(live.target, 'docker')
    assert.equal((await fetch(appPath(live.url, '/health'))).status, 200)
    assert.equal((await fetch(appPath(live.url, '/waitlist'))).status, 200)
    assert.equal((await fetch(appPath(live.url, '/blog'))).status, 404, 'no blog in the first version')
    const row = await db.from('deployments').where('id', live.id).first()
    const handle = typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle
    const container = await engine.docker.getContainer(handle.data.container).inspect()
    assert.equal(container.State.Health?.Status, 'healthy')
    assert.equal(container.Config.Labels['xbasis.project'], String(account.project.id))
    const logs = await account.json('GET', `/api/v1/deployments/${live.id}/logs`)
    assert.match(logs.body.logs.map((l: any) => l.text).join('\n'), /Successfully built[\s\S]*Live at/)

    // 2. A new version, deployed while requests keep coming: not one fails.
    await account.json('POST', `${projectUrl}/messages`, { content: 'add a blog', provider: 'offline' })
    const loop = requestLoop(appPath(live.url, '/'))
    cleanup(async () => void (await loop.stop())) // also when an assertion fails first
    await new Promise((resolve) => setTimeout(resolve, 300))
    const second = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production', target: 'docker' })
    const live2 = await waitForDeployment(account, second.body.deployment.id, ['live', 'failed'], 120_000)
    assert.equal(live2.status, 'live', live2.reason)
    const old = await waitForDeployment(account, live.id, ['stopped'], 120_000)
    assert.equal(old.reason, 'Replaced by a newer deployment')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const { ok, failures } = await loop.stop()
    assert.deepEqual(failures, [], 'no failed request during the switch')
    assert.isAbove(ok, 20, 'the loop ran through the switch')
    // After its drain period, the old container is stopped.
    let oldRunning = true
    for (let i = 0; i < 150 && oldRunning; i++) {
      oldRunning = (await engine.docker.getContainer(handle.data.container).inspect()).State.Running
      if (oldRunning) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.isFalse(oldRunning, 'the old container is stopped')
    assert.equal((await fetch(appPath(live2.url, '/blog'))).status, 200, 'the new version is served')

    // 3. Rollback: the first version again.
    const rolled = await account.json('POST', `/api/v1/deployments/${live.id}/rollback`)
    assert.equal(rolled.status, 202)
    assert.equal(rolled.body.deployment.version, v1)
    assert.equal(rolled.body.deployment.target, 'docker')
    const live3 = await waitForDeployment(account, rolled.body.deployment.id, ['live', 'failed'], 120_000)
    assert.equal(live3.status, 'live', live3.reason)
    assert.equal((await fetch(appPath(live3.url, '/blog'))).status, 404, 'the blog came with the newer version')
    assert.equal((await fetch(appPath(live3.url, '/'))).status, 200)

    // 3b. The machine restarts (its containers stop), then the platform: the deployment comes back by itself,
    // `starting` meanwhile, then live on the same URL.
    const row3 = await db.from('deployments').where('id', live3.id).first()
    const handle3 = typeof row3.handle === 'string' ? JSON.parse(row3.handle) : row3.handle
    await engine.docker.getContainer(handle3.data.container).stop({ t: 2 })
    deploy.flush() // a fresh driver, as after a restart
    const { default: DeployService } = await import('#services/deploy_service')
    const { resuming, resumed } = await new DeployService().resumeLive()
    assert.equal(resuming, 1)
    assert.equal((await account.json('GET', `/api/v1/deployments/${live3.id}`)).body.deployment.status, 'starting')
    assert.deepEqual(await resumed, { [live3.id]: 'live' })
    assert.equal((await account.json('GET', `/api/v1/deployments/${live3.id}`)).body.deployment.status, 'live')
    assert.isTrue((await engine.docker.getContainer(handle3.data.container).inspect()).State.Running)
    assert.equal((await fetch(appPath(live3.url, '/'))).status, 200)
    // The platform restarts again, its container still running: re-attached to, live throughout.
    deploy.flush()
    const again = await new DeployService().resumeLive()
    assert.deepEqual([again.resuming, again.attaching], [0, 1])
    assert.equal((await account.json('GET', `/api/v1/deployments/${live3.id}`)).body.deployment.status, 'live')
    assert.deepEqual(await again.resumed, { [live3.id]: 'live' })
    assert.equal((await fetch(appPath(live3.url, '/'))).status, 200)

    // 4. Stop: the app is not running any more.
    const stopped = await account.json('POST', `/api/v1/deployments/${live3.id}/stop`)
    assert.equal(stopped.body.deployment.status, 'stopped')
    const answer = await fetch(appPath(live3.url, '/health'))
    assert.equal(answer.status, 503)
    assert.match(await answer.text(), /not running/)
    // The one the rollback replaced stops after its drain period: then none runs.
    let running: unknown[] = []
    for (let i = 0; i < 150; i++) {
      running = (await engine.docker.listContainers({ filters: JSON.stringify({ label: [`xbasis.project=${account.project.id}`] }) } as any)) as unknown as unknown[]
      if (!running.length) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.lengthOf(running, 0, 'no container of the project is running')
  }).timeout(240_000)
})
