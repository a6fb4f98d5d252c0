import { test } from '@japa/runner'
import { startModule, stopCleanly } from './harness.js'

test.group('Module app-base', () => {
  test('serves health, static files, a home page and escaped errors; exits on SIGTERM', async ({ assert, cleanup }) => {
    const { app, checked } = await startModule('app-base', assert, cleanup)
    assert.isAtLeast(checked, 4)

    const health = await app.request('/health')
    assert.deepEqual(await health.json(), { status: 'ok' })
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff')
    assert.include(health.headers.get('content-security-policy')!, "default-src 'self'")

    // Without a landing page, "/" is the app's title page.
    const home = await app.request('/')
    assert.equal(home.status, 200)
    assert.include(await home.text(), '<h1>My App</h1>')

    // Paths outside public/ are never served, however they are spelt.
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fserver.js', '/%2e%2e%2f.env']) {
      assert.equal((await app.request(path)).status, 404, path)
    }
    assert.equal((await app.request('/%E0%A4%A')).status, 400)

    // A wrong method on a known path is a 405 naming the allowed ones; API errors are JSON.
    const wrongMethod = await app.request('/health', { method: 'POST' })
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.get('allow'), 'GET')
    const apiMissing = await app.request('/api/nothing')
    assert.equal(apiMissing.status, 404)
    assert.deepEqual(await apiMissing.json(), { error: 'Page not found.' })

    // A form posted from another site is refused before any route runs.
    const crossSite = await app.request('/health', { method: 'POST', headers: { origin: 'https://evil.example' } })
    assert.equal(crossSite.status, 403)

    await stopCleanly(app, assert)
  })
})
