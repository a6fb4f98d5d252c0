import { test } from '@japa/runner'
import { startModule, stopCleanly } from './harness.js'

test.group('Module contact-form', () => {
  test('stores valid messages, refuses invalid ones, lists them for the admin only', async ({ assert, cleanup }) => {
    const { app } = await startModule('contact-form', assert, cleanup)

    const sent = await app.request('/contact', { method: 'POST', form: { name: 'Grace <b>', email: 'grace@example.com', message: 'Hi <script>x</script>' } })
    assert.equal(sent.status, 303)
    assert.equal(sent.headers.get('location'), '/contact?sent=1')
    assert.include(await (await app.request('/contact?sent=1')).text(), 'Thank you! Your message was sent.')

    // JSON works too, and errors name the problem while keeping what was typed (escaped).
    assert.equal((await app.request('/contact', { method: 'POST', json: { name: 'Bob', email: 'bob@example.com', message: 'JSON' } })).status, 201)
    const invalid = await app.request('/contact', { method: 'POST', form: { name: '', email: 'bob@example.com', message: '"><b>kept</b>' } })
    assert.equal(invalid.status, 422)
    const invalidBody = await invalid.text()
    assert.include(invalidBody, 'Please tell us your name.')
    assert.include(invalidBody, '&quot;&gt;&lt;b&gt;kept&lt;/b&gt;')
    const tooLong = await app.request('/contact', { method: 'POST', form: { name: 'A', email: 'a@example.com', message: 'x'.repeat(5001) } })
    assert.equal(tooLong.status, 422)

    // A bot filling the hidden field gets a success page and nothing is stored.
    assert.equal((await app.request('/contact', { method: 'POST', form: { name: 'Bot', email: 'bot@example.com', message: 'spam', website: 'http://spam' } })).status, 303)

    const wrongPassword = await app.request('/contact/submissions', { headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } })
    assert.equal(wrongPassword.status, 401)
    assert.include(wrongPassword.headers.get('www-authenticate')!, 'Basic')
    const listing = await app.request('/contact/submissions', { admin: true, headers: { accept: 'application/json' } })
    const messages = (await listing.json()) as { name: string; message: string }[]
    // The documented-route check sent one message ("Ada") before this test's two.
    assert.deepEqual(messages.map((m) => m.name).sort(), ['Ada', 'Bob', 'Grace <b>'])
    const page = await (await app.request('/contact/submissions', { admin: true })).text()
    assert.include(page, 'Hi &lt;script&gt;x&lt;/script&gt;')
    assert.notInclude(page, 'spam')

    await stopCleanly(app, assert)
  })
})
