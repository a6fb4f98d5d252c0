import { test } from '@japa/runner'
import { restartApp, startModule, startModules, stopCleanly } from './harness.js'

test.group('Module qa', () => {
  test('questions are private until the owner answers them; answers are searchable and kept', async ({ assert, cleanup }) => {
    let { app } = await startModule('qa', assert, cleanup)
    // The documented-route check asked "Are you open on Sundays?"; it is not shown before an answer.
    assert.notInclude(await (await app.request('/qa')).text(), 'Are you open on Sundays?')
    assert.equal((await app.request('/qa', { method: 'POST', form: { name: 'Bob <i>', question: 'Do you <b>deliver</b>?' } })).status, 303)
    const questions = (await (await app.request('/qa/manage', { admin: true, headers: { accept: 'application/json' } })).json()) as { id: string; question: string }[]
    const delivery = questions.find((q) => q.question.includes('deliver'))!
    assert.equal((await app.request(`/qa/manage/${delivery.id}/answer`, { method: 'POST', form: { answer: 'Yes, & for free.' } })).status, 401)
    assert.equal((await app.request(`/qa/manage/${delivery.id}/answer`, { admin: true, method: 'POST', form: { answer: 'Yes, & for free.' } })).status, 303)
    const page = await (await app.request('/qa')).text()
    assert.include(page, '<h3>Do you &lt;b&gt;deliver&lt;/b&gt;?</h3>')
    assert.include(page, 'asked by Bob &lt;i&gt;')
    assert.include(page, '<p>Yes, &amp; for free.</p>')
    assert.notInclude(await (await app.request('/qa?q=sunday')).text(), 'deliver')
    app = await restartApp(app, assert, cleanup)
    assert.deepEqual(((await (await app.request('/api/qa')).json()) as { answer: string }[]).map((q) => q.answer), ['Yes, & for free.'])
    await stopCleanly(app, assert)
  })

  test('a Russian app, with unanswered questions shown as awaiting', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'qa', params: { show_unanswered: true } }], cleanup, { install: false })
    const refused = await app.request('/qa', { method: 'POST', form: { name: 'Иван', question: '' } })
    assert.equal(refused.status, 422)
    assert.include(await refused.text(), 'Пожалуйста, напишите вопрос.')
    assert.equal((await app.request('/qa', { method: 'POST', form: { name: 'Иван', question: 'Есть парковка?' } })).status, 303)
    const page = await (await app.request('/qa?asked=1')).text()
    assert.include(page, '<h1>Вопросы и ответы</h1>')
    assert.include(page, 'Спасибо! Мы скоро ответим.')
    assert.include(page, 'Есть парковка?')
    assert.include(page, 'Ждёт ответа')
    await stopCleanly(app, assert)
  })
})
