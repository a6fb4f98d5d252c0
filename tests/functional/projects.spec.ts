import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { signedUpClient } from '#tests/helpers/web_client'
import { apiAccount } from '#tests/helpers/ai'

test.group('Projects', (group) => {
  group.each.setup(() => truncateAll())

  test('API: create, list, read, rename, archive, delete, with unique slugs per workspace', async ({ assert }) => {
    const account = await apiAccount('Owner')
    const second = await account.json('POST', '/api/v1/projects', { name: "Owner's app", description: 'the same name again' })
    assert.equal(second.status, 201)
    assert.equal(second.body.project.slug, 'owner-s-app-2')
    assert.containsSubset(second.body.project, { status: 'draft', repo_url: null, deploy_url: null, workspace_id: account.workspaceId })

    const list = await account.json('GET', '/api/v1/projects')
    assert.lengthOf(list.body.projects, 2)

    const renamed = await account.json('PATCH', `/api/v1/projects/${second.body.project.id}`, { name: 'Renamed', status: 'archived' })
    assert.containsSubset(renamed.body.project, { name: 'Renamed', status: 'archived', slug: 'owner-s-app-2' })
    const live = await account.json('PATCH', `/api/v1/projects/${second.body.project.id}`, { status: 'live' })
    assert.equal(live.status, 422, 'platform statuses cannot be set by hand')

    assert.equal((await account.json('DELETE', `/api/v1/projects/${second.body.project.id}`)).status, 204)
    assert.equal((await account.json('GET', `/api/v1/projects/${second.body.project.id}`)).status, 404)
    assert.equal((await account.json('GET', '/api/v1/projects/abc')).status, 404)
  })

  test('API: bad input is a 422 with field messages; another workspace is off limits', async ({ assert }) => {
    const alice = await apiAccount('Alice')
    const bob = await apiAccount('Bob')
    for (const [payload, field] of [[{}, 'name'], [{ name: '' }, 'name'], [{ name: 'x'.repeat(81) }, 'name'], [{ name: 'ok', description: 'd'.repeat(2001) }, 'description'], [{ name: 42 }, 'name']] as const) {
      const response = await alice.json('POST', '/api/v1/projects', payload)
      assert.equal(response.status, 422)
      assert.equal(response.body.errors[0].field, field)
    }
    const into = await alice.json('POST', '/api/v1/projects', { name: 'sneaky', workspace_id: bob.workspaceId })
    assert.equal(into.status, 404, "cannot create in someone else's workspace")
    assert.notInclude(JSON.stringify((await bob.json('GET', '/api/v1/projects')).body), alice.project.name)
    const [{ n }] = await db.from('projects').count('* as n')
    assert.equal(Number(n), 2)
  })

  test('web: create from the dashboard, edit, archive and delete', async ({ assert }) => {
    const { client } = await signedUpClient('Web Owner')
    const created = await client.submit('/projects/new', '/projects', { name: 'Web project', description: 'from the form' })
    const path = created.location!
    assert.match(path, /^\/projects\/\d+$/)
    assert.include((await client.get('/dashboard')).text, 'Web project')
    const editor = await client.get(path)
    assert.include(editor.text, 'data-test="chat-empty"')
    assert.include(editor.text, 'offline::offline-builder')

    const invalid = await client.submit(`${path}/edit`, `${path}?_method=PUT`, { name: '' })
    assert.equal(invalid.status, 422)
    const saved = await client.submit(`${path}/edit`, `${path}?_method=PUT`, { name: 'Renamed on the web', description: '', archived: 'true' })
    assert.equal(saved.location, path)
    const row = await db.from('projects').where('id', Number(path.split('/').pop())).first()
    assert.containsSubset(row, { name: 'Renamed on the web', status: 'archived' })

    const deleted = await client.submit(path, `${path}?_method=DELETE`, {})
    assert.equal(deleted.location, '/dashboard')
    assert.notExists(await db.from('projects').where('id', row.id).first())
  })
})

test.group('Module catalogue', (group) => {
  group.each.setup(() => truncateAll())

  test('GET /api/v1/modules and the /modules page list every module with parameters and routes', async ({ assert }) => {
    const account = await apiAccount()
    const { status, body } = await account.json('GET', '/api/v1/modules')
    assert.equal(status, 200)
    const ids = body.modules.map((m: any) => m.id)
    assert.isAtLeast(ids.length, 12)
    assert.includeMembers(ids, ['app-base', 'data-store', 'landing-page', 'pricing-page', 'contact-form', 'waitlist', 'accounts', 'crud-resource', 'blog', 'admin-page', 'file-uploads', 'payment-link'])
    const waitlist = body.modules.find((m: any) => m.id === 'waitlist')
    assert.isAbove(waitlist.routes.length, 0)
    assert.includeMembers(waitlist.requires, ['data-store'])

    const { client } = await signedUpClient('Viewer')
    const page = await client.get('/modules')
    assert.equal(page.status, 200)
    for (const id of ids) assert.include(page.text, `data-module="${id}"`)
  })
})
