import { test } from '@japa/runner'
import { startModule, stopCleanly } from './harness.js'

test.group('Module waitlist', () => {
  test('stores each e-mail once, case-insensitively, even when sent concurrently', async ({ assert, cleanup }) => {
    const { app } = await startModule('waitlist', assert, cleanup)

    const joined = await app.request('/waitlist', { method: 'POST', form: { email: 'Fan@Example.com' } })
    assert.equal(joined.status, 303)
    assert.equal(joined.headers.get('location'), '/waitlist?status=joined')
    const again = await app.request('/waitlist', { method: 'POST', form: { email: 'fan@example.COM' } })
    assert.equal(again.headers.get('location'), '/waitlist?status=already')
    assert.include(await (await app.request('/waitlist?status=already')).text(), 'You were already on the list.')

    const api = await app.request('/api/waitlist', { method: 'POST', json: { email: 'fan@example.com' } })
    assert.equal(api.status, 200)
    assert.deepEqual(await api.json(), { status: 'already' })
    assert.equal((await app.request('/api/waitlist', { method: 'POST', json: { email: 'nope' } })).status, 422)
    assert.equal((await app.request('/waitlist', { method: 'POST', form: { email: 'a@b' } })).status, 422)

    // Ten identical sign-ups at once: exactly one gets in.
    const burst = await Promise.all(Array.from({ length: 10 }, () => app.request('/api/waitlist', { method: 'POST', json: { email: 'rush@example.com' } })))
    assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201])

    const entries = (await (await app.request('/waitlist/entries', { admin: true, headers: { accept: 'application/json' } })).json()) as { email: string }[]
    assert.deepEqual(entries.map((e) => e.email).sort(), ['api-user@example.com', 'fan@example.com', 'rush@example.com', 'someone@example.com'])

    const csv = await app.request('/waitlist/entries?format=csv', { admin: true })
    assert.include(csv.headers.get('content-type')!, 'text/csv')
    assert.include(await csv.text(), '"fan@example.com"')

    await stopCleanly(app, assert)
  })
})
