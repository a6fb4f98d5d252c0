import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module faq', () => {
  test('composed with its defaults: sample questions, in a disclosure list, and as JSON', async ({ assert, cleanup }) => {
    const { app } = await startModule('faq', assert, cleanup)
    const body = await (await app.request('/faq')).text()
    assert.include(body, '<h1>Frequently asked questions</h1>')
    assert.include(body, '<summary>How do I get started?</summary>')
    assert.include(body, '<a href="/faq">FAQ</a>')
    assert.lengthOf((await (await app.request('/api/faq')).json()) as unknown[], 3)
    await stopCleanly(app, assert)
  })

  test('the questions come from parameters, escaped; a Russian app gets Russian words', async ({ assert, cleanup }) => {
    const items = [{ question: 'Do you deliver <script>?', answer: 'Yes & "fast".' }]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'faq', params: { items } }], cleanup, { install: false })
    const body = await (await app.request('/faq')).text()
    assert.include(body, '<summary>Do you deliver &lt;script&gt;?</summary><p>Yes &amp; &quot;fast&quot;.</p>')
    assert.notInclude(body, '<script>')
    assert.include(body, '<h1>Частые вопросы</h1>')
    assert.include(body, '<a href="/faq">Вопросы</a>')
    assert.deepEqual(await (await app.request('/api/faq')).json(), items)
    await stopCleanly(app, assert)
  })
})
