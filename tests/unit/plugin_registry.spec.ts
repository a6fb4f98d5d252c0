import { test } from '@japa/runner'
import { rmSync } from 'node:fs'
import { PluginRegistry } from '#plugins/registry'
import { HOST_API_VERSION } from '#plugins/definition'
import { brokenPluginsFolder } from '#tests/helpers/plugin_fixtures'

test.group('Plugin discovery', () => {
  test('broken or incompatible plugins are reported by name with a reason; valid ones load', async ({ assert }) => {
    const folder = brokenPluginsFolder()
    try {
      const registry = new PluginRegistry()
      const entries = await registry.discover([folder])
      const byId = Object.fromEntries(entries.map((e) => [e.id, e]))

      assert.equal(byId['echo'].status, 'enabled')
      assert.equal(byId['echo'].kind, 'ai-provider')
      assert.equal(byId['echo'].definition!.version, '1.2.3')

      const errors: Record<string, RegExp> = {
        'bad-definition': /invalid definition \(.*kind.*\)/,
        'throws-on-import': /boom while importing/,
        'future-api': new RegExp(`supports host API \\^2\\.0\\.0, this xBasis provides ${HOST_API_VERSION.replace(/\./g, '\\.')}`),
        'wrong-id': /id "not-my-folder" does not match its folder "wrong-id"/,
        'no-factory': /create must be a function/,
        'empty-folder': /no index\.ts, index\.js or index\.mjs/,
      }
      for (const [id, reason] of Object.entries(errors)) {
        assert.equal(byId[id]?.status, 'error', id)
        assert.match(byId[id].error!, reason, id)
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  test('plugins can be disabled by configuration; a second plugin with a taken id is refused', async ({ assert }) => {
    const first = brokenPluginsFolder()
    const second = brokenPluginsFolder()
    try {
      const registry = new PluginRegistry()
      await registry.discover([first, second], { disabled: ['echo'] })
      assert.equal(registry.get('echo')!.status, 'disabled')
      const duplicate = registry.all().find((e) => e.id.startsWith('echo@'))
      assert.exists(duplicate)
      assert.match(duplicate!.error!, /already loaded from/)
    } finally {
      rmSync(first, { recursive: true, force: true })
      rmSync(second, { recursive: true, force: true })
    }
  })

  test('the bundled plugins load and validate', async ({ assert }) => {
    const { default: registry } = await import('#plugins/registry')
    for (const id of ['anthropic', 'openai', 'offline']) {
      assert.equal(registry.get(id)?.status, 'enabled', id)
    }
  })
})
