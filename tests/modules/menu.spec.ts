import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module menu', () => {
  test('composed with its defaults: a sample café menu grouped by category, with prices', async ({ assert, cleanup }) => {
    const { app } = await startModule('menu', assert, cleanup)
    const body = await (await app.request('/menu')).text()
    assert.include(body, '<h1>Our menu</h1>')
    assert.include(body, '<h2>Coffee</h2>')
    assert.include(body, '<span class="price">US$3.5</span>')
    const json = (await (await app.request('/api/menu')).json()) as { currency: string; items: unknown[] }
    assert.equal(json.currency, 'USD')
    assert.lengthOf(json.items, 4)
    await stopCleanly(app, assert)
  })

  test('dishes from parameters, escaped, in categories of first appearance; roubles in a Russian app', async ({ assert, cleanup }) => {
    const items = [
      { name: 'Борщ', category: 'Супы', price: 390, tags: ['хит'] },
      { name: 'Пельмени <script>', category: 'Горячее', price: 450.5, description: 'С "домашней" сметаной' },
      { name: 'Солянка', category: 'Супы', price: 420 },
    ]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'menu', params: { items } }], cleanup, { install: false })
    const body = await (await app.request('/menu')).text()
    assert.isBelow(body.indexOf('<h2>Супы</h2>'), body.indexOf('<h2>Горячее</h2>'))
    assert.isBelow(body.indexOf('Солянка'), body.indexOf('<h2>Горячее</h2>'))
    assert.include(body, '<strong>Пельмени &lt;script&gt;</strong>')
    assert.include(body, 'С &quot;домашней&quot; сметаной')
    assert.include(body, '<span class="badge">хит</span>')
    assert.match(body, /<span class="price">390\s₽<\/span>/)
    assert.match(body, /<span class="price">450,5\s₽<\/span>/)
    assert.include(body, '<h1>Наше меню</h1>')
    await stopCleanly(app, assert)
  })
})
