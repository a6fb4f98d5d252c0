/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import DeployService from '#services/deploy_service'
import Project from '#models/project'
import User from '#models/user'
import { truncateAll } from '#tests/helpers/services'
import { SimDeployTarget } from '#tests/helpers/sim_deploy_target'
import xbasisConfig from '#config/xbasis'

/**
 * Issue 11, item 1: the editor says what persists. Next to the deploy
 * button, where the app's data is kept; next to a deployment on Vercel,
 * that its data is not kept; and redeploying an app that keeps data there
 * asks first (a confirm dialog), deploying only once the user accepts.
 */
const base = `http://localhost:${env.get('PORT')}`

test.group('Editor: what persists where', (group) => {
  group.each.setup(() => truncateAll())
  group.each.setup(() => {
    deploy.fake('vercel', new SimDeployTarget())
    // No drain: a replaced deployment is done with once the new one is live (nothing runs after the test).
    const drain = xbasisConfig.deployDrainMs
    xbasisConfig.deployDrainMs = 0
    return () => {
      xbasisConfig.deployDrainMs = drain
      deploy.restore('vercel')
    }
  })

  test('the data note, the Vercel warning, and a redeploy there only after the user accepts losing data', async ({ visit, assert }) => {
    const page = await visit(base + '/signup')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.fill('#name', 'Owner')
    await page.fill('#email', 'data-owner@example.com')
    await page.fill('#password', 'owner password 1')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.locator('[data-test="new-project"]').click()
    await page.fill('#name', 'Sign-ups')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.waitForURL(/\/projects\/\d+$/)
    assert.include(await page.locator('[data-test="data-persistence"]').textContent(), 'DATA_DIR/app-data')

    await page.fill('[data-test="chat-input"]', 'a landing page with a waitlist')
    await page.locator('[data-test="chat-send"]').click()
    await page.waitForSelector('[data-test="message-changes"]:not([style*="none"])', { timeout: 60_000 })

    // A Vercel deployment of it, made through the API with the user's consent.
    const project = await Project.findOrFail(Number(page.url().split('/').pop()))
    const user = await User.findByOrFail('email', 'data-owner@example.com')
    const first = await new DeployService().create(project, user, { environment: 'production', target: 'vercel', accept_data_loss: true })
    for (let i = 0; i < 100 && (await db.from('deployments').where('id', first.id).first()).status !== 'live'; i++) await new Promise((r) => setTimeout(r, 100))
    await page.reload()
    const row = page.locator(`[data-test="deployments"] li[data-id="${first.id}"]`)
    await row.locator('[data-test="deployment-data-warning"]').waitFor()
    assert.match((await row.locator('[data-test="deployment-data-warning"]').textContent())!, /Vercel functions are stateless/)

    // Redeploy: dismissing the question deploys nothing; accepting it deploys.
    const count = async () => Number((await db.from('deployments').where('project_id', project.id).count('* as n'))[0].n)
    const before = await count()
    const questions: string[] = []
    page.once('dialog', (dialog) => {
      questions.push(dialog.message())
      void dialog.dismiss()
    })
    await row.locator('[data-test="deployment-redeploy"]').click()
    await page.waitForFunction(() => document.querySelector('[aria-label="Preview and deploys"] p.text-red-600')?.textContent?.includes('keeps data'))
    assert.equal(await count(), before, 'nothing was deployed')
    assert.match(questions[0], /This app keeps data \(.*Waitlist.*\)[\s\S]*Deploy it anyway\?/)
    assert.notInclude(questions[0], 'accept_data_loss')

    page.once('dialog', (dialog) => void dialog.accept())
    await row.locator('[data-test="deployment-redeploy"]').click()
    await page.waitForSelector(`[data-test="deployments"] li[data-environment="production"]:not([data-id="${first.id}"])`, { timeout: 30_000 })
    let newest = await db.from('deployments').where('project_id', project.id).orderBy('id', 'desc').first()
    for (let i = 0; i < 100 && newest.status !== 'live'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      newest = await db.from('deployments').where('id', newest.id).first()
    }
    assert.equal(newest.status, 'live')
    for (let i = 0; i < 50 && (await db.from('deployments').where('id', first.id).first()).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 100))
    assert.equal(newest.target, 'vercel')
    assert.equal(newest.version, first.version)
    assert.deepEqual(errors, [])
  }).timeout(120_000)
})
