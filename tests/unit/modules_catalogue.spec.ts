import { test } from '@japa/runner'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadCatalogue } from '#modules/composer'
import { manifest, modulesFolder } from '../modules/fixtures.js'

test.group('Module catalogue loader', () => {
  test('broken modules are reported with a reason and skipped; valid ones load', async ({ assert, cleanup }) => {
    const param = { name: 'headline', type: 'string', description: 'A headline.', default: 'Hi' }
    const folder = modulesFolder({
      'good': { manifest: manifest('good', { files: ['routes/good.js'] }), files: { 'routes/good.js': 'export function register() {}\n' } },
      'needs-good': { manifest: manifest('needs-good', { requires: ['good'] }) },
      'bad-json': { raw: '{"id": ' },
      'no-manifest': {},
      'bad-type': { manifest: manifest('bad-type', { parameters: [{ ...param, type: 'colour' }] }) },
      'typo-key': { manifest: manifest('typo-key', { parameters: [{ ...param, defualt: 'x' }] }) },
      'wrong-id': { manifest: manifest('not-my-folder') },
      'bad-version': { manifest: manifest('bad-version', { version: 'one' }) },
      'bad-default': { manifest: manifest('bad-default', { parameters: [{ ...param, maxLength: 1 }] }) },
      'no-default': { manifest: manifest('no-default', { parameters: [{ name: 'x', type: 'number', description: 'x' }] }) },
      'enum-no-values': { manifest: manifest('enum-no-values', { parameters: [{ name: 'x', type: 'enum', description: 'x', default: 'a' }] }) },
      'missing-file': { manifest: manifest('missing-file', { files: ['a.js'] }) },
      'extra-file': { manifest: manifest('extra-file'), files: { 'b.js': '' } },
      'escape': { manifest: manifest('escape', { files: ['../x.js'] }) },
      'reserved': { manifest: manifest('reserved', { files: ['.env'] }), files: { '.env': 'X=1' } },
      'orphan': { manifest: manifest('orphan', { requires: ['nowhere'] }) },
      'needs-orphan': { manifest: manifest('needs-orphan', { requires: ['orphan'] }) },
      'cycle-a': { manifest: manifest('cycle-a', { requires: ['cycle-b'] }) },
      'cycle-b': { manifest: manifest('cycle-b', { requires: ['cycle-a'] }) },
      'open-route': { manifest: manifest('open-route', { parameters: [param], routes: [{ method: 'GET', path: '/{headline}', status: 200 }] }) },
      'bad-dependency': { manifest: manifest('bad-dependency', { dependencies: { 'Not A Name': 'latest?' } }) },
      'both-env': { manifest: manifest('both-env', { env: [{ name: 'KEY', description: 'k', default: 'x', generate: 'secret' }] }) },
      'owner-post': { manifest: manifest('owner-post', { routes: [{ method: 'POST', path: '/notes', status: 303, owner: 'Notes' }] }) },
      'owner-id': { manifest: manifest('owner-id', { routes: [{ method: 'GET', path: '/notes/:id', status: 200, owner: 'A note' }] }) },
    })
    cleanup(() => rmSync(folder, { recursive: true, force: true }))

    const catalogue = await loadCatalogue(folder, { fresh: true })
    assert.deepEqual(catalogue.list().map((m) => m.id), ['good', 'needs-good'])
    assert.deepEqual([...catalogue.files('good').keys()], ['routes/good.js'])

    const errors = Object.fromEntries(catalogue.errors.map((e) => [e.id, e.error]))
    const expected: Record<string, RegExp> = {
      'bad-json': /module\.json is not valid JSON/,
      'no-manifest': /no module\.json/,
      'bad-type': /parameters\.0\.type/,
      'typo-key': /parameters\.0: unknown key "defualt"/,
      'wrong-id': /id "not-my-folder" does not match its folder "wrong-id"/,
      'bad-version': /version "one" is not a semver version/,
      'bad-default': /parameters\.headline: the default is invalid \(must be at most 1 characters\)/,
      'no-default': /give a default or mark it required/,
      'enum-no-values': /an enum needs "values"/,
      'missing-file': /lists "a\.js" but files\/a\.js does not exist/,
      'extra-file': /files\/b\.js is not listed in module\.json/,
      'escape': /"\.\.\/x\.js" is not a relative path inside the app/,
      'reserved': /"\.env" is written by the composer/,
      'orphan': /requires "nowhere", which is not in the catalogue/,
      'needs-orphan': /requires "orphan", which is not in the catalogue/,
      'cycle-a': /cycle/,
      'cycle-b': /cycle/,
      'open-route': /\{headline\} must name a string parameter with a pattern, or an enum/,
      'bad-dependency': /"Not A Name" is not an npm package name.*"latest\?" \(Not A Name\) is not a semver range/,
      'both-env': /"KEY" has both a default and generate/,
      'owner-post': /routes\.0: only a GET page without :placeholders can be an owner page/,
      'owner-id': /routes\.0: only a GET page without :placeholders can be an owner page/,
    }
    for (const [id, reason] of Object.entries(expected)) {
      assert.match(errors[id] ?? '(loaded)', reason, id)
    }
    assert.lengthOf(catalogue.errors, Object.keys(expected).length)
  })

  test('the catalogue is cached per folder; fresh reloads it', async ({ assert, cleanup }) => {
    const folder = modulesFolder({ one: { manifest: manifest('one') } })
    cleanup(() => rmSync(folder, { recursive: true, force: true }))
    const first = await loadCatalogue(folder, { fresh: true })
    assert.strictEqual(await loadCatalogue(folder), first)
    writeFileSync(join(folder, 'one', 'module.json'), JSON.stringify(manifest('one', { version: '1.1.0' })))
    assert.equal((await loadCatalogue(folder)).get('one')!.version, '1.0.0')
    assert.equal((await loadCatalogue(folder, { fresh: true })).get('one')!.version, '1.1.0')
  })

  test('a missing folder is an empty catalogue, not a crash', async ({ assert }) => {
    const catalogue = await loadCatalogue(join(tmpdir(), 'xbasis-no-such-folder'), { fresh: true })
    assert.deepEqual(catalogue.list(), [])
    assert.deepEqual(catalogue.errors, [])
  })

  test('the bundled modules load without errors', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    assert.deepEqual(catalogue.errors, [])
    assert.isAtLeast(catalogue.list().length, 12)
  })
})
