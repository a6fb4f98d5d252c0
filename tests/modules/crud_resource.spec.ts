import { test } from '@japa/runner'
import { composeApp, loadCatalogue, ModuleError } from '#modules/composer'
import { checkDocumentedRoutes, restartApp, startModule, startModules, stopCleanly } from './harness.js'

const CUSTOMERS = {
  entity: 'customers',
  title: 'Customers',
  singular: 'customer',
  access: 'admin',
  fields: [
    { name: 'name', type: 'text', required: true, label: 'Name' },
    { name: 'email', type: 'email', label: 'E-mail' },
    { name: 'company', type: 'text', label: 'Company' },
    { name: 'status', type: 'choice', options: ['lead', 'customer', 'lost'], label: 'Status' },
  ],
}
const ORDERS = {
  entity: 'orders',
  title: 'Orders',
  singular: 'order',
  access: 'public',
  fields: [
    { name: 'item', type: 'text', required: true },
    { name: 'quantity', type: 'number' },
    { name: 'due', type: 'date' },
    { name: 'paid', type: 'boolean' },
    { name: 'link', type: 'url' },
    { name: 'notes', type: 'textarea' },
  ],
}

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

  test('several entities: each has its pages, API, search, filters and sort; data survives a restart', async ({ assert, cleanup }) => {
    let app = await startModules([{ id: 'crud-resource', params: { entities: [CUSTOMERS, ORDERS] } }], cleanup)
    assert.isAtLeast(await checkDocumentedRoutes(app, assert, ['crud-resource']), 6)
    // The single-entity default is gone once entities are given.
    assert.equal((await app.request('/items')).status, 404)
    assert.notInclude(app.composed.routes.map((r) => r.path).join(' '), '/items')

    const admin = { admin: true }
    for (const customer of [
      { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Engines Ltd', status: 'customer' },
      { name: 'Charles Babbage', company: 'Difference & Co', status: 'lead' },
      { name: '<b>Grace</b>', email: 'grace@example.com', status: 'lead' },
    ]) {
      assert.equal((await app.request('/api/customers', { ...admin, method: 'POST', json: customer })).status, 201)
    }
    // Writing customers needs the password; orders are public.
    assert.equal((await app.request('/api/customers', { method: 'POST', json: { name: 'x' } })).status, 401)
    const order = await app.request('/orders', { method: 'POST', form: { item: 'Lamp', quantity: '3', due: '2026-12-24', paid: 'on', link: 'https://shop.example/lamp', notes: 'Two lines\nof notes' } })
    assert.equal(order.status, 303)

    // Validation of the new field types.
    const invalid = await app.request('/api/customers', { ...admin, method: 'POST', json: { name: 'Eve', status: 'vip' } })
    assert.equal(invalid.status, 422)
    assert.deepEqual(((await invalid.json()) as { details: string[] }).details, ['Status must be one of: lead, customer, lost.'])
    const badLink = await app.request('/api/orders', { method: 'POST', json: { item: 'x', link: 'javascript:alert(1)' } })
    assert.equal(badLink.status, 422)

    // Search (?q=, case-insensitive, over the text fields), a filter by a choice field, sorting.
    const search = (await (await app.request('/api/customers?q=ENGINES')).json()) as Record<string, any>[]
    assert.deepEqual(search.map((c) => c.name), ['Ada Lovelace'])
    const leads = (await (await app.request('/api/customers?status=lead&sort=-name')).json()) as Record<string, any>[]
    assert.deepEqual(leads.map((c) => c.name), ['Charles Babbage', '<b>Grace</b>'])
    const sorted = (await (await app.request('/api/customers?sort=name')).json()) as Record<string, any>[]
    assert.deepEqual(sorted.map((c) => c.name), ['<b>Grace</b>', 'Ada Lovelace', 'Charles Babbage'])
    // An unknown filter value or sort field is ignored, not an error.
    assert.lengthOf((await (await app.request('/api/customers?status=nope&sort=password')).json()) as unknown[], 3)

    const page = await (await app.request('/customers?q=grace')).text()
    assert.include(page, '&lt;b&gt;Grace&lt;/b&gt;')
    assert.notInclude(page, 'Ada Lovelace')
    assert.include(page, '<input type="search" name="q" value="grace"')
    assert.include(page, '<select name="status"><option value="">All</option><option>lead</option>')
    const filtered = await (await app.request('/customers?status=customer')).text()
    assert.include(filtered, 'Ada Lovelace')
    assert.notInclude(filtered, 'Charles Babbage')
    // Both entities are in the navigation; the form of orders has the right inputs.
    assert.include(page, '<a href="/customers">Customers</a>')
    assert.include(page, '<a href="/orders">Orders</a>')
    const form = await (await app.request('/orders/new')).text()
    for (const expected of ['type="number"', 'type="date"', 'type="checkbox"', 'type="url"', '<textarea name="notes"']) assert.include(form, expected)
    const orders = await (await app.request('/orders')).text()
    assert.include(orders, '<a href="https://shop.example/lamp" rel="nofollow noopener">')

    app = await restartApp(app, assert, cleanup)
    assert.lengthOf((await (await app.request('/api/customers')).json()) as unknown[], 3)
    const [kept] = (await (await app.request('/api/orders')).json()) as Record<string, any>[]
    assert.deepInclude(kept, { item: 'Lamp', quantity: 3, due: '2026-12-24', paid: true, notes: 'Two lines\nof notes' })
    await stopCleanly(app, assert)
  })

  test('entities are checked: unique names, options for choices only, no clash with other modules', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const problems = (entities: unknown[], extra: { id: string }[] = []) => {
      try {
        composeApp(catalogue, [{ id: 'crud-resource', params: { entities } }, ...extra])
        return 'accepted'
      } catch (error) {
        assert.instanceOf(error, ModuleError)
        return (error as Error).message
      }
    }
    assert.include(problems([CUSTOMERS, { ...ORDERS, entity: 'customers' }]), 'entity "customers" is used twice')
    assert.include(problems([{ ...CUSTOMERS, fields: [{ name: 'status', type: 'choice' }] }]), 'options are required for a choice')
    assert.include(problems([{ ...CUSTOMERS, fields: [{ name: 'name', type: 'text', options: ['a'] }] }]), 'only a choice field has options')
    assert.include(problems([{ ...CUSTOMERS, entity: 'api' }]), 'entities')
    assert.equal(problems([{ ...CUSTOMERS, entity: 'blog' }], [{ id: 'blog' }]), '"blog" and "crud-resource" both answer GET /blog')
    assert.equal(problems([CUSTOMERS, ORDERS]), 'accepted')
  })

  test('lang "ru": the pages of an entity speak Russian', async ({ assert, cleanup }) => {
    const tasks = { entity: 'zadachi', title: 'Задачи', singular: 'задача', access: 'public', fields: [{ name: 'title', type: 'text', required: true, label: 'Название' }, { name: 'due', type: 'date', label: 'Срок' }] }
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'crud-resource', params: { entities: [tasks] } }], cleanup, { install: false })
    assert.equal((await app.request('/zadachi', { method: 'POST', form: { title: 'Купить хлеб', due: '2026-03-08' } })).status, 303)
    const list = await (await app.request('/zadachi')).text()
    assert.include(list, '<html lang="ru">')
    assert.include(list, 'Добавить: задача')
    assert.include(list, 'Поиск')
    assert.include(list, '8 мар. 2026')
    const missing = await app.request('/zadachi', { method: 'POST', form: { title: '' } })
    assert.equal(missing.status, 422)
    assert.include(await missing.text(), 'Поле «Название» обязательно.')
    await stopCleanly(app, assert)
  })
})
