import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module link-in-bio', () => {
  test('composed with its defaults: the site title, a bio and sample links', async ({ assert, cleanup }) => {
    const { app } = await startModule('link-in-bio', assert, cleanup)
    const body = await (await app.request('/links')).text()
    assert.include(body, '<h1>My App</h1>')
    assert.include(body, 'All my links in one place.')
    assert.include(body, 'href="mailto:hello@example.com"')
    await stopCleanly(app, assert)
  })

  test('links come from parameters, escaped; unsafe links are refused when composing', async ({ assert, cleanup }) => {
    const links = [{ label: 'Мой <магазин>', url: 'https://shop.example/?a=1&b=2' }, { label: 'Портфолио', url: '/gallery' }]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'link-in-bio', params: { name: 'Аня Рисует', bio: 'Иллюстрации & комиксы', links } }], cleanup, { install: false })
    const body = await (await app.request('/links')).text()
    assert.include(body, '<a class="button" href="https://shop.example/?a=1&amp;b=2" rel="noopener">Мой &lt;магазин&gt;</a>')
    assert.include(body, 'href="/gallery"')
    assert.include(body, '>АР</span>')
    assert.include(body, 'Иллюстрации &amp; комиксы')
    assert.include(body, '<a href="/links">Ссылки</a>')
    await stopCleanly(app, assert)
    await assert.rejects(() => startModules([{ id: 'link-in-bio', params: { links: [{ label: 'x', url: 'javascript:alert(1)' }] } }], cleanup, { install: false }), /url must be an http\(s\) URL/)
  })
})
