import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
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

  test('two processes writing to one folder at once (a redeploy): no acknowledged write is lost, the file always parses', async ({ assert, cleanup }) => {
    const { app } = await startModule('data-store', assert, cleanup)
    const folder = mkdtempSync(join(tmpdir(), 'xbasis-store-'))
    cleanup(() => rmSync(folder, { recursive: true, force: true }))
    // A writer process, as a generated app would be: inserts records and prints each id once its
    // insert resolved (acknowledged), also updating and removing some of its own.
    const writer = join(app.dir, 'writer.mjs')
    writeFileSync(
      writer,
      `import { openStore } from './lib/store.js'
const items = await openStore(process.argv[2]).collection('items')
const [count, tag] = [Number(process.argv[3]), process.argv[4]]
for (let i = 0; i < count; i += 4) {
  const batch = await Promise.all([0, 1, 2, 3].map((j) => items.insert({ tag, n: i + j })))
  await items.update(batch[0].id, { touched: true })
  await items.remove(batch[3].id)
  for (const doc of batch.slice(0, 3)) process.stdout.write(doc.id + '\\n')
}
`
    )
    const run = (tag: string) =>
      new Promise<string[]>((resolve, reject) => {
        // Confined the way the process target runs apps: the lock works under the permission model.
        const child = spawn(process.execPath, ['--experimental-permission', `--allow-fs-read=${app.dir}/*`, `--allow-fs-read=${folder}/*`, `--allow-fs-write=${folder}/*`, writer, folder, '200', tag], { cwd: app.dir })
        let out = ''
        let err = ''
        child.stdout.on('data', (chunk) => (out += chunk))
        child.stderr.on('data', (chunk) => (err += chunk))
        child.on('exit', (code) => (code === 0 ? resolve(out.split('\n').filter(Boolean)) : reject(new Error(`writer ${tag} exited ${code}: ${err}`))))
      })
    // Meanwhile the file is read over and over: it must parse every time.
    const file = join(folder, 'items.json')
    let reads = 0
    let reading = true
    const reader = (async () => {
      while (reading) {
        if (existsSync(file)) {
          JSON.parse(readFileSync(file, 'utf8'))
          reads++
        }
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    const acknowledged = (await Promise.all([run('a'), run('b'), run('c')])).flat()
    reading = false
    await reader
    assert.isAbove(reads, 0)
    assert.lengthOf(acknowledged, 3 * 150)

    const documents = JSON.parse(readFileSync(file, 'utf8')).documents as any[]
    const ids = new Set(documents.map((d) => d.id))
    assert.deepEqual(acknowledged.filter((id) => !ids.has(id)), [], 'every acknowledged insert is in the file')
    assert.lengthOf(documents, 3 * 150)
    assert.lengthOf(documents.filter((d) => d.touched), 3 * 50)
    assert.deepEqual(readdirSync(folder), ['items.json'], 'no lock or temporary file is left')
    // A reader in another process sees the others' writes without restarting.
    const { openStore } = await import(pathToFileURL(join(app.dir, 'lib', 'store.js')).href)
    const mine = await openStore(folder).collection('items')
    assert.equal(mine.count(), 450)
    const added = await runOne(writer, app.dir, folder)
    assert.equal(mine.count(), 450 + added.length)
    assert.isDefined(mine.get(added[0]))
  }).timeout(120_000)

  test('a lock left by a process that died while writing is taken over', async ({ assert, cleanup }) => {
    const { app } = await startModule('data-store', assert, cleanup)
    const { openStore } = await import(pathToFileURL(join(app.dir, 'lib', 'store.js')).href)
    const folder = mkdtempSync(join(tmpdir(), 'xbasis-store-'))
    cleanup(() => rmSync(folder, { recursive: true, force: true }))
    // A holder on this machine whose process is gone: taken over at once.
    const dead = spawn(process.execPath, ['-e', '0'])
    await new Promise((resolve) => dead.on('exit', resolve))
    writeFileSync(join(folder, 'notes.json.lock'), JSON.stringify({ host: hostname(), pid: dead.pid, token: 'gone' }))
    const notes = await openStore(folder).collection('notes')
    const started = Date.now()
    await notes.insert({ n: 1 })
    assert.isBelow(Date.now() - started, 2000)
    assert.deepEqual(readdirSync(folder), ['notes.json'])

    // A holder elsewhere (another container) that is alive keeps its lock: the write waits for it.
    writeFileSync(join(folder, 'notes.json.lock'), JSON.stringify({ host: 'another-container', pid: 1, token: 'busy' }))
    let saved = false
    const waiting = notes.insert({ n: 2 }).then(() => (saved = true))
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.isFalse(saved, 'the write waits for the lock')
    rmSync(join(folder, 'notes.json.lock'))
    await waiting
    assert.lengthOf(JSON.parse(readFileSync(join(folder, 'notes.json'), 'utf8')).documents, 2)
  }).timeout(60_000)
})

function runOne(writer: string, cwd: string, folder: string) {
  return new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, [writer, folder, '8', 'late'], { cwd })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.on('exit', (code) => (code === 0 ? resolve(out.split('\n').filter(Boolean)) : reject(new Error(`writer exited ${code}`))))
  })
}
