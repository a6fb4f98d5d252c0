import { test } from '@japa/runner'
import { restartApp, startModule, startModules, stopCleanly } from './harness.js'

const QUESTIONS = [
  { name: 'name', label: 'Your name', type: 'text', required: true },
  { name: 'topics', label: 'Topics <you like>', type: 'multi', options: ['Design', 'Code', 'Music'] },
  { name: 'level', label: 'Level', type: 'choice', options: ['Beginner', 'Expert'], required: true },
  { name: 'stars', label: 'Rate us', type: 'rating' },
  { name: 'age', label: 'Age', type: 'number' },
  { name: 'mail', label: 'E-mail', type: 'email' },
]

test.group('Module survey', () => {
  test('composed with its defaults: sample questions; required answers are enforced', async ({ assert, cleanup }) => {
    const { app } = await startModule('survey', assert, cleanup)
    const form = await (await app.request('/survey')).text()
    assert.include(form, 'How did you hear about us?')
    assert.include(form, 'name="rating" value="5"')
    await stopCleanly(app, assert)
  })

  test('answers of every kind are checked and stored; the owner sees totals; kept across a restart', async ({ assert, cleanup }) => {
    let app = await startModules([{ id: 'survey', params: { questions: QUESTIONS } }], cleanup, { install: false })
    const sent = await app.request('/survey', { method: 'POST', form: { 'name': 'Ada', 'topics.0': 'on', 'topics.1': 'on', 'level': 'Expert', 'stars': '5', 'age': '36', 'mail': 'ada@example.com' } })
    assert.equal(sent.status, 303)
    assert.equal((await app.request('/api/survey', { method: 'POST', json: { name: 'Bob', topics: ['Code'], level: 'Beginner', stars: 3 } })).status, 201)

    const invalid = await app.request('/api/survey', { method: 'POST', json: { topics: ['Cooking'], level: 'Guru', stars: 9, age: 'old', mail: 'nope' } })
    assert.equal(invalid.status, 422)
    assert.deepEqual(((await invalid.json()) as { details: string[] }).details, [
      'Please answer "Your name".',
      '"Topics <you like>": please choose one of the options.',
      '"Level": please choose one of the options.',
      '"Rate us": please rate from 1 to 5.',
      '"Age": please give a number.',
      '"E-mail": please enter a valid e-mail address.',
    ])
    const page = await app.request('/survey', { method: 'POST', form: { name: '<b>x</b>' } })
    assert.equal(page.status, 422)
    const html = await page.text()
    assert.include(html, 'value="&lt;b&gt;x&lt;/b&gt;"')
    assert.include(html, 'Topics &lt;you like&gt;')

    assert.equal((await app.request('/survey/results')).status, 401)
    app = await restartApp(app, assert, cleanup)
    const results = (await (await app.request('/survey/results', { admin: true, headers: { accept: 'application/json' } })).json()) as { responses: number; questions: Record<string, any>[] }
    assert.equal(results.responses, 2)
    const byName = Object.fromEntries(results.questions.map((q) => [q.name, q]))
    assert.deepEqual(byName.topics.counts, { Design: 1, Code: 2, Music: 0 })
    assert.deepEqual(byName.level.counts, { Beginner: 1, Expert: 1 })
    assert.equal(byName.stars.average, 4)
    assert.deepEqual(byName.name.answers, ['Bob', 'Ada'])
    const owner = await (await app.request('/survey/results', { admin: true })).text()
    assert.include(owner, '<strong>Code</strong> <span class="muted">2 · 100%</span>')
    await stopCleanly(app, assert)
  })

  test('a Russian app asks in Russian', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, 'survey'], cleanup, { install: false })
    const form = await (await app.request('/survey')).text()
    assert.include(form, 'Как вы о нас узнали?')
    assert.include(form, 'Отправить ответы')
    const refused = await (await app.request('/survey', { method: 'POST', form: {} })).text()
    assert.include(refused, 'Пожалуйста, ответьте на вопрос «Как вы о нас узнали?».')
    await stopCleanly(app, assert)
  })
})
