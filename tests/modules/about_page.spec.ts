import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module about-page', () => {
  test('composed with its defaults: a heading and a placeholder story', async ({ assert, cleanup }) => {
    const { app } = await startModule('about-page', assert, cleanup)
    const body = await (await app.request('/about')).text()
    assert.include(body, '<h1>About us</h1>')
    assert.include(body, 'We are a small team')
    await stopCleanly(app, assert)
  })

  test('paragraphs, highlights and the button come from parameters, escaped; Russian defaults', async ({ assert, cleanup }) => {
    const app = await startModules(
      [{ id: 'app-base', params: { lang: 'ru', title: 'Студия «Луч»' } }, { id: 'about-page', params: { body: 'Мы открылись в 2012.\n\nРаботаем <b>каждый</b> день.', highlights: ['С 2012 года', '500+ клиентов'], cta_url: '/contact' } }],
      cleanup,
      { install: false }
    )
    const body = await (await app.request('/about')).text()
    assert.include(body, '<p>Мы открылись в 2012.</p><p>Работаем &lt;b&gt;каждый&lt;/b&gt; день.</p>')
    assert.include(body, '<p>500+ клиентов</p>')
    assert.include(body, '<a class="button" href="/contact">Связаться с нами</a>')
    assert.include(body, '<h1>О нас</h1>')
    assert.include(body, '<span class="eyebrow">Студия «Луч»</span>')
    await stopCleanly(app, assert)
  })
})
