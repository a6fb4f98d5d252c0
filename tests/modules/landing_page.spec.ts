import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module landing-page', () => {
  test('renders the headline, subheadline, call to action and features', async ({ assert, cleanup }) => {
    const { app } = await startModule('landing-page', assert, cleanup)
    const body = await (await app.request('/')).text()
    assert.include(body, '<a class="button" href="#features">Learn more</a>')
    assert.include(body, '<h3>Reliable</h3><p>built from tested modules.</p>')
    assert.include(body, '<a href="/">Home</a>')
    await stopCleanly(app, assert)
  })

  test('parameters are data: markup in them is shown as text', async ({ assert, cleanup }) => {
    const app = await startModules(
      [{ id: 'landing-page', params: { headline: '<img src=x onerror=alert(1)>', features: ['"><script>alert(2)</script>'], cta_url: '/signup?a=1&b="2"' } }],
      cleanup,
      { install: false }
    )
    const body = await (await app.request('/')).text()
    assert.include(body, '<h1>&lt;img src=x onerror=alert(1)&gt;</h1>')
    assert.include(body, '&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;')
    assert.include(body, 'href="/signup?a=1&amp;b=&quot;2&quot;"')
    assert.notInclude(body, '<script>')
    await stopCleanly(app, assert)
  })
})

test.group('Module landing-page: sections', () => {
  test('a hero, titled feature cards and a closing call to action, in the app language', async ({ assert, cleanup }) => {
    const app = await startModules(
      [
        { id: 'app-base', params: { lang: 'ru', title: 'Кофейня «Зерно»' } },
        { id: 'landing-page', params: { headline: 'Кофе, который будит', cta_label: 'Меню', cta_url: '/menu', features: ['Свежая обжарка: каждую неделю.', 'Без сахара и спешки'] } },
      ],
      cleanup,
      { install: false }
    )
    const body = await (await app.request('/')).text()
    assert.include(body, '<span class="eyebrow">Кофейня «Зерно»</span>\n<h1>Кофе, который будит</h1>')
    assert.include(body, '<h2>Почему мы</h2>')
    assert.include(body, '<h3>Свежая обжарка</h3><p>каждую неделю.</p>')
    assert.include(body, '<p>Без сахара и спешки</p>')
    assert.include(body, '<section class="section cta-band">\n<h2>Готовы начать?</h2>')
    assert.equal(body.split('<a class="button" href="/menu">Меню</a>').length, 3)
    assert.include(body, '<a href="/">Главная</a>')
    await stopCleanly(app, assert)
  })
})
