/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import { truncateAll } from '#tests/helpers/services'
import xbasis from '#config/xbasis'

/**
 * The main job on the embedded default: sign up, new project, describe an
 * app, the offline builder answers, a preview deploys by itself and shows in
 * the editor, deploy to production, the live URL answers. The page is opened
 * at localhost (not 127.0.0.1): apps answer at <app>.localhost, and the
 * preview may only be framed by the platform's own origin.
 */
const base = `http://localhost:${env.get('PORT')}`

test.group('The main job, end to end', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    xbasis.autoPreview = true
    return () => {
      xbasis.autoPreview = false
    }
  })
  group.teardown(async () => {
    const live = await db.from('deployments').whereIn('status', ['live', 'failed'])
    const driver = await deploy.use('process')
    for (const row of live) if (row.handle) await driver.destroy(JSON.parse(row.handle)).catch(() => {})
  })

  test('idea → preview → production in the browser', async ({ visit, assert }) => {
    const page = await visit(base + '/signup')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.fill('#name', 'Maker')
    await page.fill('#email', 'maker@example.com')
    await page.fill('#password', 'maker password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.locator('[data-test="new-project"]').click()
    await page.fill('#name', 'Bakery')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.waitForURL(/\/projects\/\d+$/)

    await page.fill('[data-test="chat-input"]', 'a landing page with a waitlist and a blog')
    await page.locator('[data-test="chat-send"]').click()

    // The preview deploys by itself and the iframe shows the generated app.
    await page.waitForSelector('[data-test="preview-frame"]', { timeout: 60_000 })
    await page.waitForFunction(() => Boolean(document.querySelector('[data-test="preview-frame"]')?.getAttribute('src')))
    const previewUrl = await page.locator('[data-test="preview-frame"]').getAttribute('src')
    assert.match(previewUrl!, /^http:\/\/bakery-\d+-preview-[0-9a-f]{20}\.localhost:\d+$/)
    let framed = page.frames().find((f) => f.url().startsWith(previewUrl!))
    for (let i = 0; i < 50 && !framed; i++) {
      await page.waitForTimeout(100)
      framed = page.frames().find((f) => f.url().startsWith(previewUrl!))
    }
    assert.exists(framed, 'the preview is loaded in the frame')
    await framed!.waitForLoadState()
    await framed!.waitForSelector('body *')
    assert.isAbove((await framed!.content()).length, 100)
    assert.include(await page.locator('[data-test="deploy-logs"]').textContent(), 'Live at')

    // Production.
    await page.locator('[data-test="deploy-production"]').click()
    await page.waitForSelector('[data-test="production-url"]:not([style*="none"])', { timeout: 60_000 })
    await page.waitForFunction(() => (document.querySelector('[data-test="production-url"]')?.textContent ?? '').includes('.localhost'))
    const productionUrl = (await page.locator('[data-test="production-url"]').textContent())!
    const live = await visit(productionUrl + '/waitlist')
    assert.equal(await live.title() !== undefined, true)
    assert.match(await live.content(), /waitlist/i)
    const health = await visit(productionUrl + '/health')
    assert.include(await health.content(), '"status":"ok"')
    const project = await db.from('projects').firstOrFail()
    assert.equal(project.deploy_url, productionUrl)
    assert.deepEqual(errors, [])
  }).timeout(180_000)
})
