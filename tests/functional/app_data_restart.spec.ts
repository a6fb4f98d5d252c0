import { test } from '@japa/runner'
import { mkdtempSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { removePlatform, startPlatform, type PlatformProcess } from '#tests/helpers/platform_process'
import { appRecords, DATA_APP_REQUEST, writeAppRecords, type AppAt } from '#tests/helpers/app_records'

/**
 * Issue 11, acceptance 1 (the restart): records written through the
 * generated app on a real platform (`npm start`, the embedded default:
 * SQLite, the process target) are there after the platform stops and
 * starts again on the same DATA_DIR and brings the app back by itself.
 */


test.group('App data outlives a platform restart (process target)', (group) => {
  let dataDir = ''
  let platform: PlatformProcess | null = null
  group.each.setup(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'xbasis-app-data-'))
    return async () => {
      await removePlatform(platform, `${dataDir}/`)
      platform = null
    }
  })

  test('a CRUD item, a waitlist sign-up and a contact message are there after the platform restarts', async ({ assert }) => {
    let token = ''
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(platform!.url + path, {
        method,
        headers: { 'content-type': 'application/json', 'accept': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json().catch(() => null)) as any }
    }
    const settled = async (id: number, ms = 60_000) => {
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        const { deployment } = (await api('GET', `/api/v1/deployments/${id}`)).body
        if (!['queued', 'building', 'deploying', 'starting'].includes(deployment.status)) return deployment
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`deployment ${id} did not settle`)
    }

    platform = await startPlatform({ dataDir })
    const email = `owner-${randomUUID().slice(0, 6)}@example.com`
    const registered = await api('POST', '/api/v1/auth/register', { name: 'Owner', email, password: 'an owner password' })
    token = registered.body.token.value
    const { project } = (await api('POST', '/api/v1/projects', { name: 'Keeps data' })).body
    const turn = await api('POST', `/api/v1/projects/${project.id}/messages`, { content: DATA_APP_REQUEST, provider: 'offline' })
    assert.equal(turn.status, 201, JSON.stringify(turn.body))
    const created = (await api('POST', `/api/v1/projects/${project.id}/deployments`, { environment: 'production' })).body.deployment
    const live = await settled(created.id)
    assert.equal(live.status, 'live', live.reason)
    const revealed = await api('POST', `/api/v1/projects/${project.id}/owner/credentials`, { password: 'an owner password' })
    assert.equal(revealed.status, 200, JSON.stringify(revealed.body))
    const admin = revealed.body.credentials.find((c: any) => c.name === 'ADMIN_PASSWORD' && c.environment !== 'preview').value
    const name = new URL(live.url).hostname.split('.')[0]
    const at: AppAt = (path) => `${platform!.url}/apps/${name}${path}`
    await writeAppRecords(at, admin, 'before-restart', assert)
    const before = await appRecords(at, admin)
    assert.deepEqual(before, { items: ['before-restart'], waitlist: ['before-restart@example.com'], contact: ['Hello from before-restart'] })

    await platform.stop()
    platform = await startPlatform({ dataDir })

    // The app comes back by itself (the platform resumes its live deployments), on the same data.
    const after = await settled(live.id, 30_000)
    assert.equal(after.status, 'live', after.reason)
    assert.deepEqual(await appRecords(at, admin), before, 'the records survived the restart')
    await writeAppRecords(at, admin, 'after-restart', assert)
    assert.deepEqual((await appRecords(at, admin)).items, ['before-restart', 'after-restart'])
  }).timeout(300_000)
})
