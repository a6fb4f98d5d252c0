import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import deploy from '#deploy/deploy_manager'
import { appDataKey } from '#deploy/data_persistence'
import { projectEnv } from '#services/project_env_service'
import Project from '#models/project'
import { WebClient } from '#tests/helpers/web_client'
import { appRecords, DATA_APP_REQUEST, writeAppRecords, type AppAt } from '#tests/helpers/app_records'

/**
 * Issue 11, acceptance 1 (process target, in the platform's own process):
 * records written through the generated app — a CRUD item, a waitlist
 * sign-up, a contact message — survive a redeploy and a rollback; the
 * preview has data of its own; deleting the project removes the data.
 * (The platform restart: tests/functional/app_data_restart.spec.ts; the
 * docker target: tests/functional/app_data_docker.spec.ts.)
 */

const platform = new WebClient().baseUrl
const through = (url: string): AppAt => (path) => `${platform}/apps/${new URL(url).hostname.split('.')[0]}${path}`

test.group('App data outlives deployments (process target)', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const live = await db.from('deployments').where('status', 'live')
    const driver = await deploy.use('process')
    for (const row of live) if (row.handle) await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
  })

  test('a CRUD item, a waitlist sign-up and a contact message survive a redeploy and a rollback; the preview has its own; deleting the project removes them', async ({ assert }) => {
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    const first = await account.json('POST', `${projectUrl}/messages`, { content: DATA_APP_REQUEST, provider: 'offline' })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const admin = (await projectEnv(account.project.id, 'production')).ADMIN_PASSWORD
    assert.isString(admin, 'the app has an owner password')

    const deployNow = async (body: Record<string, unknown>) => {
      const created = await account.json('POST', `${projectUrl}/deployments`, body)
      assert.equal(created.status, 202, JSON.stringify(created.body))
      const live = await waitForDeployment(account, created.body.deployment.id)
      assert.equal(live.status, 'live', live.reason)
      return live
    }

    const live1 = await deployNow({ environment: 'production' })
    await writeAppRecords(through(live1.url), admin, 'before-redeploy', assert)
    const written = await appRecords(through(live1.url), admin)
    assert.deepEqual(written, { items: ['before-redeploy'], waitlist: ['before-redeploy@example.com'], contact: ['Hello from before-redeploy'] })

    // A redeploy of a new version: the new deployment starts with the data, and adds to it.
    await account.json('POST', `${projectUrl}/messages`, { content: 'add a blog', provider: 'offline' })
    const live2 = await deployNow({ environment: 'production' })
    assert.notEqual(live2.version, live1.version)
    assert.deepEqual(await appRecords(through(live2.url), admin), written, 'the redeploy kept the records')
    await writeAppRecords(through(live2.url), admin, 'after-redeploy', assert)

    // A rollback to the first version: both deployments' records are there.
    const rolled = await account.json('POST', `/api/v1/deployments/${live1.id}/rollback`)
    assert.equal(rolled.status, 202)
    const live3 = await waitForDeployment(account, rolled.body.deployment.id)
    assert.equal(live3.status, 'live', live3.reason)
    assert.equal(live3.version, live1.version)
    assert.deepEqual(await appRecords(through(live3.url), admin), {
      items: ['before-redeploy', 'after-redeploy'],
      waitlist: ['before-redeploy@example.com', 'after-redeploy@example.com'],
      contact: ['Hello from before-redeploy', 'Hello from after-redeploy'],
    })

    // The preview never sees production's data.
    const preview = await deployNow({ environment: 'preview' })
    const previewAdmin = (await projectEnv(account.project.id, 'preview')).ADMIN_PASSWORD
    assert.deepEqual(await appRecords(through(preview.url), previewAdmin), { items: [], waitlist: [], contact: [] })

    // Where it lives, and that deleting the project removes it (both environments).
    const project = await Project.findOrFail(account.project.id)
    const appData = resolve(process.env.DATA_DIR!, 'app-data')
    const folders = ['production', 'preview'].map((environment) => join(appData, appDataKey(project, environment as 'production' | 'preview')))
    for (const folder of folders) assert.isTrue(existsSync(join(folder, 'store')), `${folder} holds the store`)
    const deleted = await account.json('DELETE', projectUrl)
    assert.include([200, 204], deleted.status, JSON.stringify(deleted.body))
    for (const folder of folders) assert.isFalse(existsSync(folder), `${folder} went with the project`)
  }).timeout(180_000)
})
