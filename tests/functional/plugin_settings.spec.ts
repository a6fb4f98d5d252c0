import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { signedUpClient } from '#tests/helpers/web_client'
import { apiAccount, useFakeProviders } from '#tests/helpers/ai'
import { textScript } from '#tests/fakes/anthropic_server'


function keyHeader(request: { headers: Record<string, any> }) {
  return String(request.headers['x-api-key'] ?? request.headers['authorization'] ?? '')
}

test.group('Plugin settings: platform keys and bring-your-own-key', (group) => {
  const fakes = useFakeProviders(group, ['anthropic'])

  test('an admin saves a platform key: encrypted at rest, never rendered back, used by the plugin', async ({ assert }) => {
    const admin = await signedUpClient('Admin')
    delete process.env.ANTHROPIC_API_KEY
    try {
      const saved = await admin.client.submit('/admin/plugins/anthropic', '/admin/plugins/anthropic?_method=PUT', {
        api_key: fakes().anthropic.apiKey,
        base_url: fakes().anthropic.url,
      })
      assert.equal(saved.location, '/admin/plugins/anthropic')

      const rows = await db.from('plugin_settings').where('plugin_id', 'anthropic').whereNull('workspace_id')
      const key = rows.find((r) => r.key === 'api_key')!
      assert.isTrue(Boolean(key.secret))
      assert.notInclude(key.value, fakes().anthropic.apiKey, 'stored encrypted')
      assert.equal(rows.find((r) => r.key === 'base_url')!.value, fakes().anthropic.url)

      const page = await admin.client.get('/admin/plugins/anthropic')
      assert.notInclude(page.text, fakes().anthropic.apiKey, 'the secret is never rendered')
      assert.include(page.text, 'data-secret-state="set"')

      // An empty secret field keeps the stored key.
      await admin.client.submit('/admin/plugins/anthropic', '/admin/plugins/anthropic?_method=PUT', { api_key: '', base_url: fakes().anthropic.url })
      assert.lengthOf(await db.from('plugin_settings').where({ plugin_id: 'anthropic', key: 'api_key' }), 1)

      const account = await apiAccount()
      fakes().anthropic.enqueue(textScript('answered with the saved key'))
      const turn = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hi', provider: 'anthropic' })
      assert.equal(turn.status, 201, JSON.stringify(turn.body))
      assert.include(keyHeader(fakes().anthropic.requests.at(-1)!), fakes().anthropic.apiKey)
    } finally {
      process.env.ANTHROPIC_API_KEY = fakes().anthropic.apiKey
    }
  })

  test("a workspace's own key overrides the platform's for its projects only", async ({ assert }) => {
    await signedUpClient('Admin') // first account: the admin
    const owner = await signedUpClient('Owner')
    const saved = await owner.client.submit('/settings/ai', '/settings/ai/anthropic?_method=PUT', { api_key: 'sk-workspace-own-key' })
    assert.equal(saved.location, '/settings/ai')
    const page = await owner.client.get('/settings/ai')
    assert.notInclude(page.text, 'sk-workspace-own-key')

    const ownerUser = await db.from('users').where('email', owner.email).first()
    const workspace = await db.from('workspaces').where({ owner_id: ownerUser.id, personal: true }).first()
    const row = await db.from('plugin_settings').where({ plugin_id: 'anthropic', workspace_id: workspace.id, key: 'api_key' }).first()
    assert.exists(row)
    assert.notInclude(row.value, 'sk-workspace-own-key')

    // The owner's project goes out with the owner's key (the fake refuses it: proof enough of which key was sent).
    const create = await owner.client.submit('/projects/new', '/projects', { name: 'BYOK app' })
    const projectId = Number(create.location!.split('/').pop())
    await owner.client.get(`/projects/${projectId}`)
    const turn = await owner.client.request('POST', `/projects/${projectId}/messages`, {
      headers: { 'accept': 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': owner.client.csrfToken! },
      form: { content: 'hello', provider: 'anthropic' },
    })
    assert.equal(turn.status, 502)
    assert.include(keyHeader(fakes().anthropic.requests.at(-1)!), 'sk-workspace-own-key')

    // Someone else's project still uses the platform key.
    const other = await apiAccount('Other')
    fakes().anthropic.enqueue(textScript('platform key'))
    assert.equal((await other.json('POST', `/api/v1/projects/${other.project.id}/messages`, { content: 'hi', provider: 'anthropic' })).status, 201)
    assert.include(keyHeader(fakes().anthropic.requests.at(-1)!), fakes().anthropic.apiKey)
  })

  test('bad values are refused with field messages; members cannot reach platform settings', async ({ assert }) => {
    const admin = await signedUpClient('Admin')
    const member = await signedUpClient('Member')
    const bad = await admin.client.submit('/admin/plugins/openai', '/admin/plugins/openai?_method=PUT', { base_url: 'not a url' })
    assert.equal(bad.status, 422)
    assert.match(bad.text, /data-error-for="base_url"/)
    assert.equal((await member.client.get('/admin/plugins/openai')).status, 403)
    assert.equal((await admin.client.get('/admin/plugins/offline')).status, 404, 'no settings to edit')
    const [{ n }] = await db.from('plugin_settings').count('* as n')
    assert.equal(Number(n), 0)
  })
})
