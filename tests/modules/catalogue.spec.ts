import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCatalogue } from '#modules/composer'
import { MODULE_WORDS } from '../../plugins/offline/lexicon.js'

/**
 * The ids the offline builder can name: every page or feature module of its
 * request interpreter's vocabulary (plugins/offline/lexicon.ts), the records
 * module it builds entities with, and what those require.
 */
const BUILDER_IDS = ['app-base', 'data-store', 'crud-resource', ...Object.keys(MODULE_WORDS)]

test.group('Module catalogue', () => {
  test('every bundled module loads, and every module the offline builder names is there', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    assert.deepEqual(catalogue.errors, [])
    assert.includeMembers(catalogue.list().map((m) => m.id), BUILDER_IDS)
  })

  test('the catalogue covers the common asks: at least 24 modules', async ({ assert }) => {
    const ids = (await loadCatalogue()).list().map((m) => m.id)
    assert.isAtLeast(ids.length, 24)
    assert.includeMembers(ids, ['booking', 'menu', 'gallery', 'faq', 'testimonials', 'about-page', 'services-page', 'team-page', 'events', 'polls', 'comments', 'link-in-bio', 'qa', 'survey'])
  })

  test('every module has its test file in tests/modules', async ({ assert }) => {
    const here = fileURLToPath(new URL('.', import.meta.url))
    for (const manifest of (await loadCatalogue()).list()) {
      const file = `${manifest.id.replace(/-/g, '_')}.spec.ts`
      assert.isTrue(existsSync(join(here, file)), `tests/modules/${file} is missing`)
    }
  })
})
