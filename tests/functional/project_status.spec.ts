import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import deploy from '#deploy/deploy_manager'

test.group('Project status follows its production app', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const driver = await deploy.use('process')
    for (const row of await db.from('deployments').where('status', 'live')) if (row.handle) await driver.destroy(JSON.parse(row.handle)).catch(() => {})
  })

  test('live once production is live, stopped once it is stopped; a stopped preview changes nothing', async ({ assert }) => {
    const account = await apiAccount('Status')
    const projectUrl = `/api/v1/projects/${account.project.id}`
    await account.json('POST', `${projectUrl}/messages`, { content: 'a landing page', provider: 'offline' })
    const status = async () => (await account.json('GET', projectUrl)).body.project.status
    assert.equal(await status(), 'draft')

    const production = await waitForDeployment(account, (await account.json('POST', `${projectUrl}/deployments`, { environment: 'production' })).body.deployment.id)
    const preview = await waitForDeployment(account, (await account.json('POST', `${projectUrl}/deployments`, { environment: 'preview' })).body.deployment.id)
    assert.equal(await status(), 'live')

    await account.json('POST', `/api/v1/deployments/${preview.id}/stop`)
    assert.equal(await status(), 'live')
    await account.json('POST', `/api/v1/deployments/${production.id}/stop`)
    assert.equal(await status(), 'stopped')

    const again = await waitForDeployment(account, (await account.json('POST', `/api/v1/deployments/${production.id}/rollback`)).body.deployment.id)
    assert.equal(again.status, 'live')
    assert.equal(await status(), 'live')
  })
})
