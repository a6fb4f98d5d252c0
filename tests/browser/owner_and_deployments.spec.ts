/// <reference lib="dom" />
import { test } from '@japa/runner'
import { mkdirSync } from 'node:fs'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import { truncateAll } from '#tests/helpers/services'
import xbasis from '#config/xbasis'

/**
 * The owner manages their app from the editor: the chat and the deploy
 * panel list its owner pages, one click opens them signed in, the generated
 * password shows after the user's own password; each deployment has
 * Rollback, Stop, Redeploy and Logs; no notice or status goes stale.
 * Opened at localhost: apps answer at <app>.localhost.
 */
const base = `http://localhost:${env.get('PORT')}`
const SHOTS = app.makePath('tmp', 'screens-d-owner')

test.group('Editor: owner pages and deployment actions', (group) => {
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

  test('one click opens the owner pages signed in; credentials after the password; Rollback, Stop and Redeploy', async ({ visit, assert }) => {
    mkdirSync(SHOTS, { recursive: true })
    const page = await visit(base + '/signup')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.fill('#name', 'Owner')
    await page.fill('#email', 'owner@example.com')
    await page.fill('#password', 'owner password 1')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.locator('[data-test="new-project"]').click()
    await page.fill('#name', 'Bakery')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.waitForURL(/\/projects\/\d+$/)
    const editorUrl = page.url()
    const row = (id: string) => page.locator(`[data-test="deployments"] li[data-id="${id}"]`)
    const newestId = (environment: string) => page.locator(`[data-test="deployments"] li[data-environment="${environment}"]`).first().getAttribute('data-id')

    // A turn: the chat names the owner pages; the preview notice goes once the preview is live.
    await page.fill('[data-test="chat-input"]', 'a landing page with a contact form')
    await page.locator('[data-test="chat-send"]').click()
    await page.waitForSelector('[data-test="message-changes"]:not([style*="none"])', { timeout: 60_000 })
    assert.include(await page.locator('[data-test="message-changes"]').last().textContent(), 'Contact messages (/contact/submissions)')
    await page.waitForSelector('[data-test="deployments"] li[data-environment="preview"][data-status="live"]', { timeout: 60_000 })
    await page.waitForFunction(() => !(document.querySelector('[data-test="chat-notice"]') as HTMLElement).offsetParent)
    assert.equal(await page.locator('[data-test="project-status"]').textContent(), 'draft')

    // Production: the header no longer says "draft".
    await page.locator('[data-test="deploy-production"]').click()
    await page.waitForSelector('[data-test="deployments"] li[data-environment="production"][data-status="live"]', { timeout: 60_000 })
    await page.waitForFunction(() => document.querySelector('[data-test="project-status"]')?.textContent === 'live')
    const first = (await newestId('production'))!

    // One click: a new tab on the app's own origin, signed in on the owner page.
    const open = page.locator('[data-test="owner-open"][data-environment="production"][data-path="/contact/submissions"]')
    await open.waitFor()
    const [tab] = await Promise.all([page.context().waitForEvent('page'), open.click()])
    await tab.waitForURL(/\/contact\/submissions$/)
    assert.match(tab.url(), /^http:\/\/bakery-\d+\.localhost:\d+\/contact\/submissions$/)
    assert.include(await tab.locator('h1').first().textContent(), 'Contact messages')
    // Signed in for the app's other owner pages too (its cookie, not a password prompt).
    const admin = await tab.goto(tab.url().replace('/contact/submissions', '/admin'))
    assert.notEqual(admin!.status(), 401)
    await tab.close()

    // The generated password: not in the page until the user's password is typed again.
    const source = await page.content()
    await page.locator('[data-test="reveal-credentials"]').click()
    await page.fill('[data-test="reveal-password"]', 'not my password')
    await page.locator('[data-test="reveal-submit"]').click()
    await page.waitForSelector('[data-test="reveal-error"]:not([style*="none"])')
    assert.include(await page.locator('[data-test="reveal-error"]').textContent(), 'not correct')
    await page.fill('[data-test="reveal-password"]', 'owner password 1')
    await page.locator('[data-test="reveal-submit"]').click()
    await page.waitForSelector('[data-test="credential-value"]')
    const secret = (await page.locator('[data-test="credential-value"]').first().textContent())!
    assert.isAtLeast(secret.length, 20)
    assert.notInclude(source, secret)

    for (const [width, height] of [[1366, 900], [390, 844]]) {
      await page.setViewportSize({ width, height })
      await page.locator('section[aria-label="Preview and deploys"]').screenshot({ path: `${SHOTS}/deploy-panel-${width}.png` })
    }
    // At phone width nothing of the panel makes the page wider than the screen.
    assert.isAtMost(await page.evaluate(() => document.documentElement.scrollWidth), 390)
    await page.setViewportSize({ width: 1366, height: 900 })
    await page.locator('[data-test="credentials"] button', { hasText: 'Hide' }).click()

    // A second version in production, then Rollback to the first deployment's version.
    await page.fill('[data-test="chat-input"]', 'add a blog')
    await page.locator('[data-test="chat-send"]').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-test="message-changes"]').length >= 2, null, { timeout: 60_000 })
    await page.locator('[data-test="deploy-production"]').click()
    await page.waitForFunction((id) => {
      const newest = document.querySelector('[data-test="deployments"] li[data-environment="production"]')
      return newest && newest.getAttribute('data-id') !== id && newest.getAttribute('data-status') === 'live'
    }, first, { timeout: 60_000 })
    await row(first).locator('[data-test="deployment-status"]', { hasText: 'stopped' }).waitFor()
    assert.equal(await row(first).locator('[data-test="deployment-redeploy"]').isVisible(), false, 'an older deployment is rolled back to, not redeployed')
    await row(first).locator('[data-test="deployment-rollback"]').click()
    await page.waitForFunction((id) => Number(document.querySelector('[data-test="deployments"] li[data-environment="production"]')?.getAttribute('data-id')) > Number(id) + 1, first)
    const rolledBack = (await newestId('production'))!
    await row(rolledBack).and(page.locator('[data-status="live"]')).waitFor({ timeout: 60_000 })
    const [rolledVersion, firstVersion] = await Promise.all([row(rolledBack).locator('.font-mono').textContent(), row(first).locator('.font-mono').textContent()])
    assert.equal(rolledVersion, firstVersion)
    const appUrl = (await page.locator('[data-test="production-url"]').textContent())!
    const blog = await (await page.context().newPage()).goto(`${appUrl}/blog`)
    assert.equal(blog!.status(), 404, 'the blog came with the newer version')

    // Its logs, on demand.
    await row(first).locator('[data-test="deployment-logs"]').click()
    await page.waitForFunction((id) => document.querySelector('[data-test="deploy-followed"]')?.textContent === `#${id}`, first)
    await page.waitForFunction(() => (document.querySelector('[data-test="deploy-logs"]')?.textContent ?? '').includes('Replaced by a newer deployment'))

    // Redeploy the newest: a new deployment of the same version goes live.
    await row(rolledBack).locator('[data-test="deployment-redeploy"]').click()
    await page.waitForFunction((id) => Number(document.querySelector('[data-test="deployments"] li[data-environment="production"]')?.getAttribute('data-id')) > Number(id), rolledBack)
    const redeployed = (await newestId('production'))!
    await row(redeployed).and(page.locator('[data-status="live"]')).waitFor({ timeout: 60_000 })
    assert.equal(await row(redeployed).locator('.font-mono').textContent(), rolledVersion)
    await row(rolledBack).locator('[data-test="deployment-status"]', { hasText: 'stopped' }).waitFor()

    // Stop: the app answers with the styled "not running" page.
    await row(redeployed).locator('[data-test="deployment-stop"]').click()
    await row(redeployed).locator('[data-test="deployment-status"]', { hasText: 'stopped' }).waitFor()
    await page.waitForFunction(() => document.querySelector('[data-test="project-status"]')?.textContent === 'stopped')
    const visitor = await page.context().newPage()
    const stopped = await visitor.goto(appUrl)
    assert.equal(stopped!.status(), 503)
    assert.equal(await visitor.locator('h1').textContent(), 'This app is not running')
    await visitor.screenshot({ path: `${SHOTS}/not-running-390.png` })

    assert.equal(page.url(), editorUrl)
    assert.deepEqual(errors, [])
  }).timeout(240_000)
})
