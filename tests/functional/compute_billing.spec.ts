import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import billingConfig from '#config/billing'
import deploy from '#deploy/deploy_manager'
import Deployment from '#models/deployment'
import Project from '#models/project'
import Workspace from '#models/workspace'
import type User from '#models/user'
import AccountService from '#services/account_service'
import ComputeBillingService, { SUSPENDED_REASON, dailyComputePrice } from '#services/compute_billing_service'
import DeployService from '#services/deploy_service'
import LedgerService from '#services/ledger_service'
import ProjectFilesService from '#services/project_files_service'
import ProjectService from '#services/project_service'
import { truncateAll } from '#tests/helpers/services'
import { SimDeployTarget } from '#tests/helpers/sim_deploy_target'
import XbasisBillingCompute from '../../commands/xbasis_billing_compute.js'

const target = new SimDeployTarget()

/** Noon (UTC) of day `n` of June 2026. */
const june = (n: number, hour = 12) => DateTime.utc(2026, 6, n, hour)

async function waitForStatus(id: number, statuses: string[]) {
  for (let i = 0; i < 300; i++) {
    const deployment = await Deployment.find(id)
    if (deployment && statuses.includes(deployment.status)) return deployment
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`deployment ${id} never reached ${statuses.join('/')}`)
}

let accountCounter = 0
async function account() {
  accountCounter += 1
  return new AccountService().register({ name: `Compute ${accountCounter}`, email: `compute-${accountCounter}@example.com`, password: 'compute password' })
}

/** A project with one file, deployed to production on the sim target and live. */
async function liveApp(user: User, name: string, size: string) {
  const project = await new ProjectService().create(user, { name })
  project.computeSize = size
  await project.save()
  const { version } = await new ProjectFilesService().saveFile(project, user, 'server.js', `// ${name}: ${size}\n`)
  const created = await new DeployService().create(project, user, { environment: 'production', target: 'sim' })
  const deployment = await waitForStatus(created.id, ['live', 'failed'])
  if (deployment.status !== 'live') throw new Error(`deploy failed: ${deployment.reason}`)
  return { project, deployment, version: version! }
}

async function computeEntries(workspaceId: number) {
  return db.from('transactions').where({ workspace_id: workspaceId, type: 'compute' }).orderBy('id')
}

async function mailsTo(email: string) {
  return db.from('captured_mails').where('to_address', email).orderBy('id')
}

test.group('Compute charges', (group) => {
  group.setup(() => {
    deploy.fake('sim', target)
    return () => deploy.restore('sim')
  })
  group.each.setup(async () => {
    await truncateAll()
    // Deployment ids start again with the tables: so does what the target saw.
    target.deployed.length = 0
    target.stopped.length = 0
    target.running.clear()
    const saved = { charged: billingConfig.compute.charged, graceDays: billingConfig.compute.graceDays }
    // As with a payment provider (BILLING=paddle): compute is charged.
    billingConfig.compute.charged = true
    billingConfig.compute.graceDays = 3
    return async () => {
      Object.assign(billingConfig.compute, saved)
      // No app of this test keeps running on the sim target.
      for (const deployment of await Deployment.query().where('status', 'live')) await new DeployService().stop(deployment, 'test over')
    }
  })

  test('a simulated month: charges equal the price table for small, medium and large, once per day', async ({ assert }) => {
    // The price table (config/billing.ts): $5, $10, $20 a month, charged daily as ceil(monthly / 30) cents.
    assert.deepEqual(
      ['small', 'medium', 'large'].map((size) => dailyComputePrice(size).cents),
      ['small', 'medium', 'large'].map((size) => Math.ceil(billingConfig.compute.sizes[size].monthlyCents / 30))
    )
    assert.deepEqual(['small', 'medium', 'large'].map((size) => dailyComputePrice(size).cents), [17, 34, 67])

    const { user, workspace } = await account()
    await new LedgerService().post({ workspaceId: workspace.id, type: 'grant', tokens: 1_000_000, amount: 0, description: 'enough for the month' })
    const apps = {
      small: await liveApp(user, 'Small app', 'small'),
      medium: await liveApp(user, 'Medium app', 'medium'),
      large: await liveApp(user, 'Large app', 'large'),
    }
    const before = (await Workspace.findOrFail(workspace.id)).tokensBalance

    const billing = new ComputeBillingService()
    for (let day = 1; day <= 30; day++) {
      const first = await billing.run(june(day, 0))
      assert.equal(first.entries, 3, `day ${day}`)
      // The platform runs it every hour: the same day is never charged twice.
      const again = await billing.run(june(day, 13))
      assert.equal(again.entries, 0, `day ${day} again`)
      assert.equal(again.tokens, 0)
    }

    const entries = await computeEntries(workspace.id)
    assert.lengthOf(entries, 90)
    const byProject = (projectId: number) => entries.filter((entry) => Number(entry.project_id) === projectId)
    // $5.10, $10.20, $20.10 over the month, in micro-dollars and in tokens of $0.0001.
    for (const [size, cents] of [['small', 510], ['medium', 1020], ['large', 2010]] as const) {
      const rows = byProject(apps[size].project.id)
      assert.lengthOf(rows, 30, size)
      assert.equal(rows.reduce((sum, row) => sum - Number(row.amount), 0), cents * 10_000, size)
      assert.equal(rows.reduce((sum, row) => sum - Number(row.tokens), 0), cents * 100, size)
      assert.equal(rows[0].reference, `compute:${apps[size].project.id}:2026-06-01`)
    }
    const after = await Workspace.findOrFail(workspace.id)
    assert.equal(before - after.tokensBalance, (510 + 1020 + 2010) * 100)
    assert.isNull(after.balanceWarnedAt)
    assert.deepEqual(await new LedgerService().check(), [])
  }).timeout(120_000)

  test('exhaustion: warned once, stopped after the grace days, started again on top-up with nothing lost', async ({ assert }) => {
    const { user, workspace } = await account()
    const ledger = new LedgerService()
    // 8,000 tokens: two days of a medium app (3,400 a day) and 1,200 over.
    const allowance = (await Workspace.findOrFail(workspace.id)).tokensBalance
    await ledger.post({ workspaceId: workspace.id, type: 'revoke', tokens: -(allowance - 8_000), amount: 0, description: 'test balance' })
    const app = await liveApp(user, 'Shop', 'medium')
    const files = new ProjectFilesService()
    const versionsBefore = await files.versions(app.project)
    const billing = new ComputeBillingService()

    assert.deepInclude(await billing.run(june(1)), { entries: 1, tokens: 3_400, warned: [] })
    assert.deepInclude(await billing.run(june(2)), { entries: 1, tokens: 3_400, warned: [] })
    // Day 3: 1,200 free of 3,400: what is free is taken, the owner is warned.
    assert.deepInclude(await billing.run(june(3)), { entries: 1, tokens: 1_200, warned: [workspace.id], suspended: [] })
    let state = await Workspace.findOrFail(workspace.id)
    assert.equal(state.tokensBalance, 0)
    assert.equal(state.balanceWarnedAt!.toMillis(), june(3).toMillis())
    let mails = await mailsTo(user.email)
    assert.lengthOf(mails, 1)
    assert.equal(mails[0].subject, 'Your xBasis balance ran out')
    assert.include(mails[0].text_body, 'before 2026-06-06')

    // Within the grace period: still running, charged nothing (no balance), no second mail.
    for (const day of [4, 5]) {
      assert.deepInclude(await billing.run(june(day)), { entries: 1, tokens: 0, warned: [], suspended: [] })
      assert.equal((await Deployment.findOrFail(app.deployment.id)).status, 'live')
    }
    // The grace days are over: production apps stop, nothing is deleted.
    assert.deepInclude(await billing.run(june(6)), { suspended: [workspace.id] })
    const stopped = await Deployment.findOrFail(app.deployment.id)
    assert.equal(stopped.status, 'stopped')
    assert.isTrue(stopped.suspendedForBilling)
    assert.equal(stopped.reason, SUSPENDED_REASON)
    assert.isFalse(target.running.has(`sim-d${app.deployment.id}`), 'the app was stopped on the target')
    state = await Workspace.findOrFail(workspace.id)
    assert.equal(state.computeSuspendedAt!.toMillis(), june(6).toMillis())
    mails = await mailsTo(user.email)
    assert.deepEqual(mails.map((mail) => mail.subject), ['Your xBasis balance ran out', 'Your xBasis production apps were stopped'])
    // Stopped apps are not charged.
    assert.deepInclude(await billing.run(june(7)), { entries: 0, tokens: 0, suspended: [] })

    // A production deploy while suspended is refused (402 balance_exhausted); a preview is not.
    const refused = await new DeployService().create(app.project, user, { environment: 'production', target: 'sim' }).catch((error) => error)
    assert.equal(refused.status, 402)
    assert.equal(refused.code, 'balance_exhausted')
    assert.match(refused.message, /balance ran out\. Top up/)
    const preview = await new DeployService().create(app.project, user, { environment: 'preview', target: 'sim' })
    assert.equal((await waitForStatus(preview.id, ['live', 'failed'])).status, 'live')
    await new DeployService().stop(preview)
    await preview.delete()

    // One queued before the suspension that goes live after it: stopped at the next run, without another mail.
    const byHand = await Deployment.create({ projectId: app.project.id, triggeredBy: user.id, environment: 'production', status: 'queued', target: 'sim', version: app.version })
    await new DeployService().run(byHand.id)
    assert.equal((await waitForStatus(byHand.id, ['live', 'failed'])).status, 'live')
    assert.deepInclude(await billing.run(june(7, 18)), { entries: 1, tokens: 0, suspended: [], warned: [] })
    const handStopped = await Deployment.findOrFail(byHand.id)
    assert.equal(handStopped.status, 'stopped')
    assert.isTrue(handStopped.suspendedForBilling)
    assert.lengthOf(await mailsTo(user.email), 2)

    // A grant too small for a day of the app does not start it again.
    await ledger.post({ workspaceId: workspace.id, type: 'grant', tokens: 100, amount: 0, description: 'a little' })
    assert.isNotNull((await Workspace.findOrFail(workspace.id)).computeSuspendedAt)
    assert.lengthOf(await Deployment.query().where('project_id', app.project.id), 2, 'nothing deployed yet')

    // A top-up that covers it: the same version is deployed again.
    const deploysBefore = target.deployed.length
    await ledger.post({ workspaceId: workspace.id, type: 'top_up', tokens: 100_000, amount: 10_000_000, reference: 'txn_compute_topup' })
    state = await Workspace.findOrFail(workspace.id)
    assert.isNull(state.computeSuspendedAt)
    assert.isNull(state.balanceWarnedAt)
    const restarts = await Deployment.query().where('project_id', app.project.id).whereNotIn('id', [app.deployment.id, byHand.id])
    assert.lengthOf(restarts, 1, 'one app per project is started again')
    const restarted = restarts[0]
    assert.containsSubset(restarted.serialize(), { environment: 'production', target: 'sim', version: app.version })
    const live = await waitForStatus(restarted.id, ['live', 'failed'])
    assert.equal(live.status, 'live', live.reason ?? '')
    assert.isFalse((await Deployment.findOrFail(app.deployment.id)).suspendedForBilling)
    assert.isFalse((await Deployment.findOrFail(byHand.id)).suspendedForBilling)
    assert.lengthOf(target.deployed, deploysBefore + 1)
    assert.equal(target.deployed.at(-1)!.deploymentId, `d${restarted.id}`)
    assert.deepEqual(target.deployed.at(-1)!.files, target.deployed.find((d) => d.deploymentId === `d${app.deployment.id}`)!.files)

    // No data lost: the project's files and versions are as they were.
    assert.deepEqual(await files.versions(app.project), versionsBefore)
    assert.equal((await files.readFile(app.project, 'server.js')).content, '// Shop: medium\n')
    assert.isNotNull(await Project.find(app.project.id))

    // Charged again from the next day on.
    assert.deepInclude(await billing.run(june(8)), { entries: 1, tokens: 3_400, warned: [] })
    const balance = (await Workspace.findOrFail(workspace.id)).tokensBalance
    assert.equal(balance, 100 + 100_000 - 3_400)
    assert.deepEqual(await new LedgerService().check(), [])
  }).timeout(120_000)

  test('a top-up posted inside a transaction (a webhook) starts the apps once it commits; a rolled-back one does not', async ({ assert }) => {
    const { user, workspace } = await account()
    const ledger = new LedgerService()
    const allowance = (await Workspace.findOrFail(workspace.id)).tokensBalance
    await ledger.post({ workspaceId: workspace.id, type: 'revoke', tokens: -allowance, amount: 0, description: 'empty' })
    const app = await liveApp(user, 'Webhook shop', 'small')
    const billing = new ComputeBillingService()
    assert.deepInclude(await billing.run(june(1)), { warned: [workspace.id] })
    assert.deepInclude(await billing.run(june(4)), { suspended: [workspace.id] })
    const others = () => Deployment.query().where('project_id', app.project.id).whereNot('id', app.deployment.id)

    await assert.rejects(() =>
      db.transaction(async (trx) => {
        await ledger.post({ workspaceId: workspace.id, type: 'top_up', tokens: 100_000, amount: 10_000_000, reference: 'txn_rolled_back' }, trx)
        throw new Error('the webhook failed after posting')
      })
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.lengthOf(await others(), 0)
    assert.isNotNull((await Workspace.findOrFail(workspace.id)).computeSuspendedAt)

    await db.transaction((trx) => ledger.post({ workspaceId: workspace.id, type: 'top_up', tokens: 100_000, amount: 10_000_000, reference: 'txn_committed' }, trx))
    let restarted: Deployment[] = []
    for (let i = 0; i < 100 && restarted.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      restarted = await others()
    }
    assert.lengthOf(restarted, 1)
    assert.equal((await waitForStatus(restarted[0].id, ['live', 'failed'])).status, 'live')
    assert.isNull((await Workspace.findOrFail(workspace.id)).computeSuspendedAt)
    assert.deepEqual(await ledger.check(), [])
  }).timeout(60_000)

  test('self-hosted (none): compute is not charged', async ({ assert }) => {
    billingConfig.compute.charged = false
    const { user, workspace } = await account()
    await liveApp(user, 'Home app', 'large')
    const report = await new ComputeBillingService().run(june(1))
    assert.equal(report.skipped, 'not_charged')
    assert.lengthOf(await computeEntries(workspace.id), 0)
  })

  test('node ace xbasis:billing:compute charges the given day once; a bad date is refused', async ({ assert }) => {
    const { user, workspace } = await account()
    await liveApp(user, 'Cli app', 'small')
    ace.ui.switchMode('raw')
    for (let i = 0; i < 2; i++) {
      const command = await ace.create(XbasisBillingCompute, ['--date', '2026-06-15'])
      await command.exec()
      command.assertSucceeded()
      command.assertLogMatches(new RegExp(`2026-06-15: ${i === 0 ? 1 : 0} charge\\(s\\), ${i === 0 ? 1_700 : 0} tokens`))
    }
    const entries = await computeEntries(workspace.id)
    assert.deepEqual(entries.map((entry) => [entry.reference, Number(entry.tokens)]), [[`compute:${entries[0].project_id}:2026-06-15`, -1_700]])

    const bad = await ace.create(XbasisBillingCompute, ['--date', '15/06/2026'])
    await bad.exec()
    bad.assertFailed()
  })
})
