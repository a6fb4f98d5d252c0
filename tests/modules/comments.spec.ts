import { test } from '@japa/runner'
import { restartApp, startModule, startModules, stopCleanly } from './harness.js'

test.group('Module comments', () => {
  test('composed with its defaults: a guestbook anyone can write in, escaped, kept across a restart', async ({ assert, cleanup }) => {
    let { app } = await startModule('comments', assert, cleanup)
    const posted = await app.request('/comments/guestbook', { method: 'POST', form: { name: '<b>Eve</b>', text: 'Hi <script>alert(1)</script>' } })
    assert.equal(posted.status, 303)
    assert.equal(posted.headers.get('location'), '/comments?posted=1#comments')
    const page = await (await app.request('/comments?posted=1')).text()
    assert.include(page, '<strong>&lt;b&gt;Eve&lt;/b&gt;</strong>')
    assert.include(page, 'Hi &lt;script&gt;alert(1)&lt;/script&gt;')
    assert.notInclude(page, '<script>')
    assert.include(page, 'Thank you! Your comment is published.')
    // A bot filling the hidden field is told it worked, and nothing is kept.
    assert.equal((await app.request('/comments/guestbook', { method: 'POST', form: { name: 'Bot', text: 'spam', website: 'x' } })).status, 303)
    // Unknown threads are not accepted.
    assert.equal((await app.request('/comments/anything', { method: 'POST', form: { name: 'A', text: 'B' } })).status, 404)
    app = await restartApp(app, assert, cleanup)
    const kept = (await (await app.request('/api/comments/guestbook')).json()) as { name: string }[]
    assert.deepEqual(kept.map((c) => c.name), ['Ada', '<b>Eve</b>'])
    await stopCleanly(app, assert)
  })

  test('with moderation a comment shows only once the owner approved it', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'comments', params: { moderation: true } }], cleanup, { install: false })
    const posted = await app.request('/comments/guestbook', { method: 'POST', form: { name: 'Оля', text: 'Спасибо за вечер!' } })
    assert.equal(posted.headers.get('location'), '/comments?posted=pending#comments')
    const page = await (await app.request('/comments?posted=pending')).text()
    assert.include(page, 'Комментарий появится после проверки.')
    assert.notInclude(page, 'Спасибо за вечер!')
    const [pending] = (await (await app.request('/comments/manage', { admin: true, headers: { accept: 'application/json' } })).json()) as { id: string }[]
    assert.equal((await app.request(`/comments/manage/${pending.id}/approve`, { admin: true, method: 'POST' })).status, 303)
    assert.include(await (await app.request('/comments')).text(), 'Спасибо за вечер!')
    await stopCleanly(app, assert)
  })
})
