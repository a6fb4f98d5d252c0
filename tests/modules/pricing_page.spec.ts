import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module pricing-page', () => {
  test('shows every default plan with its price and features', async ({ assert, cleanup }) => {
    const { app } = await startModule('pricing-page', assert, cleanup)
    const body = await (await app.request('/pricing')).text()
    for (const text of ['Free', '$0', 'Pro', '$29', 'Team', '$99', 'Priority support', 'card highlighted']) assert.include(body, text)
    await stopCleanly(app, assert)
  })

  test('plans given as a parameter replace the defaults; plan properties get their defaults', async ({ assert, cleanup }) => {
    const app = await startModules(
      [{ id: 'pricing-page', params: { plans: [{ name: 'Solo <b>', price: '€5', cta_url: '/buy' }] } }],
      cleanup,
      { install: false }
    )
    const body = await (await app.request('/pricing')).text()
    assert.include(body, '<h2>Solo &lt;b&gt;</h2>')
    assert.include(body, '<a class="button" href="/buy">Choose</a>')
    assert.notInclude(body, '$29')
    await stopCleanly(app, assert)
  })
})
