/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import { truncateAll } from '#tests/helpers/services'
import xbasis from '#config/xbasis'
import { dbTime } from '#lib/db_time'
import { deployLogs } from '#services/deploy_log_writer'
import Deployment from '#models/deployment'

const base = `http://localhost:${env.get('PORT')}`

declare global {
  interface Window {
    __seen: { status: string | null; logs: string }[]
  }
}

test.group('Deploy panel: live logs and progress', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const live = await db.from('deployments').whereIn('status', ['live', 'failed'])
    const driver = await deploy.use('process')
    for (const row of live) if (row.handle) await driver.destroy(JSON.parse(row.handle)).catch(() => {})
  })

  test('the panel follows a deployment over EventSource: lines while it runs, progress up to live', async ({ visit, assert }) => {
    const page = await visit(base + '/signup')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    const requests: { type: string; url: string }[] = []
    page.on('request', (request: any) => requests.push({ type: request.resourceType(), url: request.url() }))
    await page.fill('#name', 'Watcher')
    await page.fill('#email', 'watcher@example.com')
    await page.fill('#password', 'watcher password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.locator('[data-test="new-project"]').click()
    await page.fill('#name', 'Florist')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.waitForURL(/\/projects\/\d+$/)
    await page.fill('[data-test="chat-input"]', 'a landing page with a waitlist')
    await page.locator('[data-test="chat-send"]').click()
    await page.waitForSelector('[data-test="message-changes"]:not([style*="none"])', { timeout: 60_000 })

    // A secret for production, from the editor's Environment page: shown as set, never in the page.
    const editor = page.url()
    await page.locator('[data-test="project-env"]').click()
    await page.waitForURL(/\/projects\/\d+\/settings\/env$/)
    await page.fill('#name', 'MAIL_API_KEY')
    await page.fill('#value', 'key-typed-in-the-browser')
    await page.selectOption('#environment', 'production')
    await page.locator('[data-test="env-save"]').click()
    await page.waitForSelector('[data-flash="success"]')
    const row = page.locator('tr[data-env-name="MAIL_API_KEY"][data-env-scope="production"]')
    assert.include(await row.textContent(), '•••• set')
    assert.notInclude(await page.content(), 'key-typed-in-the-browser')
    await page.goto(editor)
    await page.waitForSelector('[data-test="message-changes"]:not([style*="none"])')

    // What the panel shows at every change, recorded in the page.
    await page.evaluate(() => {
      window.__seen = []
      const record = () => {
        const progress = document.querySelector('[data-test="deploy-progress"]')
        window.__seen.push({ status: progress?.getAttribute('data-status') ?? null, logs: document.querySelector('[data-test="deploy-logs"]')?.textContent ?? '' })
      }
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true })
    })
    await page.locator('[data-test="deploy-production"]').click()
    await page.waitForSelector('[data-test="deploy-progress"][data-status="live"]', { timeout: 60_000 })
    await page.waitForSelector('[data-test="deploy-progress"] li[data-step="live"][data-state="done"]')
    await page.waitForFunction(() => (document.querySelector('[data-test="deploy-logs"]')?.textContent ?? '').includes('Live at'))

    const seen = await page.evaluate(() => window.__seen)
    const statuses = [...new Set(seen.map((s) => s.status).filter(Boolean))]
    assert.includeMembers(statuses, ['live'])
    assert.isTrue(statuses.some((s) => ['queued', 'building', 'deploying'].includes(s!)), `progress before live: ${statuses.join(', ')}`)
    assert.isTrue(
      seen.some((s) => s.status !== 'live' && s.logs.includes('Exporting version')),
      'a log line was shown while the deployment was still running'
    )
    // The stream's end refreshes the list: the live URL shows.
    await page.waitForFunction(() => (document.querySelector('[data-test="production-url"]')?.textContent ?? '').includes('.localhost'))
    const production = await page.locator('[data-test="production-url"]').textContent()
    assert.match(production!, /^http:\/\/florist-\d+\.localhost:\d+$/)

    // Followed over EventSource, not by polling the logs.
    assert.isTrue(requests.some((r) => r.type === 'eventsource' && /\/deployments\/\d+\/logs$/.test(r.url)))
    assert.isFalse(requests.some((r) => /\/logs\?after=/.test(r.url)))
    assert.deepEqual(errors, [])
  }).timeout(180_000)

  test('the panel shows the "… N lines dropped" line above the newest lines, and its count as it grows', async ({ visit, assert }) => {
    const saved = { ...xbasis.logs }
    Object.assign(xbasis.logs, { linesPerDeployment: 5, linesPerSecond: 1_000_000 })
    try {
      const page = await visit(base + '/signup')
      const errors: string[] = []
      page.on('pageerror', (error: Error) => errors.push(error.message))
      await page.fill('#name', 'Flooded')
      await page.fill('#email', 'flooded@example.com')
      await page.fill('#password', 'flooded password')
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL('**/dashboard')
      await page.locator('[data-test="new-project"]').click()
      await page.fill('#name', 'Chatty')
      await page.getByRole('button', { name: 'Create project' }).click()
      await page.waitForURL(/\/projects\/\d+$/)
      const projectId = Number(new URL(page.url()).pathname.split('/').pop())
      // A deployment on its way whose app prints far more than it keeps (driven by the test, no real app).
      const [row] = await db
        .table('deployments')
        .insert({ project_id: projectId, environment: 'production', status: 'deploying', target: 'process', version: 'b'.repeat(40), created_at: dbTime(), updated_at: dbTime() })
        .returning('id')
      const id = Number(typeof row === 'object' ? row.id : row)
      for (let i = 1; i <= 20; i++) deployLogs.append(id, { stream: 'runtime', text: `first ${i}` })
      await deployLogs.flush(id)
      await page.reload()

      const dropped = page.locator('[data-test="deploy-logs-dropped"]')
      await page.waitForFunction(() => (document.querySelector('[data-test="deploy-logs-dropped"]')?.textContent ?? '').startsWith('… 15 lines dropped'))
      await page.waitForFunction(() => (document.querySelector('[data-test="deploy-logs"]')?.textContent ?? '').includes('first 20'))
      // More output while it is followed: the same line, a new count; the newest lines below it.
      for (let i = 1; i <= 20; i++) deployLogs.append(id, { stream: 'runtime', text: `second ${i}` })
      await deployLogs.flush(id)
      await page.waitForFunction(() => (document.querySelector('[data-test="deploy-logs-dropped"]')?.textContent ?? '').startsWith('… 35 lines dropped'))
      await page.waitForFunction(() => (document.querySelector('[data-test="deploy-logs"]')?.textContent ?? '').includes('second 20'))
      assert.isTrue(await dropped.isVisible())
      assert.notInclude(await page.locator('[data-test="deploy-logs"]').textContent(), 'lines dropped', 'shown once, above the lines')

      const deployment = await Deployment.findOrFail(id)
      deployment.merge({ status: 'stopped', reason: 'Stopped by the user' })
      await deployment.save()
      await page.waitForSelector('[data-test="deploy-progress"][data-status="stopped"]')
      assert.deepEqual(errors, [])
    } finally {
      Object.assign(xbasis.logs, saved)
    }
  }).timeout(60_000)
})
