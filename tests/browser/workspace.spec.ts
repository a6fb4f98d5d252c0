/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { WebClient } from '#tests/helpers/web_client'
import Project from '#models/project'
import ProjectFilesService from '#services/project_files_service'

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

test.group('Project files with unusual names in the browser', (group) => {
  group.each.setup(() => truncateAll())

  test('files a model named with spaces, accents and % open and save from the editor', async ({ visit, assert }) => {
    const page = await visit(base + '/signup')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.fill('#name', 'Names Person')
    await page.fill('#email', 'names@example.com')
    await page.fill('#password', 'names password 1')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.goto(base + '/projects/new')
    await page.fill('#name', 'Named files')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.waitForURL(/\/projects\/\d+$/)
    const project = await Project.findOrFail(Number(page.url().split('/').pop()))
    const names = ['my page.html', 'café.md', 'docs/100% done.txt']
    await new ProjectFilesService().applyOperations(
      project,
      null,
      names.map((path) => ({ op: 'write' as const, path, content: `content of ${path}\n` })),
      { message: 'model turn', turn: 'browser-names' }
    )
    await page.reload()

    for (const path of names) {
      await page.locator(`[data-test="file-tree"] button[data-path="${path}"]`).click()
      await page.waitForFunction((p) => (document.querySelector('[data-test="file-path"]')?.textContent ?? '').includes(p), path)
      assert.include((await page.locator('[data-test="file-code"]').textContent())!, `content of ${path}`)
      await page.locator('[data-test="file-edit"]').click()
      await page.locator('[data-test="file-editor"]').fill(`edited ${path}\n`)
      await page.locator('[data-test="file-save"]').click()
      await page.waitForFunction((p) => (document.querySelector('[data-test="workspace-message"]')?.textContent ?? '') === `Saved ${p}`, path)
      // The save re-reads the file list and the open file: wait for the saved text before opening the next.
      await page.waitForFunction((p) => (document.querySelector('[data-test="file-code"]')?.textContent ?? '').includes(`edited ${p}`), path)
    }
    const repo = new ProjectFilesService().repository(project)
    for (const path of names) assert.equal((await repo.readFile(path))?.toString('utf8'), `edited ${path}\n`)
    assert.deepEqual((await repo.listFiles()).map((file) => file.path).sort(), [...names].sort())
    assert.deepEqual(errors, [])
  }).timeout(60_000)
})
