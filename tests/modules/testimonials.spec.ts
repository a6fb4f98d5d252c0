import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module testimonials', () => {
  test('composed with its defaults: sample reviews with stars', async ({ assert, cleanup }) => {
    const { app } = await startModule('testimonials', assert, cleanup)
    const body = await (await app.request('/testimonials')).text()
    assert.include(body, '<h1>What our customers say</h1>')
    assert.include(body, 'aria-label="Rated 5 out of 5">★★★★★</span>')
    assert.include(body, '<strong>Maria K.</strong>')
    await stopCleanly(app, assert)
  })

  test('reviews come from parameters, escaped; ratings are bounded; Russian words in a Russian app', async ({ assert, cleanup }) => {
    const items = [{ quote: '<img src=x onerror=alert(1)> great', author: 'Ivan "The" Best', rating: 3 }]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'testimonials', params: { heading: 'Отзывы гостей', items } }], cleanup, { install: false })
    const body = await (await app.request('/testimonials')).text()
    assert.include(body, '“&lt;img src=x onerror=alert(1)&gt; great”')
    assert.include(body, '<strong>Ivan &quot;The&quot; Best</strong>')
    assert.include(body, 'aria-label="Оценка 3 из 5">★★★☆☆</span>')
    assert.include(body, '<h1>Отзывы гостей</h1>')
    assert.include(body, '<a href="/testimonials">Отзывы</a>')
    await stopCleanly(app, assert)
  })
})
