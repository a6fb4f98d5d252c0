/// <reference lib="dom" />
import { test } from '@japa/runner'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPlatform, type PlatformProcess } from '#tests/helpers/platform_process'

/**
 * Acceptance: the README's first command brings the platform up on SQLite
 * with no configuration, and a person can sign up and reach the dashboard
 * in a real browser (Debian chromium).
 */
test.group('First start on the embedded default', (group) => {
  let platform: PlatformProcess
  let dataDir: string

  group.setup(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'xbasis-first-start-'))
    platform = await startPlatform({ dataDir })
    return async () => {
      await platform.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  test('npm start serves the platform with SQLite and all state in DATA_DIR', async ({ assert }) => {
    const ready = (await (await fetch(`${platform.url}/health/ready`)).json()) as any
    assert.equal(ready.status, 'ok')
    assert.include(ready.checks.map((c: any) => c.name).join(), 'Database health check (sqlite)')
    assert.notInclude(ready.checks.map((c: any) => c.name).join(), 'Redis')
    assert.includeMembers(readdirSync(dataDir), ['app.key', 'xbasis.sqlite3', 'logs'])
    assert.includeMembers(readdirSync(join(dataDir, 'logs')), ['xbasis.log'])
    assert.isTrue(existsSync(join(dataDir, 'xbasis.sqlite3')))
  })

  test('sign up → dashboard in chromium, with CSRF-protected posts and flash messages', async ({ visit, assert }) => {
    const errors: string[] = []
    const page = await visit(platform.url + '/')
    // The 422 of the invalid form below is expected; anything else is not.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('status of 422')) errors.push(message.text())
    })
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('response', (response) => response.status() >= 500 && errors.push(`${response.status()} ${response.url()}`))

    await page.assertTextContains('h1', 'Describe an app. Get it live.')
    await page.getByRole('link', { name: "Start building — it's free" }).click()
    await page.waitForURL('**/signup')

    // A post whose CSRF token was tampered with is refused, with a message.
    await page.fill('#name', 'Browser Person')
    await page.fill('#email', 'browser.person@example.com')
    await page.fill('#password', 'a long browser password')
    await page.evaluate(() => {
      const csrf = document.querySelector<HTMLInputElement>('input[name="_csrf"]')!
      csrf.value = 'tampered'
    })
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForSelector('[data-flash="error"]')
    await page.assertTextContains('[data-flash="error"]', 'The form expired')

    // The real form goes through.
    await page.goto(platform.url + '/signup')
    await page.fill('#name', 'Browser Person')
    await page.fill('#email', 'browser.person@example.com')
    await page.fill('#password', 'a long browser password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.assertTextContains('h1', 'Hello, Browser Person')
    await page.assertTextContains('[data-flash="success"]', 'Welcome to xBasis, Browser Person!')
    await page.assertTextContains('[data-test="plan"]', 'Free')

    // Alpine runs under the strict CSP: the flash can be dismissed.
    await page.locator('[data-flash="success"] button').click()
    await page.locator('[data-flash="success"]').waitFor({ state: 'hidden' })

    // Validation errors render next to the field (422), input kept.
    await page.goto(platform.url + '/settings/tokens')
    await page.getByRole('button', { name: 'Create token' }).click()
    await page.assertTextContains('[data-error-for="name"]', 'The name field is required')

    // Log out is a CSRF-protected POST too.
    await page.locator('[data-test="logout"]').click()
    await page.waitForURL(platform.url + '/')
    await page.assertTextContains('[data-flash="success"]', 'You are logged out')

    // And back in.
    await page.goto(platform.url + '/login')
    await page.fill('#email', 'browser.person@example.com')
    await page.fill('#password', 'a long browser password')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL('**/dashboard')

    assert.deepEqual(errors, [], 'no script or CSP errors in the console')
  })
})
