import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module services-page', () => {
  test('composed with its defaults: sample services with prices and no button to nowhere', async ({ assert, cleanup }) => {
    const { app } = await startModule('services-page', assert, cleanup)
    const body = await (await app.request('/services')).text()
    assert.include(body, '<h1>Our services</h1>')
    assert.include(body, '<span class="price">$49</span>')
    assert.notInclude(body, 'class="button"')
    await stopCleanly(app, assert)
  })

  test('with the booking module the buttons lead to /booking; services from parameters, escaped, in Russian', async ({ assert, cleanup }) => {
    const items = [{ name: 'Стрижка <b>', price: '1 500 ₽', duration: '45 мин' }]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'services-page', params: { items } }, 'booking'], cleanup, { install: false })
    const body = await (await app.request('/services')).text()
    assert.include(body, '<h2>Стрижка &lt;b&gt;</h2>')
    assert.include(body, '<span class="price">1 500 ₽</span> <span class="badge">45 мин</span>')
    assert.include(body, '<a class="button" href="/booking">Записаться</a>')
    assert.include(body, '<h1>Наши услуги</h1>')
    await stopCleanly(app, assert)
  })
})
