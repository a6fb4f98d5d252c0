import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { RepositoryConflictError, VersionNotFoundError, InvalidPathError } from '../../app/workspace/errors.js'
import { ProjectRepository, type CommitMeta } from '../../app/workspace/project_repository.js'

/**
 * The project repository: one bare git repository per project, one commit
 * per turn. These tests run real git in temporary directories.
 */

const run = promisify(execFile)
const roots: string[] = []

async function newRepository(projectId: string | number = 'p1') {
  const root = await mkdtemp(join(tmpdir(), 'xbasis-ws-test-'))
  roots.push(root)
  const repo = new ProjectRepository(root, projectId)
  await repo.init()
  return repo
}

/** Plain git on the test side, with the same isolation as the service. */
async function git(repo: ProjectRepository, ...args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
  const { stdout } = await run('git', [`--git-dir=${repo.gitDir}`, ...args], { env })
  return stdout
}

function meta(message: string, extra: Partial<CommitMeta> = {}): CommitMeta {
  return { message, author: { name: 'Ada Lovelace', email: 'ada@example.com' }, ...extra }
}

async function text(repo: ProjectRepository, path: string, version?: string) {
  return (await repo.readFile(path, version))?.toString('utf8') ?? null
}

/** Reads a zip's central directory: the names of its entries. */
function zipEntries(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(end + 10)
  let offset = zip.readUInt32LE(end + 16)
  const names: string[] = []
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    names.push(zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8'))
    offset += 46 + nameLength + extraLength + commentLength
  }
  return names
}

test.group('Project repository | basics', (group) => {
  group.teardown(async () => {
    await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  })

  test('init is idempotent, makes a bare repository on main and no commit', async ({ assert }) => {
    const repo = await newRepository(42)
    await repo.init()
    await Promise.all([repo.init(), new ProjectRepository(repo.root, 42).init()])
    assert.isTrue(repo.gitDir.endsWith('/42.git'))
    assert.isTrue(existsSync(join(repo.gitDir, 'HEAD')))
    assert.isFalse(existsSync(join(repo.gitDir, 'index')), 'no working tree, no index')
    assert.equal((await git(repo, 'rev-parse', '--is-bare-repository')).trim(), 'true')
    assert.equal((await git(repo, 'symbolic-ref', 'HEAD')).trim(), 'refs/heads/main')
    assert.isNull(await repo.head())
    assert.deepEqual(await repo.listFiles(), [])
    assert.deepEqual(await repo.versions(), [])
    assert.isNull(await repo.readFile('a.txt'))
  })

  test('project ids that are not plain names are refused', ({ assert }) => {
    for (const id of ['../x', 'a/b', '', '.git', '-rf']) {
      assert.throws(() => new ProjectRepository('/tmp', id), 'invalid project id')
    }
  })

  test('apply writes files as one commit, read back from any version', async ({ assert }) => {
    const repo = await newRepository()
    const result = await repo.applyChanges(
      [
        { op: 'write', path: 'index.html', content: '<h1>Hello</h1>\n' },
        { op: 'write', path: 'src/app.ts', content: 'export {}\n' },
        { op: 'write', path: 'logo.bin', content: Buffer.from([0, 1, 2, 255]) },
      ],
      meta('Create the page', { turn: 'turn-1' })
    )
    assert.isTrue(result.committed)
    assert.deepEqual(result.applied, ['write index.html', 'write src/app.ts', 'write logo.bin'])
    assert.deepEqual(result.refused, [])
    assert.equal(await repo.head(), result.version)
    assert.deepEqual(await repo.listFiles(), [
      { path: 'index.html', size: 15, mode: '100644' },
      { path: 'logo.bin', size: 4, mode: '100644' },
      { path: 'src/app.ts', size: 10, mode: '100644' },
    ])
    assert.deepEqual(await repo.readFile('logo.bin'), Buffer.from([0, 1, 2, 255]))
    assert.isNull(await repo.readFile('src'), 'a folder is not a file')
    assert.isNull(await repo.readFile('missing.txt'))

    const second = await repo.applyChanges([{ op: 'write', path: 'index.html', content: 'v2' }], meta('Update'))
    assert.equal(await text(repo, 'index.html'), 'v2')
    assert.equal(await text(repo, 'index.html', result.version!), '<h1>Hello</h1>\n')
    assert.equal(await text(repo, 'index.html', second.version!.slice(0, 12)), 'v2')
  })

  test('readAllFiles gives every file of a version with the bytes readFile gives', async ({ assert }) => {
    const repo = await newRepository()
    assert.deepEqual(await repo.readAllFiles(), [], 'no version yet: no file')
    const first = await repo.applyChanges(
      [
        { op: 'write', path: 'server.js', content: 'console.log(1)\n' },
        { op: 'write', path: 'empty.txt', content: '' },
        // newlines and a fake batch header inside the content must not confuse the parser
        { op: 'write', path: 'data/blob.bin', content: Buffer.from([10, 0, 10, 0x30, 0x20, 0x62, 10, 255]) },
        { op: 'write', path: 'public/index.html', content: 'abc blob 3\nxyz\n' },
      ],
      meta('Files')
    )
    await repo.applyChanges([{ op: 'write', path: 'server.js', content: 'console.log(2)\n' }, { op: 'delete', path: 'empty.txt' }], meta('Second'))

    for (const version of [undefined, first.version!]) {
      const all = await repo.readAllFiles(version)
      const listed = await repo.listFiles(version)
      assert.deepEqual(all.map((f) => f.path), listed.map((f) => f.path))
      for (const file of all) assert.deepEqual(file.content, await repo.readFile(file.path, version), file.path)
    }
    assert.equal((await repo.readAllFiles(first.version!)).find((f) => f.path === 'server.js')!.content.toString(), 'console.log(1)\n')
    assert.notInclude((await repo.readAllFiles()).map((f) => f.path), 'empty.txt')
  })

  test('three applies make three commits with their messages and trailers', async ({ assert }) => {
    const repo = await newRepository()
    const kinds = ['ai-turn', 'manual-edit', 'ai-turn'] as const
    const versions: string[] = []
    for (const [index, kind] of kinds.entries()) {
      const result = await repo.applyChanges(
        [{ op: 'write', path: `file${index}.txt`, content: `${index}\n` }],
        meta(`Change ${index}\nWhy it was made.`, { kind, turn: `t-${index}` })
      )
      versions.push(result.version!)
    }
    assert.equal((await git(repo, 'rev-list', '--count', 'main')).trim(), '3')

    const listed = await repo.versions()
    assert.deepEqual(
      listed.map((v) => [v.version, v.parent, v.message, v.kind, v.turn]),
      [
        [versions[2], versions[1], 'Change 2', 'ai-turn', 't-2'],
        [versions[1], versions[0], 'Change 1', 'manual-edit', 't-1'],
        [versions[0], null, 'Change 0', 'ai-turn', 't-0'],
      ]
    )
    assert.deepEqual(listed[0].author, { name: 'Ada Lovelace', email: 'ada@example.com' })
    assert.deepEqual(listed[0].stats, { files: 1, additions: 1, deletions: 0 })
    assert.match(listed[0].date, /^\d{4}-\d\d-\d\dT/)

    const raw = await git(repo, 'log', '-1', '--format=%B%n--%n%an <%ae>%n%cn <%ce>', versions[1])
    assert.equal(
      raw,
      'Change 1\n\nWhy it was made.\n\nXbasis-Kind: manual-edit\nXbasis-Turn: t-1\n\n' +
        '--\nAda Lovelace <ada@example.com>\nxBasis <xbasis@localhost>\n'
    )

    // Paging: the versions before the newest one.
    const page = await repo.versions({ limit: 1, before: versions[2] })
    assert.deepEqual(page.map((v) => v.version), [versions[1]])
    assert.deepEqual(await repo.versions({ before: versions[0] }), [])
  })

  test('commit details are cleaned or refused', async ({ assert }) => {
    const repo = await newRepository()
    const result = await repo.applyChanges(
      [{ op: 'write', path: 'a', content: 'a' }],
      { message: '  \u0007Ding\u001b[31m red  ', author: { name: 'Eve <evil@x>\nInjected: yes', email: 'eve@example.com' } }
    )
    const [version] = await repo.versions()
    assert.equal(version.version, result.version)
    assert.equal(version.message, 'Ding [31m red')
    assert.equal(version.author.name, 'Eve evil@x Injected: yes')
    await assert.rejects(
      () => repo.applyChanges([], meta('x', { turn: 'bad turn\nXbasis-Kind: restore' })),
      /turn id/
    )
    await assert.rejects(() => repo.applyChanges([], { message: 'x', author: { name: '', email: 'a@b' } }), /author name/)
  })

  test('edit replaces exactly one occurrence, literally', async ({ assert }) => {
    const repo = await newRepository()
    await repo.applyChanges(
      [
        { op: 'write', path: 'a.ts', content: 'const a = 1\nconst b = 1\n' },
        { op: 'write', path: 'img.png', content: Buffer.from([0x89, 0x50, 0, 0x47]) },
      ],
      meta('init')
    )
    const result = await repo.applyChanges(
      [
        { op: 'edit', path: 'a.ts', search: 'const a = 1', replace: 'const a = "$&$1"' },
        { op: 'edit', path: 'a.ts', search: 'const z', replace: 'x' },
        { op: 'edit', path: 'a.ts', search: 'const', replace: 'let' },
        { op: 'edit', path: 'img.png', search: 'P', replace: 'Q' },
        { op: 'edit', path: 'nope.ts', search: 'a', replace: 'b' },
        { op: 'edit', path: 'a.ts', search: '', replace: 'b' },
      ],
      meta('edits')
    )
    assert.deepEqual(result.applied, ['edit a.ts'])
    assert.deepEqual(
      result.refused.map((r) => [r.index, r.path, r.reason]),
      [
        [1, 'a.ts', 'a.ts: the text to replace was not found'],
        [2, 'a.ts', 'a.ts: the text to replace appears more than once; include more of the surrounding lines'],
        [3, 'img.png', 'img.png is not a text file; write it whole instead'],
        [4, 'nope.ts', 'nope.ts does not exist'],
        [5, 'a.ts', 'a.ts: the text to search for is empty'],
      ]
    )
    assert.equal(await text(repo, 'a.ts'), 'const a = "$&$1"\nconst b = 1\n')
  })

  test('operations run in order; refused ones are skipped, the rest is committed', async ({ assert }) => {
    const repo = await newRepository()
    await repo.applyChanges([{ op: 'write', path: 'a', content: 'file a' }], meta('init'))
    const result = await repo.applyChanges(
      [
        { op: 'write', path: 'new.txt', content: 'one two' },
        { op: 'edit', path: 'new.txt', search: 'two', replace: 'three' },
        { op: 'rename', from: 'a', to: 'a/inside' },
        { op: 'write', path: '../escape', content: 'x' },
        { op: 'delete', path: 'ghost' },
        { op: 'rename', from: 'new.txt', to: 'docs/new.txt' },
      ],
      meta('mixed')
    )
    assert.isTrue(result.committed)
    assert.deepEqual(result.applied, [
      'write new.txt',
      'edit new.txt',
      'rename a -> a/inside',
      'rename new.txt -> docs/new.txt',
    ])
    assert.deepEqual(result.refused.map((r) => r.index), [3, 4])
    assert.deepEqual(
      (await repo.listFiles()).map((f) => f.path),
      ['a/inside', 'docs/new.txt']
    )
    assert.equal(await text(repo, 'docs/new.txt'), 'one three')

    // Back from a folder to a file of the same name.
    await repo.applyChanges([{ op: 'rename', from: 'a/inside', to: 'a' }], meta('back'))
    assert.equal(await text(repo, 'a'), 'file a')
  })

  test('nothing to commit: all refused, or no real change', async ({ assert }) => {
    const repo = await newRepository()
    const first = await repo.applyChanges([{ op: 'write', path: 'a', content: 'same' }], meta('init'))
    const refusedOnly = await repo.applyChanges([{ op: 'delete', path: 'nope' }], meta('nothing'))
    assert.deepEqual([refusedOnly.committed, refusedOnly.version], [false, first.version])
    const same = await repo.applyChanges([{ op: 'write', path: 'a', content: 'same' }], meta('same content'))
    assert.deepEqual([same.committed, same.version, same.applied], [false, first.version, ['write a']])
    const empty = await repo.applyChanges([], meta('empty'))
    assert.isFalse(empty.committed)
    assert.equal((await git(repo, 'rev-list', '--count', 'main')).trim(), '1')
  })

  test('versions are only ever full or short hex shas', async ({ assert }) => {
    const repo = await newRepository()
    const { version } = await repo.applyChanges([{ op: 'write', path: 'a', content: 'a' }], meta('init'))
    for (const bad of ['HEAD', 'main', 'HEAD~1', '--all', `${version}^`, '0000000', 'zzzz']) {
      await assert.rejects(() => repo.listFiles(bad), VersionNotFoundError)
    }
    await assert.rejects(() => repo.readFile('../etc/passwd'), InvalidPathError)
  })

  test('diff of a version against its parent, per file with counts; binary noted', async ({ assert }) => {
    const repo = await newRepository()
    const first = await repo.applyChanges(
      [
        { op: 'write', path: 'a.txt', content: 'one\ntwo\nthree\n' },
        { op: 'write', path: 'old name.txt', content: 'stays the same\n'.repeat(5) },
        { op: 'write', path: 'gone.txt', content: 'bye\n' },
        { op: 'write', path: 'pic.bin', content: Buffer.from([0, 1, 2]) },
      ],
      meta('first')
    )
    const second = await repo.applyChanges(
      [
        { op: 'edit', path: 'a.txt', search: 'two\n', replace: 'TWO\n2\n' },
        { op: 'rename', from: 'old name.txt', to: 'dir/new "name".txt' },
        { op: 'delete', path: 'gone.txt' },
        { op: 'write', path: 'pic.bin', content: Buffer.from([0, 9, 9, 9]) },
        { op: 'write', path: 'added.md', content: '# hi\n' },
      ],
      meta('second')
    )
    const diff = await repo.diff(second.version!)
    assert.equal(diff.parent, first.version)
    const summary = diff.files.map((f) => [f.status, f.path, f.oldPath ?? null, f.added, f.removed, f.binary])
    assert.sameDeepMembers(summary, [
      ['modified', 'a.txt', null, 2, 1, false],
      ['renamed', 'dir/new "name".txt', 'old name.txt', 0, 0, false],
      ['deleted', 'gone.txt', null, 0, 1, false],
      ['modified', 'pic.bin', null, 0, 0, true],
      ['added', 'added.md', null, 1, 0, false],
    ])
    const edited = diff.files.find((f) => f.path === 'a.txt')!
    assert.include(edited.patch, '@@ -1,3 +1,4 @@')
    assert.include(edited.patch, '-two\n+TWO\n+2\n')
    assert.include(diff.files.find((f) => f.path === 'pic.bin')!.patch, 'Binary files')

    const root = await repo.diff(first.version!)
    assert.isNull(root.parent)
    assert.deepEqual(root.files.map((f) => f.status), ['added', 'added', 'added', 'added'])
  })

  test('restore makes a new commit with the old tree and keeps the history', async ({ assert }) => {
    const repo = await newRepository()
    const v1 = await repo.applyChanges(
      [
        { op: 'write', path: 'a.txt', content: 'v1' },
        { op: 'write', path: 'keep/b.txt', content: 'b' },
      ],
      meta('v1')
    )
    await repo.applyChanges(
      [
        { op: 'write', path: 'a.txt', content: 'v2' },
        { op: 'delete', path: 'keep/b.txt' },
        { op: 'write', path: 'c.txt', content: 'c' },
      ],
      meta('v2')
    )
    const restored = await repo.restore(v1.version!, meta('Restore v1', { turn: 'r-1' }))
    assert.isTrue(restored.committed)
    assert.equal(await repo.head(), restored.version)
    assert.equal(
      (await git(repo, 'rev-parse', `${restored.version}^{tree}`)).trim(),
      (await git(repo, 'rev-parse', `${v1.version}^{tree}`)).trim()
    )
    const [latest, ...older] = await repo.versions()
    assert.deepEqual([latest.kind, latest.message, latest.turn], ['restore', 'Restore v1', 'r-1'])
    assert.deepEqual(older.map((v) => v.message), ['v2', 'v1'])
    assert.include(await git(repo, 'log', '-1', '--format=%B'), `Xbasis-Restored-From: ${v1.version}`)
    assert.deepEqual(await repo.listFiles(), await repo.listFiles(v1.version!))

    const again = await repo.restore(v1.version!, meta('Restore again'))
    assert.deepEqual(again, { version: restored.version!, committed: false })
    await assert.rejects(() => repo.restore('abcdef1234', meta('x')), VersionNotFoundError)
  })

  test('export zip holds the files of a version', async ({ assert }) => {
    const repo = await newRepository()
    const v1 = await repo.applyChanges(
      [
        { op: 'write', path: 'index.html', content: '<p>zip me</p>' },
        { op: 'write', path: 'src/deep/x.ts', content: 'x' },
        // In the tree, these attributes would drop files from the zip; the repository overrides them.
        { op: 'write', path: '.gitattributes', content: '*.ts export-ignore\n' },
      ],
      meta('v1')
    )
    await repo.applyChanges([{ op: 'write', path: 'later.txt', content: 'later' }], meta('v2'))

    const collect = async (version?: string, prefix?: string) => {
      const chunks: Buffer[] = []
      for await (const chunk of await repo.exportZip(version, { prefix })) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks)
    }
    const zip = await collect(undefined, 'site')
    assert.includeMembers(zipEntries(zip), ['site/index.html', 'site/src/deep/x.ts', 'site/later.txt'])
    assert.notInclude(zipEntries(await collect(v1.version!)), 'later.txt')

    const file = join(repo.root, 'export.zip')
    await writeFile(file, zip)
    const unzip = await run('unzip', ['-p', file, 'site/index.html']).catch(() => null)
    if (unzip) assert.equal(unzip.stdout, '<p>zip me</p>')
    await assert.rejects(() => repo.exportZip('deadbeef'), VersionNotFoundError)
  })

  test('concurrent applies on one project are serialized: no change is lost', async ({ assert }) => {
    const repo = await newRepository()
    const other = new ProjectRepository(repo.root, repo.projectId)
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? other : repo).applyChanges([{ op: 'write', path: `f${i}.txt`, content: String(i) }], meta(`c${i}`))
      )
    )
    assert.isTrue(results.every((r) => r.committed))
    assert.lengthOf(new Set(results.map((r) => r.version)), 6)
    assert.equal((await git(repo, 'rev-list', '--count', 'main')).trim(), '6')
    assert.lengthOf(await repo.listFiles(), 6)
  })

  test('a commit from another process in between is a conflict, and nothing is lost', async ({ assert }) => {
    const repo = await newRepository()
    const base = await repo.applyChanges([{ op: 'write', path: 'a', content: 'a' }], meta('base'))
    const foreign = await repo.applyChanges([{ op: 'write', path: 'b', content: 'b' }], meta('foreign'))
    await git(repo, 'update-ref', 'refs/heads/main', base.version!)

    // Just before our update-ref, "another process" moves main (here: plain git).
    const racing = new ProjectRepository(repo.root, repo.projectId, {
      hooks: { beforeUpdateRef: () => git(repo, 'update-ref', 'refs/heads/main', foreign.version!).then(() => {}) },
    })
    await assert.rejects(
      () => racing.applyChanges([{ op: 'write', path: 'c', content: 'c' }], meta('loser')),
      RepositoryConflictError
    )
    assert.equal(await repo.head(), foreign.version)
    assert.isNull(await repo.readFile('c'))
    const next = await repo.applyChanges([{ op: 'write', path: 'c', content: 'c' }], meta('retry'))
    assert.deepEqual((await repo.listFiles(next.version!)).map((f) => f.path), ['a', 'b', 'c'])
  })
})
