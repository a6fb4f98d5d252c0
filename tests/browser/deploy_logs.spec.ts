/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import deploy from '#deploy/deploy_manager'
import { truncateAll } from '#tests/helpers/services'

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
})
