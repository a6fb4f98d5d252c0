import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { truncateAll } from '#tests/helpers/services'
import { brokenPluginsFolder } from '#tests/helpers/plugin_fixtures'
import { startPlatform } from '#tests/helpers/platform_process'
import { WebClient, signedUpClient } from '#tests/helpers/web_client'

test.group('Plugins: admin page', (group) => {
  group.each.setup(() => truncateAll())

  test('lists every plugin with kind, version, status and configuration; admins only', async ({ assert }) => {
    const admin = await signedUpClient('Admin')
    const member = await signedUpClient('Member')
    const page = await admin.client.get('/admin/plugins')
    assert.equal(page.status, 200)
    for (const id of ['anthropic', 'openai', 'offline']) assert.include(page.text, `data-plugin="${id}"`)
    const anthropic = page.text.slice(page.text.indexOf('data-plugin="anthropic"'))
    assert.match(anthropic, /ai-provider/)
    assert.match(anthropic, /1\.0\.0/)
    assert.equal((await member.client.get('/admin/plugins')).status, 403)
  })

  test('a platform with broken plugins still starts, and the admin page names each broken one with its reason', async ({ assert }) => {
    const plugins = brokenPluginsFolder()
    const dataDir = mkdtempSync(join(tmpdir(), 'xbasis-broken-plugins-'))
    const platform = await startPlatform({ dataDir, env: { XBASIS_PLUGIN_PATHS: plugins } })
    try {
      assert.equal((await fetch(`${platform.url}/health/ready`)).status, 200)
      assert.match(platform.output(), /plugin \\"throws-on-import\\" .* is disabled: boom while importing/)

      const client = new WebClient(platform.url)
      const signup = await client.submit('/signup', '/signup', { name: 'Admin', email: 'admin@example.com', password: 'admin password' })
      assert.equal(signup.location, '/dashboard')
      const page = await client.get('/admin/plugins')
      assert.equal(page.status, 200)
      for (const id of ['bad-definition', 'throws-on-import', 'future-api', 'wrong-id', 'no-factory']) {
        const row = page.text.slice(page.text.indexOf(`data-plugin="${id}"`))
        assert.match(row.slice(0, 1500), /data-test="load-error"/, id)
      }
      assert.include(page.text, 'boom while importing')
      assert.match(page.text, /data-plugin="echo"[\s\S]*?enabled/)
    } finally {
      await platform.stop()
      rmSync(plugins, { recursive: true, force: true })
      rmSync(dataDir, { recursive: true, force: true })
    }
  }).timeout(240_000)
})
