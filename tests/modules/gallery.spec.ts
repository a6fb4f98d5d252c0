import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module gallery', () => {
  test('composed with its defaults: sample tiles', async ({ assert, cleanup }) => {
    const { app } = await startModule('gallery', assert, cleanup)
    const body = await (await app.request('/gallery')).text()
    assert.include(body, '<h1>Our work</h1>')
    assert.include(body, '<div class="placeholder" aria-hidden="true">S</div>')
    // Pictures from https sites may be shown (CSP img-src), scripts from them may not.
    const csp = (await app.request('/gallery')).headers.get('content-security-policy')!
    assert.include(csp, "img-src 'self' data: https:")
    assert.include(csp, "default-src 'self'")
    await stopCleanly(app, assert)
  })

  test('pictures come from parameters, escaped; Russian words in a Russian app', async ({ assert, cleanup }) => {
    const items = [{ title: 'Свадьба "в саду"', caption: '<b>лето</b>', image: '/uploads/wedding.jpg' }, { title: 'Portrait', image: 'https://cdn.example/p.jpg?w=800&h=600' }]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'gallery', params: { items } }], cleanup, { install: false })
    const body = await (await app.request('/gallery')).text()
    assert.include(body, '<img src="/uploads/wedding.jpg" alt="Свадьба &quot;в саду&quot;" loading="lazy">')
    assert.include(body, 'src="https://cdn.example/p.jpg?w=800&amp;h=600"')
    assert.include(body, '<p>&lt;b&gt;лето&lt;/b&gt;</p>')
    assert.include(body, '<h1>Наши работы</h1>')
    assert.include(body, '<a href="/gallery">Галерея</a>')
    await stopCleanly(app, assert)
  })
})
