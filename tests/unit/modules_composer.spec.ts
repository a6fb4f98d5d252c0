import { test } from '@japa/runner'
import { rmSync } from 'node:fs'
import { composeApp, loadCatalogue, ModuleError, type ComposedApp, type ModuleSelection } from '#modules/composer'
import { manifest, modulesFolder } from '../modules/fixtures.js'
import { startModules, stopCleanly } from '../modules/harness.js'

/** A predictable source of "random" bytes: each call gives the next counter value. */
function counterRandom(seed = 0) {
  let n = seed
  return (size: number) => Buffer.alloc(size, ++n)
}

const EVERY_MODULE = ['landing-page', 'pricing-page', 'waitlist', 'contact-form', 'accounts', 'blog', 'crud-resource', 'admin-page', 'file-uploads', 'payment-link']

function config(app: ComposedApp) {
  return JSON.parse(app.files.get('xbasis.config.json') as string)
}

function moduleError(fn: () => unknown): ModuleError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ModuleError) return error
    throw error
  }
  throw new Error('no ModuleError was thrown')
}

test.group('Module composer', () => {
  test('requirements are added in dependency order, with a warning; app-base is always there', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const app = composeApp(catalogue, [{ id: 'blog' }])
    assert.deepEqual(app.modules, ['app-base', 'data-store', 'blog'])
    assert.deepEqual(app.warnings, ['added "data-store": "blog" requires it'])
    assert.deepEqual(Object.keys(config(app).modules), ['app-base', 'data-store', 'blog'])
    for (const file of ['server.js', 'lib/store.js', 'routes/blog.js', 'lib/markdown.js', 'package.json', '.env', '.env.example', 'README.md']) {
      assert.isTrue(app.files.has(file), file)
    }
    // Paths are sorted, so writing them out is deterministic too.
    const paths = [...app.files.keys()]
    assert.deepEqual(paths, [...paths].sort())
  })

  test('unknown modules, duplicates and unknown or invalid parameters are refused with clear messages', async ({ assert }) => {
    const catalogue = await loadCatalogue()

    const unknown = moduleError(() => composeApp(catalogue, [{ id: 'teleporter' }]))
    assert.equal(unknown.code, 'unknown_module')
    assert.match(unknown.message, /unknown module "teleporter" \(the catalogue has: about-page, accounts, .*waitlist\)/)

    assert.equal(moduleError(() => composeApp(catalogue, [{ id: 'blog' }, { id: 'blog' }])).code, 'duplicate_module')

    const invalid = moduleError(() =>
      composeApp(catalogue, [
        { id: 'landing-page', params: { headline: 'x'.repeat(121), colour: 'red', features: 'not a list', cta_url: 'javascript:alert(1)' } },
        { id: 'crud-resource', params: { entity: 'Bad Entity', fields: [{ name: 'id', type: 'text' }] } },
        { id: 'accounts', params: { min_password_length: 4, allow_signup: 'sometimes', after_login_path: '/\\evil.example' } },
        { id: 'payment-link', params: { payment_url: 'http://pay.example.com' } },
      ])
    )
    assert.equal(invalid.code, 'invalid_params')
    assert.sameDeepMembers(invalid.details, [
      { module: 'landing-page', param: 'colour', message: 'unknown parameter (known: headline, subheadline, cta_label, cta_url, features, features_heading, closing_heading, closing_text, nav_label)' },
      { module: 'landing-page', param: 'headline', message: 'must be at most 120 characters' },
      { module: 'landing-page', param: 'cta_url', message: 'must be an http(s) URL, a mailto: address, a path starting with "/" or an #anchor' },
      { module: 'landing-page', param: 'features', message: 'must be a list' },
      { module: 'crud-resource', param: 'entity', message: 'must match ^(?!(api|health|new)$)[a-z][a-z0-9-]{0,30}$' },
      { module: 'crud-resource', param: 'fields', message: 'item 1: "id" is reserved' },
      { module: 'accounts', param: 'min_password_length', message: 'must be at least 8' },
      { module: 'accounts', param: 'allow_signup', message: 'must be true or false' },
      { module: 'accounts', param: 'after_login_path', message: 'must be a path on the site, starting with "/"' },
      { module: 'payment-link', param: 'payment_url', message: 'must be an https:// URL' },
    ])
    assert.include(invalid.message, 'landing-page.headline must be at most 120 characters')

    // Single-line parameters refuse line breaks; numbers and booleans sent as strings are converted.
    assert.equal(moduleError(() => composeApp(catalogue, [{ id: 'landing-page', params: { headline: 'a\nb' } }])).code, 'invalid_params')
    const converted = composeApp(catalogue, [{ id: 'accounts', params: { min_password_length: '12', allow_signup: 'false' } }])
    assert.deepInclude(config(converted).modules.accounts.params, { min_password_length: 12, allow_signup: false })
  })

  test('conflicts are refused; two modules answering the same route or providing the same file too', async ({ assert, cleanup }) => {
    const folder = modulesFolder({
      'app-base': {
        manifest: manifest('app-base', {
          parameters: [{ name: 'name', type: 'string', description: 'n', default: 'app', pattern: '^[a-z-]+$' }],
          files: ['package.json'],
        }),
        files: { 'package.json': '{"type": "module", "dependencies": {}}' },
      },
      'stripe': { manifest: manifest('stripe', { conflicts: ['paddle'] }) },
      'paddle': { manifest: manifest('paddle') },
      'one': { manifest: manifest('one', { files: ['shared.js'] }), files: { 'shared.js': '1' } },
      'two': { manifest: manifest('two', { files: ['shared.js'] }), files: { 'shared.js': '2' } },
      'dep-a': { manifest: manifest('dep-a', { dependencies: { 'left-pad': '^1.0.0' } }) },
      'dep-b': { manifest: manifest('dep-b', { dependencies: { 'left-pad': '^1.2.0', 'zod': '3.x' } }) },
      'dep-c': { manifest: manifest('dep-c', { dependencies: { 'left-pad': '^2.0.0' } }) },
    })
    cleanup(() => rmSync(folder, { recursive: true, force: true }))
    const fixtures = await loadCatalogue(folder, { fresh: true })
    assert.deepEqual(fixtures.errors, [])

    const conflict = moduleError(() => composeApp(fixtures, [{ id: 'paddle' }, { id: 'stripe' }]))
    assert.equal(conflict.code, 'conflict')
    assert.equal(conflict.message, '"stripe" cannot be combined with "paddle" (declared by "stripe")')

    const files = moduleError(() => composeApp(fixtures, [{ id: 'one' }, { id: 'two' }]))
    assert.equal(files.code, 'file_conflict')
    assert.equal(files.message, '"one" and "two" both provide shared.js')

    // npm dependencies are merged: compatible ranges are combined, incompatible ones refused.
    const merged = composeApp(fixtures, [{ id: 'dep-a' }, { id: 'dep-b' }])
    assert.deepEqual(JSON.parse(merged.files.get('package.json') as string), { type: 'module', dependencies: { 'left-pad': '^1.0.0 ^1.2.0', 'zod': '3.x' }, name: 'app' })
    assert.equal(moduleError(() => composeApp(fixtures, [{ id: 'dep-a' }, { id: 'dep-c' }])).code, 'dependency_conflict')

    const catalogue = await loadCatalogue()
    const routes = moduleError(() => composeApp(catalogue, [{ id: 'blog' }, { id: 'crud-resource', params: { entity: 'blog' } }]))
    assert.equal(routes.code, 'route_conflict')
    assert.equal(routes.message, '"blog" and "crud-resource" both answer GET /blog')
  })

  test('output is deterministic: same input, same bytes, whatever the order; secrets come from the random source', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const selections: ModuleSelection[] = EVERY_MODULE.map((id) => ({ id }))
    const first = composeApp(catalogue, selections, { appName: 'Same App', random: counterRandom() })
    const second = composeApp(catalogue, [...selections].reverse(), { appName: 'Same App', random: counterRandom() })
    assert.deepEqual([...first.files.keys()], [...second.files.keys()])
    for (const [path, contents] of first.files) assert.isTrue(Buffer.from(contents).equals(Buffer.from(second.files.get(path)!)), path)
    assert.deepEqual(first.modules, second.modules)

    // Another random source changes the secrets, and nothing else.
    const third = composeApp(catalogue, selections, { appName: 'Same App', random: counterRandom(100) })
    const changed = [...first.files.keys()].filter((path) => !Buffer.from(first.files.get(path)!).equals(Buffer.from(third.files.get(path)!)))
    assert.deepEqual(changed, ['.env'])
    assert.equal(first.env.ADMIN_PASSWORD, Buffer.alloc(32, 2).toString('base64url'))
    assert.notEqual(first.env.ADMIN_PASSWORD, first.env.SESSION_SECRET)

    // .env holds the values; .env.example documents every variable and holds no secret.
    const example = first.files.get('.env.example') as string
    for (const name of ['PORT', 'HOST', 'DATA_DIR', 'ADMIN_PASSWORD', 'SESSION_SECRET']) assert.match(example, new RegExp(`^${name}=`, 'm'))
    assert.match(example, /^ADMIN_PASSWORD=$/m)
    assert.notInclude(example, first.env.ADMIN_PASSWORD)
    assert.include(first.files.get('.env') as string, `ADMIN_PASSWORD=${first.env.ADMIN_PASSWORD}\n`)

    // The app's name fills app-base's name (slugified) and title.
    assert.deepInclude(config(first).modules['app-base'].params, { name: 'same-app', title: 'Same App' })
    assert.equal(JSON.parse(first.files.get('package.json') as string).name, 'same-app')
    assert.deepEqual(JSON.parse(first.files.get('package.json') as string).dependencies, {})
  })

  test('composing again keeps the modules, parameters and secrets of the existing app', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const first = composeApp(catalogue, [{ id: 'landing-page', params: { headline: 'Coffee, roasted daily' } }], { appName: 'Café Olé!' })
    assert.deepInclude(config(first).modules['app-base'].params, { name: 'cafe-ole', title: 'Café Olé!' })
    assert.notProperty(first.env, 'ADMIN_PASSWORD')

    const withBlog = composeApp(catalogue, [{ id: 'blog' }], { existing: first.files as Map<string, string> })
    assert.deepEqual(withBlog.modules, ['app-base', 'data-store', 'blog', 'landing-page'])
    assert.equal(config(withBlog).modules['landing-page'].params.headline, 'Coffee, roasted daily')
    assert.equal(config(withBlog).modules['app-base'].params.name, 'cafe-ole')
    assert.isString(withBlog.env.ADMIN_PASSWORD)
    // `secrets` holds only generated values, for platforms that keep them apart from the files.
    assert.deepEqual(withBlog.secrets, { ADMIN_PASSWORD: withBlog.env.ADMIN_PASSWORD })
    assert.equal(withBlog.env.PORT, '3000')

    // Dependencies and scripts added to package.json since (by the model, by hand) survive.
    const edits = JSON.parse(withBlog.files.get('package.json') as string)
    edits.dependencies = { 'left-pad': '^1.3.0' }
    edits.scripts.test = 'node --test'
    const withEdits = composeApp(catalogue, [{ id: 'waitlist' }], { existing: new Map([...withBlog.files, ['package.json', JSON.stringify(edits)]]) })
    const pkg = JSON.parse(withEdits.files.get('package.json') as string)
    assert.deepEqual(pkg.dependencies, { 'left-pad': '^1.3.0' })
    assert.deepEqual(pkg.scripts, { start: 'node server.js', test: 'node --test' })
    assert.equal(pkg.type, 'module')

    // Changing one parameter keeps the others, and the secrets generated earlier.
    const edited = composeApp(catalogue, [{ id: 'landing-page', params: { subheadline: 'Fresh beans.' } }], {
      existing: new Map([...withBlog.files, ['.env', `${withBlog.files.get('.env')}MY_OWN=kept\n`]]),
    })
    assert.deepInclude(config(edited).modules['landing-page'].params, { headline: 'Coffee, roasted daily', subheadline: 'Fresh beans.' })
    assert.equal(edited.env.ADMIN_PASSWORD, withBlog.env.ADMIN_PASSWORD)
    assert.equal(edited.env.MY_OWN, 'kept')
    assert.deepEqual(edited.removed, [])

    // Removing a module drops its files (listed in `removed`); what others require cannot go.
    const withoutBlog = composeApp(catalogue, [], { existing: edited.files, remove: ['blog'] })
    assert.notInclude(withoutBlog.modules, 'blog')
    assert.deepEqual(withoutBlog.removed, ['content/posts/hello-world.md', 'lib/markdown.js', 'routes/blog.js'])
    assert.isFalse(withoutBlog.files.has('routes/blog.js'))
    const required = moduleError(() => composeApp(catalogue, [], { existing: edited.files, remove: ['data-store'] }))
    assert.equal(required.code, 'missing_requirement')
    assert.equal(required.message, '"blog" requires "data-store", which was asked to be removed')

    // A recorded parameter the module no longer accepts falls back to its default, with a warning.
    const stale = new Map(first.files)
    const recorded = config(first)
    recorded.modules['landing-page'].params.headline = 'x'.repeat(500)
    recorded.modules['landing-page'].params.retired = true
    stale.set('xbasis.config.json', JSON.stringify(recorded))
    const repaired = composeApp(catalogue, [], { existing: stale })
    assert.equal(config(repaired).modules['landing-page'].params.headline, 'Build something people want')
    assert.notProperty(config(repaired).modules['landing-page'].params, 'retired')
    assert.lengthOf(repaired.warnings, 2)

    const broken = moduleError(() => composeApp(catalogue, [], { existing: new Map([['xbasis.config.json', '{oops']]) }))
    assert.equal(broken.code, 'invalid_existing')
  })

  test('parameters never reach source files: only xbasis.config.json holds them', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const marker = '"><script>xb1()</script>'
    const selections = ['app-base', ...EVERY_MODULE].map((id) => {
      const params: Record<string, unknown> = {}
      for (const spec of catalogue.get(id)!.parameters) {
        const fits = (spec.maxLength ?? 200) >= marker.length && !spec.pattern && !spec.format
        if ((spec.type === 'string' || spec.type === 'text') && fits) params[spec.name] = marker
        if (spec.type === 'string-list' && fits) params[spec.name] = [marker]
      }
      return { id, params }
    })
    assert.isAtLeast(selections.reduce((n, s) => n + Object.keys(s.params).length, 0), 30)
    const app = composeApp(catalogue, selections)
    for (const [path, contents] of app.files) {
      if (path === 'xbasis.config.json') assert.include(contents.toString(), 'xb1()')
      else assert.notInclude(contents.toString(), 'xb1()', path)
    }
  })

  test('a headline that tries to close a script tag is served escaped by the landing page', async ({ assert, cleanup }) => {
    const headline = '</script><script>alert(1)</script>'
    const app = await startModules([{ id: 'landing-page', params: { headline } }], cleanup, { install: false })
    const body = await (await app.request('/')).text()
    assert.include(body, '<h1>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>')
    assert.notInclude(body, headline)
    await stopCleanly(app, assert)
  }).timeout(10_000)
})
