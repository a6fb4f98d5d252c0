import { test } from '@japa/runner'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startModule, stopCleanly } from './harness.js'

test.group('Module data-store', () => {
  test('the app starts with it; records persist, writes are atomic and serialized', async ({ assert, cleanup }) => {
    const { app } = await startModule('data-store', assert, cleanup)
    // The store is a library for the other modules: exercise it directly from the generated app.
    const { openStore } = await import(pathToFileURL(join(app.dir, 'lib', 'store.js')).href)
    const folder = mkdtempSync(join(tmpdir(), 'xbasis-store-'))
    cleanup(() => rmSync(folder, { recursive: true, force: true }))

    const notes = await openStore(folder).collection('notes')
    const inserted = await Promise.all(Array.from({ length: 50 }, (_, i) => notes.insert({ n: i })))
    assert.lengthOf(new Set(inserted.map((d: any) => d.id)), 50)
    const first = inserted[0]
    assert.match(first.created_at, /^\d{4}-\d{2}-\d{2}T/)
    await notes.update(first.id, { n: 'changed', id: 'ignored' })
    assert.isTrue(await notes.remove(inserted[1].id))
    assert.isFalse(await notes.remove('missing'))

    // A second store on the same folder (a restart) reads what the first wrote.
    const reopened = await openStore(folder).collection('notes')
    assert.equal(reopened.count(), 49)
    assert.equal(reopened.get(first.id).n, 'changed')
    // Mutating what a read returned does not change the stored record.
    reopened.get(first.id).n = 'mutated'
    assert.equal(reopened.get(first.id).n, 'changed')
    // No temporary files are left behind.
    assert.deepEqual(readdirSync(folder), ['notes.json'])
    assert.equal(JSON.parse(readFileSync(join(folder, 'notes.json'), 'utf8')).documents.length, 49)

    // A corrupt file is refused, not overwritten.
    writeFileSync(join(folder, 'broken.json'), '{"documents": [')
    await assert.rejects(() => openStore(folder).collection('broken'), /cannot be read/)
    assert.equal(readFileSync(join(folder, 'broken.json'), 'utf8'), '{"documents": [')
    assert.throws(() => openStore(folder).collection('../escape'), /invalid collection name/)

    await stopCleanly(app, assert)
  })
})
