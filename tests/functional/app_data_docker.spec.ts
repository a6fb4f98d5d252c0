import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { useTestDockerTarget, waitForDeployment } from '#tests/helpers/deploys'
import deploy from '#deploy/deploy_manager'
import { appDataKey } from '#deploy/data_persistence'
import { projectEnv } from '#services/project_env_service'
import DeployService from '#services/deploy_service'
import Project from '#models/project'
import { WebClient } from '#tests/helpers/web_client'
import type { TestDocker } from '#tests/helpers/docker'
import { appRecords, DATA_APP_REQUEST, writeAppRecords, type AppAt } from '#tests/helpers/app_records'
import { dataVolumeName } from '../../plugins/docker/target.js'

/**
 * Issue 11, acceptance 1 on the docker target (real dockerd): records
 * written through the generated app survive a redeploy (a new image and
 * container), a rollback and a platform restart (fresh drivers and the
 * platform's boot recovery); they live in the project × environment's named
 * volume, which goes with the project.
 */

const platform = new WebClient().baseUrl
const through = (url: string): AppAt => (path) => `${platform}/apps/${new URL(url).hostname.split('.')[0]}${path}`

test.group('App data outlives deployments (docker target, real dockerd)', (group) => {
  let engine: TestDocker
  group.setup(useTestDockerTarget((started) => (engine = started)))
  group.each.setup(() => truncateAll())

  test('a CRUD item, a waitlist sign-up and a contact message survive a redeploy, a rollback and a platform restart; the volume goes with the project', async ({ assert }) => {
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    const turn = await account.json('POST', `${projectUrl}/messages`, { content: DATA_APP_REQUEST, provider: 'offline' })
    assert.equal(turn.status, 201, JSON.stringify(turn.body))
    const admin = (await projectEnv(account.project.id, 'production')).ADMIN_PASSWORD
    const deployNow = async () => {
      const created = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production', target: 'docker' })
      assert.equal(created.status, 202, JSON.stringify(created.body))
      const live = await waitForDeployment(account, created.body.deployment.id, ['live', 'failed'], 120_000)
      assert.equal(live.status, 'live', live.reason)
      return live
    }

    const live1 = await deployNow()
    await writeAppRecords(through(live1.url), admin, 'first', assert)
    const project = await Project.findOrFail(account.project.id)
    const volume = dataVolumeName(appDataKey(project, 'production'))
    assert.isTrue(await engine.docker.getVolume(volume).inspect().then(() => true, () => false), `the volume ${volume} exists`)

    // Redeploy of a new version: another image and container, the same volume.
    await account.json('POST', `${projectUrl}/messages`, { content: 'add a blog', provider: 'offline' })
    const live2 = await deployNow()
    assert.notEqual(live2.version, live1.version)
    assert.deepEqual(await appRecords(through(live2.url), admin), { items: ['first'], waitlist: ['first@example.com'], contact: ['Hello from first'] })
    await writeAppRecords(through(live2.url), admin, 'second', assert)

    // Rollback to the first version.
    const rolled = await account.json('POST', `/api/v1/deployments/${live1.id}/rollback`)
    assert.equal(rolled.status, 202)
    const live3 = await waitForDeployment(account, rolled.body.deployment.id, ['live', 'failed'], 120_000)
    assert.equal(live3.status, 'live', live3.reason)
    const both = { items: ['first', 'second'], waitlist: ['first@example.com', 'second@example.com'], contact: ['Hello from first', 'Hello from second'] }
    assert.deepEqual(await appRecords(through(live3.url), admin), both)

    // The deployment the rollback replaced is stopped after its drain (its volume stays in use by the live one).
    const replacedRow = await db.from('deployments').where('id', live2.id).first()
    const replacedHandle = typeof replacedRow.handle === 'string' ? JSON.parse(replacedRow.handle) : replacedRow.handle
    for (let i = 0; i < 100 && (await engine.docker.getContainer(replacedHandle.data.container).inspect()).State.Running; i++) await new Promise((r) => setTimeout(r, 100))

    // A platform restart: drivers made afresh from the stored handles, the boot recovery run.
    deploy.flush()
    await new DeployService().recoverAfterRestart()
    const after = await account.json('GET', `/api/v1/deployments/${live3.id}`)
    assert.equal(after.body.deployment.status, 'live')
    assert.deepEqual(await appRecords(through(live3.url), admin), both, 'the records survived the restart')

    // Deleting the project removes its containers and its data volume.
    const deleted = await account.json('DELETE', projectUrl)
    assert.include([200, 204], deleted.status)
    assert.isFalse(await engine.docker.getVolume(volume).inspect().then(() => true, () => false), 'the volume went with the project')
    const left = await db.from('deployments').where('project_id', account.project.id)
    assert.lengthOf(left, 0)
  }).timeout(300_000)
})
