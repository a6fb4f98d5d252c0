import { test } from '@japa/runner'
import { startModule, stopCleanly } from './harness.js'

test.group('Module admin-page', () => {
  test('lists what other modules stored, hides secrets, deletes records', async ({ assert, cleanup }) => {
    // With the contact form and accounts, so that there is something to list.
    const { app } = await startModule('admin-page', assert, cleanup, ['contact-form', 'accounts'])
    await app.request('/contact', { method: 'POST', form: { name: 'Lin <i>', email: 'lin@example.com', message: 'Hello admin' } })
    await app.request('/signup', { method: 'POST', form: { email: 'user@example.com', password: 'long enough password' } })

    const overview = await app.request('/admin', { admin: true, headers: { accept: 'application/json' } })
    const { collections } = (await overview.json()) as { collections: { name: string; count: number }[] }
    assert.deepInclude(collections, { name: 'contact_messages', count: 1 })
    assert.deepInclude(collections, { name: 'users', count: 1 })

    const messages = await (await app.request('/admin/contact_messages', { admin: true })).text()
    assert.include(messages, 'Lin &lt;i&gt;')
    assert.include(messages, 'Hello admin')
    const users = await (await app.request('/admin/users', { admin: true })).text()
    assert.include(users, 'user@example.com')
    assert.notInclude(users, 'password_hash')
    assert.notInclude(users, 'scrypt$')

    assert.equal((await app.request('/admin/users')).status, 401)
    assert.equal((await app.request('/admin/nothing', { admin: true })).status, 404)
    assert.equal((await app.request('/admin/..%2f..%2fetc', { admin: true })).status, 404)

    const [message] = (await (await app.request('/admin/contact_messages', { admin: true, headers: { accept: 'application/json' } })).json()) as { id: string }[]
    const deleted = await app.request(`/admin/contact_messages/${message.id}/delete`, { admin: true, method: 'POST' })
    assert.equal(deleted.status, 303)
    assert.deepEqual(await (await app.request('/admin/contact_messages', { admin: true, headers: { accept: 'application/json' } })).json(), [])

    await stopCleanly(app, assert)
  })
})
