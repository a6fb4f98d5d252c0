import { test } from '@japa/runner'
import { composeApp, loadCatalogue, ModuleError } from '#modules/composer'
import { compose, startApp, startModule, startModules, stopCleanly, writeApp } from './harness.js'

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

test.group('Module app-base: theme and language', () => {
  test('colours, radius and font from the parameters are in /theme.css; auto mode has dark tokens', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'app-base', params: { color_primary: '#0F766E', radius: 4, font: 'serif' } }], cleanup, { install: false })
    const response = await app.request('/theme.css')
    assert.equal(response.status, 200)
    assert.include(response.headers.get('content-type')!, 'text/css')
    const css = await response.text()
    assert.include(css, '--accent: #0f766e;')
    assert.include(css, '--radius: 4px;')
    assert.include(css, 'Georgia')
    // The default palette, and its dark variant for visitors whose system is set to dark.
    assert.include(css, '--bg: #f6f7fb;')
    const dark = css.slice(css.indexOf('@media (prefers-color-scheme: dark)'))
    assert.isAbove(css.indexOf('@media (prefers-color-scheme: dark)'), 0)
    assert.include(dark, '--bg: #0f1117;')
    assert.include(dark, 'color-scheme: dark;')
    // Every page loads the theme after the stylesheet, and says which language it is in.
    const home = await (await app.request('/')).text()
    assert.include(home, '<html lang="en">')
    assert.include(home, '<link rel="stylesheet" href="/style.css">\n<link rel="stylesheet" href="/theme.css">')
    await stopCleanly(app, assert)
  })

  test('dark mode, named colours, and chosen backgrounds keep text readable', async ({ assert, cleanup }) => {
    const app = await startModules(
      [{ id: 'app-base', params: { theme_mode: 'dark', color_primary: 'gold', color_background: 'MidnightBlue', font: 'Playfair Display, Georgia' } }],
      cleanup,
      { install: false }
    )
    const css = await (await app.request('/theme.css')).text()
    assert.include(css, '--bg: #191970;')
    assert.include(css, '--accent: #ffd700;')
    // A light primary gets dark text on its buttons; light text on the dark background.
    assert.include(css, '--on-accent: #111318;')
    assert.include(css, '--text: #e6e8ef;')
    assert.include(css, 'color-scheme: dark;')
    assert.include(css, '"Playfair Display", "Georgia"')
    assert.notInclude(css, 'prefers-color-scheme')
    await stopCleanly(app, assert)
  })

  test('lang "ru": <html lang="ru"> and the built-in words in Russian', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru', title: 'Пекарня «Колобок»' } }], cleanup, { install: false })
    const missing = await app.request('/nothing-here', { headers: { accept: 'text/html' } })
    assert.equal(missing.status, 404)
    const body = await missing.text()
    assert.include(body, '<html lang="ru">')
    assert.include(body, 'Страница не найдена.')
    assert.include(body, 'На главную')
    assert.include(body, 'Пекарня «Колобок»')
    await stopCleanly(app, assert)
  })

  test('theme parameters are checked strictly: nothing but a colour, a length or a font list gets in', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const bad = {
      color_primary: 'red; background: url(https://evil.example/x)',
      color_background: 'javascript:alert(1)',
      color_surface: '#12345',
      color_text: 'notacolour',
      radius: 200,
      font: 'Arial; } body { display: none',
      theme_mode: 'sepia',
      lang: 'fr',
    }
    try {
      composeApp(catalogue, [{ id: 'app-base', params: bad }])
      assert.fail('the parameters were accepted')
    } catch (error) {
      assert.instanceOf(error, ModuleError)
      const params = (error as ModuleError).details.map((d) => d.param).sort()
      assert.deepEqual(params, Object.keys(bad).sort())
    }
    // Hex in every length, and names in any case, are fine.
    for (const colour of ['#abc', '#abcd', '#aabbcc', '#aabbccdd', 'RebeccaPurple', 'navy']) {
      assert.doesNotThrow(() => composeApp(catalogue, [{ id: 'app-base', params: { color_primary: colour } }]), colour)
    }
  })

  test('a hand-edited config with a bad colour falls back to the palette instead of reaching the CSS', async ({ assert, cleanup }) => {
    const composed = await compose(['app-base'])
    const config = JSON.parse(composed.files.get('xbasis.config.json') as string)
    config.modules['app-base'].params.color_primary = 'red;}body{display:none'
    config.modules['app-base'].params.font = '"><script>'
    composed.files.set('xbasis.config.json', JSON.stringify(config))
    const dir = writeApp(composed)
    const app = await startApp(dir, composed)
    cleanup(() => app.dispose())
    const css = await (await app.request('/theme.css')).text()
    assert.include(css, '--accent: #4f46e5;')
    assert.notInclude(css, 'display:none')
    assert.notInclude(css, 'script')
    await stopCleanly(app, assert)
  })
})
