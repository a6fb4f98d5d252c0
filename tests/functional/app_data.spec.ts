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
import { WebClient, signedUpClient } from '#tests/helpers/web_client'
import { appRecords, DATA_APP_REQUEST, writeAppRecords, type AppAt } from '#tests/helpers/app_records'
import { SimDeployTarget } from '#tests/helpers/sim_deploy_target'

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

  test('Vercel keeps no data: deploying an app whose modules keep data there needs accept_data_loss; every deployment says what persists', async ({ assert, cleanup }) => {
    const vercel = new SimDeployTarget()
    deploy.fake('vercel', vercel)
    cleanup(() => deploy.restore('vercel'))
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page with a waitlist and a contact form', provider: 'offline' })

    const refused = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production', target: 'vercel' })
    assert.equal(refused.status, 409, JSON.stringify(refused.body))
    const message = refused.body.errors[0].message as string
    assert.equal(refused.body.errors[0].code, 'data_not_kept')
    assert.match(message, /keeps data \(.*Waitlist.*\)/)
    assert.match(message, /Vercel functions are stateless/)
    assert.lengthOf(vercel.deployed, 0, 'nothing was deployed')

    const accepted = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production', target: 'vercel', accept_data_loss: true })
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body))
    assert.containsSubset(accepted.body.deployment, { target: 'vercel', data_kept: false })
    assert.match(accepted.body.deployment.data_note, /stateless/)
    const live = await waitForDeployment(account, accepted.body.deployment.id)
    assert.equal(live.status, 'live', live.reason)
    // A rollback of it asks again.
    assert.equal((await account.json('POST', `/api/v1/deployments/${live.id}/rollback`)).status, 409)
    const rolled = await account.json('POST', `/api/v1/deployments/${live.id}/rollback`, { accept_data_loss: true })
    assert.equal(rolled.status, 202)
    assert.equal((await waitForDeployment(account, rolled.body.deployment.id)).status, 'live')
    // Where data is kept, nothing to accept.
    const local = await account.json('POST', `${projectUrl}/deployments`, { environment: 'preview' })
    assert.equal(local.status, 202)
    assert.containsSubset(local.body.deployment, { target: 'process', data_kept: true })
    assert.match(local.body.deployment.data_note, /kept in a folder of its own/)
    assert.equal((await waitForDeployment(account, local.body.deployment.id)).status, 'live')
  }).timeout(60_000)

  test('an app without modules that keep data deploys to Vercel without a question', async ({ assert, cleanup }) => {
    deploy.fake('vercel', new SimDeployTarget())
    cleanup(() => deploy.restore('vercel'))
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page', provider: 'offline' })
    const created = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production', target: 'vercel' })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    assert.equal((await waitForDeployment(account, created.body.deployment.id)).status, 'live')
  }).timeout(60_000)

  test('the editor says where the app’s data is kept next to its deploy button', async ({ assert }) => {
    const { client } = await signedUpClient('Data Owner')
    const created = await client.submit('/projects/new', '/projects', { name: 'Keeps records', description: '' })
    assert.equal(created.status, 302)
    const page = await client.get(created.location!)
    assert.equal(page.status, 200)
    const note = /data-test="data-persistence">([^<]+)</.exec(page.text)?.[1] ?? ''
    assert.include(note, 'DATA_DIR/app-data')
    assert.match(note, /redeploys, rollbacks and restarts keep it/)
    assert.match(note, /Deleting the project removes it/)
  })
})
