import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module crud-resource', () => {
  test('create, list, edit and delete through the JSON API and the pages', async ({ assert, cleanup }) => {
    const { app } = await startModule('crud-resource', assert, cleanup)
    const admin = { admin: true }

    // Writes need the admin password by default; reads do not.
    assert.equal((await app.request('/api/items', { method: 'POST', json: { title: 'x' } })).status, 401)

    const created = await app.request('/api/items', { ...admin, method: 'POST', json: { title: 'Write tests', done: false } })
    assert.equal(created.status, 201)
    const item = (await created.json()) as Record<string, any>
    assert.equal(item.title, 'Write tests')
    assert.match(item.id, /^[a-f0-9]{16}$/)

    const list = (await (await app.request('/api/items')).json()) as Record<string, any>[]
    // The documented-route check created "Buy milk" (form) and "Walk the dog" (JSON).
    assert.deepEqual(list.map((i) => i.title).sort(), ['Buy milk', 'Walk the dog', 'Write tests'])

    const patched = await app.request(`/api/items/${item.id}`, { ...admin, method: 'PATCH', json: { done: true } })
    assert.equal(patched.status, 200)
    assert.deepInclude(await patched.json(), { title: 'Write tests', done: true })
    const fetched = (await (await app.request(`/api/items/${item.id}`)).json()) as Record<string, any>
    assert.isTrue(fetched.done)

    // Validation: required fields, types, unknown fields.
    const invalid = await app.request('/api/items', { ...admin, method: 'POST', json: { done: 'yes', colour: 'red' } })
    assert.equal(invalid.status, 422)
    const errors = ((await invalid.json()) as { details: string[] }).details
    assert.includeMembers(errors, ['Unknown field "colour".', 'Title is required.', 'Done must be true or false.'])
    assert.equal((await app.request(`/api/items/${item.id}`, { ...admin, method: 'PUT', json: { done: true } })).status, 422)

    // The pages: edit form, update, delete.
    const edit = await app.request(`/items/${item.id}/edit`, admin)
    assert.include(await edit.text(), 'value="Write tests"')
    const updated = await app.request(`/items/${item.id}`, { ...admin, method: 'POST', form: { title: 'Write <more> tests' } })
    assert.equal(updated.status, 303)
    const listPage = await (await app.request('/items')).text()
    assert.include(listPage, 'Write &lt;more&gt; tests')
    assert.include(listPage, '<td>no</td>') // the unchecked checkbox was saved as false
    assert.equal((await app.request(`/items/${item.id}/delete`, { ...admin, method: 'POST' })).status, 303)
    assert.equal((await app.request(`/api/items/${item.id}`)).status, 404)
    assert.equal((await app.request(`/api/items/${item.id}`, { ...admin, method: 'DELETE' })).status, 404)

    for (const left of (await (await app.request('/api/items')).json()) as Record<string, any>[]) {
      assert.equal((await app.request(`/api/items/${left.id}`, { ...admin, method: 'DELETE' })).status, 204)
    }
    assert.deepEqual(await (await app.request('/api/items')).json(), [])

    await stopCleanly(app, assert)
  })

  test('entity and fields come from parameters; public access needs no password', async ({ assert, cleanup }) => {
    const fields = [
      { name: 'name', type: 'text', required: true },
      { name: 'price', type: 'number' },
      { name: 'released', type: 'date' },
      { name: 'contact', type: 'email' },
    ]
    const app = await startModules([{ id: 'crud-resource', params: { entity: 'products', title: 'Products', fields, access: 'public' } }], cleanup, { install: false })
    const created = await app.request('/api/products', { method: 'POST', json: { name: 'Lamp', price: 12.5, released: '2024-02-29', contact: 'Shop@Example.com' } })
    assert.equal(created.status, 201)
    assert.deepInclude(await created.json(), { name: 'Lamp', price: 12.5, released: '2024-02-29', contact: 'shop@example.com' })
    const invalid = await app.request('/api/products', { method: 'POST', json: { name: 'Bad', price: 'cheap', released: '2023-02-29', contact: 'nope' } })
    assert.equal(invalid.status, 422)
    assert.lengthOf(((await invalid.json()) as { details: string[] }).details, 3)
    // Form values arrive as strings and are converted.
    assert.equal((await app.request('/products', { method: 'POST', form: { name: 'Desk', price: '99', released: '', contact: '' } })).status, 303)
    const list = (await (await app.request('/api/products')).json()) as Record<string, any>[]
    assert.deepInclude(list[1], { name: 'Desk', price: 99, released: null, contact: null })
    assert.equal((await app.request('/items')).status, 404)
    await stopCleanly(app, assert)
  })
})
