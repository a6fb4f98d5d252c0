import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module landing-page', () => {
  test('renders the headline, subheadline, call to action and features', async ({ assert, cleanup }) => {
    const { app } = await startModule('landing-page', assert, cleanup)
    const body = await (await app.request('/')).text()
    assert.include(body, '<a class="button" href="#features">Learn more</a>')
    assert.include(body, 'Reliable: built from tested modules.')
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
