import { test } from '@japa/runner'
import { startModule, stopCleanly } from './harness.js'

test.group('Module blog', () => {
  test('lists and renders posts; HTML in a post is escaped and unsafe links dropped', async ({ assert, cleanup }) => {
    const { app } = await startModule('blog', assert, cleanup)

    const markdown = [
      'Intro with <script>alert(1)</script> and **bold**.',
      '',
      '[click](javascript:alert(2)) [ok](https://example.com/?a=1&b=2) ![img](data:image/svg+xml,x)',
      '',
      '```',
      '<script>alert(3)</script>',
      '```',
      '',
      '- one',
      '- <b>two</b>',
    ].join('\n')
    const published = await app.request('/blog', { admin: true, method: 'POST', form: { title: 'Safe <script>', summary: 'About safety', body: markdown } })
    assert.equal(published.status, 303)
    assert.equal(published.headers.get('location'), '/blog/safe-script')

    const post = await (await app.request('/blog/safe-script')).text()
    assert.notInclude(post, '<script>')
    assert.include(post, '<h1>Safe &lt;script&gt;</h1>')
    assert.include(post, 'Intro with &lt;script&gt;alert(1)&lt;/script&gt; and <strong>bold</strong>.')
    assert.notInclude(post, 'javascript:')
    assert.notInclude(post, 'data:image')
    assert.include(post, '<a href="https://example.com/?a=1&amp;b=2" rel="nofollow noopener">ok</a>')
    assert.include(post, '<pre><code>&lt;script&gt;alert(3)&lt;/script&gt;</code></pre>')
    assert.include(post, '<li>&lt;b&gt;two&lt;/b&gt;</li>')

    // A second post with the same title gets its own address; the index lists them all.
    const again = await app.request('/blog', { admin: true, method: 'POST', form: { title: 'Safe <script>', body: 'again' } })
    assert.equal(again.headers.get('location'), '/blog/safe-script-2')
    const index = await (await app.request('/blog')).text()
    for (const text of ['Hello, world', 'Second post', 'Safe &lt;script&gt;', 'About safety']) assert.include(index, text)

    // Writing needs the admin password; posts written on the site can be deleted.
    assert.equal((await app.request('/blog', { method: 'POST', form: { title: 'x', body: 'y' } })).status, 401)
    assert.equal((await app.request('/blog/safe-script-2/delete', { admin: true, method: 'POST' })).status, 303)
    assert.equal((await app.request('/blog/safe-script-2')).status, 404)
    assert.equal((await app.request('/blog/hello-world/delete', { admin: true, method: 'POST' })).status, 404)

    await stopCleanly(app, assert)
  })
})
