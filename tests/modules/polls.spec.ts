import { test } from '@japa/runner'
import { restartApp, startModule, startModules, stopCleanly } from './harness.js'

test.group('Module polls', () => {
  test('composed with its defaults: a sample poll to vote in', async ({ assert, cleanup }) => {
    const { app } = await startModule('polls', assert, cleanup)
    const body = await (await app.request('/polls')).text()
    assert.include(body, '<h2>What should we do next?</h2>')
    assert.include(body, 'value="More events"')
    await stopCleanly(app, assert)
  })

  test('one vote per browser, results with percentages, unknown options refused, votes kept', async ({ assert, cleanup }) => {
    const polls = [{ slug: 'lunch', question: 'Lunch <today>?', options: ['Pizza', 'Sushi', 'Salad'] }]
    let app = await startModules([{ id: 'polls', params: { polls } }], cleanup, { install: false })
    const vote = (option: string, cookie?: string) =>
      app.request('/polls/lunch/vote', { method: 'POST', form: { option }, headers: cookie ? { cookie } : {} })

    const first = await vote('Pizza')
    assert.equal(first.status, 303)
    assert.equal(first.headers.get('location'), '/polls/lunch?voted=1')
    const cookie = first.headers.get('set-cookie')!.split(';')[0]
    assert.match(cookie, /^poll_voter=[A-Za-z0-9_-]{32}$/)
    // The same browser again: not counted.
    const again = await vote('Sushi', cookie)
    assert.equal(again.headers.get('location'), '/polls/lunch?already=1')
    assert.equal((await vote('Sushi')).status, 303)
    assert.equal((await vote('Sushi')).status, 303)
    assert.equal((await vote('Burger')).status, 422)

    const results = await (await app.request('/api/polls/lunch')).json()
    assert.deepEqual(results, {
      slug: 'lunch',
      question: 'Lunch <today>?',
      total: 3,
      options: [{ option: 'Pizza', votes: 1, percent: 33 }, { option: 'Sushi', votes: 2, percent: 67 }, { option: 'Salad', votes: 0, percent: 0 }],
    })
    const page = await (await app.request('/polls/lunch?voted=1', { headers: { cookie } })).text()
    assert.include(page, '<h1>Lunch &lt;today&gt;?</h1>')
    assert.include(page, 'Thank you for voting!')
    assert.include(page, '67% · 2 votes')
    assert.include(page, '<span class="w65"></span>')
    // Before voting, a visitor sees the form, not the results.
    assert.include(await (await app.request('/polls/lunch')).text(), 'name="option"')

    app = await restartApp(app, assert, cleanup)
    assert.equal(((await (await app.request('/api/polls/lunch')).json()) as { total: number }).total, 3)
    await stopCleanly(app, assert)
  })

  test('a Russian app: Russian words and plural forms of votes', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, 'polls'], cleanup, { install: false })
    const voted = await app.request('/polls/next/vote', { method: 'POST', form: { option: 'Больше мероприятий' } })
    assert.equal(voted.status, 303)
    const cookie = voted.headers.get('set-cookie')!.split(';')[0]
    const page = await (await app.request('/polls/next?voted=1', { headers: { cookie } })).text()
    assert.include(page, 'Спасибо за ваш голос!')
    assert.include(page, '100% · 1 голос')
    await stopCleanly(app, assert)
  })
})
