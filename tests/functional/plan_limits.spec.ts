import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { dbTime } from '#lib/db_time'
import billingConfig from '#config/billing'
import deploy from '#deploy/deploy_manager'
import Project from '#models/project'
import User from '#models/user'
import Workspace from '#models/workspace'
import ProjectFilesService from '#services/project_files_service'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { signedUpClient } from '#tests/helpers/web_client'
import { SimDeployTarget } from '#tests/helpers/sim_deploy_target'

const FREE_PROJECTS = billingConfig.plans.free.limits.maxProjects!

/** Limits on, as with a payment provider or BILLING_LIMITS=true; restored after each test. */
function withLimits(group: { each: { setup: (fn: () => any) => void } }, provider = 'none') {
  group.each.setup(async () => {
    await truncateAll()
    const saved = { enabled: billingConfig.limitsEnabled, provider: billingConfig.provider }
    billingConfig.limitsEnabled = true
    billingConfig.provider = provider
    return () => {
      billingConfig.limitsEnabled = saved.enabled
      billingConfig.provider = saved.provider
    }
  })
}

async function projectCount(workspaceId: number) {
  return Number((await db.from('projects').where('workspace_id', workspaceId).count('* as total').first()).total)
}

/** Waits until the worker has run the deployment (the sim target answers at once). */
async function settled(account: Awaited<ReturnType<typeof apiAccount>>, id: number, statuses = ['live', 'failed', 'stopped']) {
  for (let i = 0; i < 200; i++) {
    const { body } = await account.json('GET', `/api/v1/deployments/${id}`)
    if (statuses.includes(body.deployment.status)) return body.deployment
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`deployment ${id} was not run`)
}

async function setPlan(workspaceId: number, plan: 'free' | 'pro' | 'team') {
  await db.from('workspaces').where('id', workspaceId).update({ plan })
}

test.group('Plan limits: projects', (group) => {
  withLimits(group, 'paddle')

  test('web: a Free workspace over its project limit is refused with the limit and how to lift it; Pro is not', async ({ assert }) => {
    const { client, email } = await signedUpClient('Limited Lu')
    for (let i = 1; i <= FREE_PROJECTS; i++) {
      const created = await client.submit('/projects/new', '/projects', { name: `App ${i}` })
      assert.equal(created.status, 302)
      assert.match(created.location!, /^\/projects\/\d+$/)
    }
    const refused = await client.submit('/projects/new', '/projects', { name: 'One too many' })
    assert.equal(refused.status, 302)
    const page = await client.follow(refused)
    assert.include(page.text, 'data-flash="error"')
    assert.include(page.text, `Your Free plan allows ${FREE_PROJECTS} projects. Upgrade to Pro on the Billing page, or delete a project.`)
    const user = await User.findByOrFail('email', email)
    const workspace = await user.personalWorkspace()
    assert.equal(await projectCount(workspace.id), FREE_PROJECTS)

    await setPlan(workspace.id, 'pro')
    const allowed = await client.submit('/projects/new', '/projects', { name: 'Now on Pro' })
    assert.equal(allowed.status, 302)
    assert.match(allowed.location!, /^\/projects\/\d+$/)
    assert.equal(await projectCount(workspace.id), FREE_PROJECTS + 1)
  })

  test('API: 403 with code plan_limit and the message; Pro goes on; concurrent requests cannot pass the last slot', async ({ assert }) => {
    const account = await apiAccount('Api Limits') // one project already
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => account.json('POST', '/api/v1/projects', { name: `Burst ${i}` }))
    )
    assert.equal(results.filter((r) => r.status === 201).length, FREE_PROJECTS - 1, 'only the free slots were taken')
    const refused = results.filter((r) => r.status !== 201)
    assert.lengthOf(refused, 6 - (FREE_PROJECTS - 1))
    for (const response of refused) {
      assert.equal(response.status, 403)
      assert.deepEqual(response.body.errors, [
        { message: `Your Free plan allows ${FREE_PROJECTS} projects. Upgrade to Pro on the Billing page, or delete a project.`, code: 'plan_limit' },
      ])
    }
    assert.equal(await projectCount(account.workspaceId), FREE_PROJECTS)

    // Deleting a project frees a slot.
    const [first] = (await account.json('GET', '/api/v1/projects')).body.projects
    assert.equal((await account.json('DELETE', `/api/v1/projects/${first.id}`)).status, 204)
    assert.equal((await account.json('POST', '/api/v1/projects', { name: 'Freed slot' })).status, 201)

    await setPlan(account.workspaceId, 'pro')
    assert.equal((await account.json('POST', '/api/v1/projects', { name: 'Pro project' })).status, 201)
  })
})

test.group('Plan limits: self-hosted (none)', (group) => {
  group.each.setup(() => truncateAll())

  test('off by default on none; with BILLING_LIMITS the message sends the user to the administrator', async ({ assert }) => {
    assert.equal(billingConfig.provider, 'none')
    assert.isFalse(billingConfig.limitsEnabled, 'no BILLING_LIMITS in the test env: limits are off')
    const account = await apiAccount('Self Hosted')
    for (let i = 0; i < FREE_PROJECTS + 2; i++) {
      assert.equal((await account.json('POST', '/api/v1/projects', { name: `Unlimited ${i}` })).status, 201)
    }

    billingConfig.limitsEnabled = true
    try {
      const refused = await account.json('POST', '/api/v1/projects', { name: 'Over' })
      assert.equal(refused.status, 403)
      assert.equal(refused.body.errors[0].code, 'plan_limit')
      assert.equal(
        refused.body.errors[0].message,
        `Your Free plan allows ${FREE_PROJECTS} projects. Ask your administrator to raise the limit, or delete a project.`
      )
    } finally {
      billingConfig.limitsEnabled = false
    }
  })
})

test.group('Plan limits: production deployments live at once', (group) => {
  withLimits(group, 'paddle')
  const target = new SimDeployTarget()
  group.setup(() => {
    deploy.fake('sim', target)
    return () => deploy.restore('sim')
  })

  test('Free runs one production app at a time (deploy and rollback refused, preview and redeploy allowed); Pro more', async ({ assert }) => {
    const account = await apiAccount('Deployer')
    const user = await User.findOrFail(account.user.id)
    const second = (await account.json('POST', '/api/v1/projects', { name: 'Second app' })).body.project
    const files = new ProjectFilesService()
    const versions: Record<number, string> = {}
    for (const id of [account.project.id, second.id]) {
      versions[id] = (await files.saveFile(await Project.findOrFail(id), user, 'server.js', `// app ${id}\n`)).version!
    }
    const deployTo = (projectId: number, environment: string) =>
      account.json('POST', `/api/v1/projects/${projectId}/deployments`, { environment, target: 'sim' })

    const first = await deployTo(account.project.id, 'production')
    assert.equal(first.status, 202)
    assert.equal((await settled(account, first.body.deployment.id)).status, 'live')
    const refused = await deployTo(second.id, 'production')
    assert.equal(refused.status, 403)
    assert.deepEqual(refused.body.errors, [
      {
        message: 'Your Free plan allows 1 production deployment live at once. Upgrade to Pro on the Billing page, or stop the production deployment of another project.',
        code: 'plan_limit',
      },
    ])
    const preview = await deployTo(second.id, 'preview')
    assert.equal(preview.status, 202, 'previews are not limited')
    await settled(account, preview.body.deployment.id)
    const replaced = await deployTo(account.project.id, 'production')
    assert.equal(replaced.status, 202, 'a new version of the same app replaces it')
    const live = await settled(account, replaced.body.deployment.id)
    assert.equal(live.status, 'live')
    // The new one went live, then the old one was stopped.
    await settled(account, first.body.deployment.id, ['stopped'])

    // A rollback is a new production deployment too.
    const [earlier] = await db
      .table('deployments')
      .insert({ project_id: second.id, environment: 'production', status: 'stopped', target: 'sim', version: versions[second.id], created_at: dbTime(), updated_at: dbTime() })
      .returning('id')
    const earlierId = typeof earlier === 'object' ? earlier.id : earlier
    const rollback = await account.json('POST', `/api/v1/deployments/${earlierId}/rollback`)
    assert.equal(rollback.status, 403)
    assert.equal(rollback.body.errors[0].code, 'plan_limit')

    // Once the first app is stopped, the second may go live, and the first may not.
    assert.equal((await account.json('POST', `/api/v1/deployments/${live.id}/stop`)).status, 200)
    const secondLive = await deployTo(second.id, 'production')
    assert.equal(secondLive.status, 202)
    await settled(account, secondLive.body.deployment.id)
    assert.equal((await deployTo(account.project.id, 'production')).status, 403)

    await setPlan(account.workspaceId, 'pro')
    const onPro = await deployTo(account.project.id, 'production')
    assert.equal(onPro.status, 202)
    assert.equal((await settled(account, onPro.body.deployment.id)).status, 'live')
    const workspace = await Workspace.findOrFail(account.workspaceId)
    assert.equal(workspace.plan, 'pro')
  })
})
