import { test } from '@japa/runner'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureAppKey, resolveDataDir } from '#lib/data_dir'

test.group('Data directory', () => {
  test('the app key is generated once, private, and reused', ({ assert }) => {
    const dir = mkdtempSync(join(tmpdir(), 'xbasis-data-'))
    const first = ensureAppKey(dir)
    assert.isAtLeast(first.length, 32)
    assert.equal(ensureAppKey(dir), first)
    assert.equal(readFileSync(join(dir, 'app.key'), 'utf8').trim(), first)
    assert.equal(statSync(join(dir, 'app.key')).mode & 0o777, 0o600)
  })

  test('relative data dirs resolve from the working directory and are created', ({ assert }) => {
    const dir = resolveDataDir(join('tmp', 'unit-data-dir'))
    assert.equal(dir, join(process.cwd(), 'tmp', 'unit-data-dir'))
    assert.isTrue(statSync(dir).isDirectory())
  })
})
