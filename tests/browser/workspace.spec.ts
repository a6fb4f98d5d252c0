/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { WebClient } from '#tests/helpers/web_client'

const base = new WebClient().baseUrl

/**
 * Acceptance: three turns make three versions; the editor shows files,
 * lets the user edit and lock them, and diffs and restores versions.
 */
test.group('Project files and versions in the browser', (group) => {
  group.each.setup(() => truncateAll())

  test('three offline turns, then files, edit, lock, diff and restore through the UI', async ({ visit, assert }) => {
    const page = await visit(base + '/signup')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.fill('#name', 'Versions Person')
    await page.fill('#email', 'versions@example.com')
    await page.fill('#password', 'versions password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.goto(base + '/projects/new')
    await page.fill('#name', 'Versioned app')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.waitForURL(/\/projects\/\d+$/)
    await page.assertExists('[data-test="files-empty"]')

    for (const [index, request] of ['a landing page', 'add a blog', 'add a waitlist'].entries()) {
      await page.fill('[data-test="chat-input"]', request)
      await page.locator('[data-test="chat-send"]').click()
      await page.waitForFunction((n) => document.querySelectorAll('[data-test="message-changes"]:not([style*="none"])').length === n, index + 1)
    }
    assert.match((await page.locator('[data-test="message-changes"]').last().textContent())!, /New version [0-9a-f]{7}/)

    // Files: the tree, a highlighted code view, an edit saved as a new version, a lock.
    await page.waitForSelector('[data-test="file-tree"] button[data-path="server.js"]')
    await page.locator('[data-test="file-tree"] button[data-path="server.js"]').click()
    await page.waitForSelector('[data-test="file-code"] .hljs-keyword')
    await page.locator('[data-test="file-tree"] button[data-path="xbasis.config.json"]').click()
    await page.assertTextContains('[data-test="file-path"]', 'xbasis.config.json')
    await page.locator('[data-test="file-edit"]').click()
    const content = await page.locator('[data-test="file-editor"]').inputValue()
    await page.locator('[data-test="file-editor"]').fill(content.replace('"modules"', '"modules" ') )
    await page.locator('[data-test="file-save"]').click()
    await page.waitForFunction(() => (document.querySelector('[data-test="workspace-message"]')?.textContent ?? '').includes('Saved xbasis.config.json'))
    await page.locator('[data-test="file-lock"]').click()
    await page.waitForFunction(() => document.querySelector('[data-test="file-lock"]')?.textContent === 'Unlock')
    const projectId = Number(page.url().split('/').pop())
    assert.exists(await db.from('project_file_locks').where({ project_id: projectId, path: 'xbasis.config.json' }).first())

    // Versions: four (three turns and the edit), a diff, a restore.
    await page.locator('[data-test="tab-versions"]').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-test="version-list"] li').length === 4)
    await page.locator('[data-test="version-diff"]').nth(1).click()
    await page.waitForSelector('[data-test="diff-view"]')
    const diffText = (await page.locator('[data-test="diff-view"]').textContent())!
    assert.include(diffText, 'xbasis.config.json')
    assert.match(diffText, /waitlist/)

    await page.locator('[data-test="version-restore"]').nth(3).click()
    await page.waitForFunction(() => (document.querySelector('[data-test="workspace-message"]')?.textContent ?? '').startsWith('Restored'))
    await page.waitForFunction(() => document.querySelectorAll('[data-test="version-list"] li').length === 5)
    assert.include((await page.locator('[data-test="version-list"] li').first().textContent())!, 'restore')

    await page.locator('[data-test="tab-files"]').click()
    await page.waitForFunction(() => !document.querySelector('[data-test="file-tree"] button[data-path="routes/blog.js"]'))
    assert.deepEqual(errors, [])
  }).timeout(120_000)
})
