import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { ChangeOp } from '../../app/workspace/change_plan.js'
import { pathProblem } from '../../app/workspace/paths.js'
import { ProjectRepository, type ProjectRepositoryOptions } from '../../app/workspace/project_repository.js'

/**
 * Path confinement and limits: every operation that could escape the project,
 * touch git's own files, a locked file or a symbolic link, or exceed a size
 * limit is refused with a reason, and with allOrNothing the project is left
 * exactly as it was.
 */

const run = promisify(execFile)
const roots: string[] = []
const META = { message: 'turn', author: { name: 'Test', email: 'test@example.com' } }
const MIB = 1024 * 1024

async function newRepository(options: ProjectRepositoryOptions = {}) {
  const root = await mkdtemp(join(tmpdir(), 'xbasis-ws-confine-'))
  roots.push(root)
  const repo = new ProjectRepository(root, 'p', options)
  await repo.init()
  await repo.applyChanges(
    [
      { op: 'write', path: 'a.txt', content: 'a' },
      { op: 'write', path: 'src/app.ts', content: 'app' },
      { op: 'write', path: 'config/app.json', content: '{}' },
    ],
    META
  )
  return repo
}

async function git(repo: ProjectRepository, args: string[], input?: string): Promise<string> {
  const env = {
    PATH: process.env.PATH,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_INDEX_FILE: join(repo.root, 'idx'),
    GIT_AUTHOR_NAME: 'Outsider',
    GIT_AUTHOR_EMAIL: 'outsider@example.com',
    GIT_COMMITTER_NAME: 'Outsider',
    GIT_COMMITTER_EMAIL: 'outsider@example.com',
  }
  const child = run('git', [`--git-dir=${repo.gitDir}`, ...args], { env })
  if (input !== undefined) child.child.stdin!.end(input)
  return (await child).stdout.trim()
}

const big = (bytes: number) => Buffer.alloc(bytes, 'x')

/** [label, operation, expected reason]. */
const REFUSED: Array<[string, ChangeOp, RegExp]> = [
  ['parent escape', { op: 'write', path: '../../etc/passwd', content: 'x' }, /may not contain \. or \.\. segments/],
  ['absolute path', { op: 'write', path: '/etc/passwd', content: 'x' }, /must be relative/],
  ['escape in the middle', { op: 'write', path: 'a/../../x', content: 'x' }, /\.\. segments/],
  ['dot segment', { op: 'write', path: './a', content: 'x' }, /\. or \.\. segments/],
  ['windows drive', { op: 'write', path: 'C:/Windows/x', content: 'x' }, /must be relative/],
  ['.git/config', { op: 'write', path: '.git/config', content: 'x' }, /\.git is reserved/],
  ['.GIT/hooks/x', { op: 'write', path: '.GIT/hooks/x', content: 'x' }, /\.git is reserved/],
  ['.git deep down', { op: 'write', path: 'src/sub/.Git/HEAD', content: 'x' }, /\.git is reserved/],
  ['.git. (Windows drops the dot)', { op: 'write', path: '.git./config', content: 'x' }, /\.git is reserved/],
  ['.git as a file', { op: 'write', path: 'src/.git', content: 'x' }, /\.git is reserved/],
  ['backslash', { op: 'write', path: 'a\\b', content: 'x' }, /backslash/],
  ['NUL', { op: 'write', path: 'a\0b', content: 'x' }, /control character/],
  ['line break', { op: 'write', path: 'a\nb', content: 'x' }, /control character/],
  ['empty segment', { op: 'write', path: 'src//b', content: 'x' }, /empty folder name/],
  ['trailing slash', { op: 'write', path: 'src/', content: 'x' }, /empty folder name/],
  ['empty path', { op: 'write', path: '', content: 'x' }, /empty/],
  ['300-char path', { op: 'write', path: 'x'.repeat(300), content: 'x' }, /longer than 255 characters/],
  ['21 levels', { op: 'write', path: Array(21).fill('d').join('/'), content: 'x' }, /deeper than 20 folders/],
  ['2 MiB file', { op: 'write', path: 'big.bin', content: big(2 * MIB) }, /2 MiB, over the limit of 1 MiB per file/],
  ['write onto a folder', { op: 'write', path: 'src', content: 'x' }, /src is a folder/],
  ['write under a file', { op: 'write', path: 'a.txt/x', content: 'x' }, /a\.txt is a file/],
  ['locked file', { op: 'write', path: 'config/app.json', content: 'x' }, /config\/app\.json is locked/],
  ['edit of a locked file', { op: 'edit', path: 'config/app.json', search: '{}', replace: '[]' }, /is locked/],
  ['delete of a locked file', { op: 'delete', path: 'config/app.json' }, /is locked/],
  ['rename from a locked file', { op: 'rename', from: 'config/app.json', to: 'x.json' }, /is locked/],
  ['rename onto a locked path', { op: 'rename', from: 'a.txt', to: 'secret.txt' }, /secret\.txt is locked/],
  ['write into a locked folder', { op: 'write', path: 'vault/new.txt', content: 'x' }, /vault\/new\.txt is locked/],
  ['rename onto an existing file', { op: 'rename', from: 'a.txt', to: 'src/app.ts' }, /already exists/],
  ['rename escaping', { op: 'rename', from: 'a.txt', to: '../a.txt' }, /\.\. segments/],
  ['delete a folder', { op: 'delete', path: 'src' }, /is a folder/],
  ['unknown operation', { op: 'chmod', path: 'a.txt' } as unknown as ChangeOp, /unknown operation/],
  ['content missing', { op: 'write', path: 'n.txt' } as unknown as ChangeOp, /content must be text or bytes/],
]

const LOCKED = new Set(['config/app.json', 'secret.txt', 'vault'])

test.group('Project repository | confinement', (group) => {
  group.teardown(async () => {
    await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  })

  test('{label}: refused, and allOrNothing leaves the project unchanged')
    .with(REFUSED.map(([label, op, reason]) => ({ label, op, reason })))
    .run(async ({ assert }, { op, reason }) => {
      const repo = await newRepository()
      const head = await repo.head()
      const files = await repo.listFiles()
      const result = await repo.applyChanges(
        [{ op: 'write', path: 'valid.txt', content: 'fine' }, op],
        META,
        { allOrNothing: true, locked: LOCKED }
      )
      assert.lengthOf(result.refused, 1)
      assert.equal(result.refused[0].index, 1)
      assert.match(result.refused[0].reason, reason)
      assert.deepEqual([result.committed, result.version, result.applied], [false, head, []])
      assert.equal(await repo.head(), head)
      assert.deepEqual(await repo.listFiles(), files)
    })

  test('the total written per turn is limited (default 20 MiB)', async ({ assert }) => {
    const repo = await newRepository()
    const head = await repo.head()
    // 20 files of exactly 1 MiB fit; the 21st does not.
    const ops: ChangeOp[] = Array.from({ length: 21 }, (_, i) => ({ op: 'write', path: `f${i}.bin`, content: big(MIB) }))
    const result = await repo.applyChanges(ops, META, { allOrNothing: true })
    assert.deepEqual(result.refused.map((r) => r.index), [20])
    assert.match(result.refused[0].reason, /more than 20 MiB in one turn/)
    assert.equal(await repo.head(), head)

    // Without allOrNothing, the 20 that fit are committed.
    const partial = await repo.applyChanges(ops, META)
    assert.isTrue(partial.committed)
    assert.lengthOf(partial.applied, 20)
    assert.lengthOf(await repo.listFiles(), 23)
  })

  test('limits are configurable, and an edit counts its result', async ({ assert }) => {
    const repo = await newRepository({ limits: { maxFileBytes: 10, maxTurnBytes: 15 } })
    const result = await repo.applyChanges(
      [
        { op: 'write', path: 'ten.txt', content: '0123456789' },
        { op: 'write', path: 'eleven.txt', content: '01234567890' },
        { op: 'edit', path: 'a.txt', search: 'a', replace: 'abcdef' },
        { op: 'edit', path: 'a.txt', search: 'a', replace: 'abcde' },
      ],
      META
    )
    assert.deepEqual(result.applied, ['write ten.txt', 'edit a.txt'])
    assert.match(result.refused[0].reason, /eleven\.txt would be 11 bytes, over the limit of 10 bytes/)
    assert.match(result.refused[1].reason, /more than 15 bytes in one turn/)
  })

  test('symbolic links are never written through, replaced or created', async ({ assert }) => {
    const repo = await newRepository()
    // A symlink can only come from outside the service: make one with plain git.
    const head = (await repo.head())!
    const target = await git(repo, ['hash-object', '-w', '--stdin'], '/etc/passwd')
    await git(repo, ['read-tree', head])
    await git(repo, ['update-index', '--add', '--cacheinfo', `120000,${target},link`])
    const tree = await git(repo, ['write-tree'])
    const commit = await git(repo, ['commit-tree', tree, '-p', head, '-m', 'symlink'])
    await git(repo, ['update-ref', 'refs/heads/main', commit])

    const result = await repo.applyChanges(
      [
        { op: 'write', path: 'link', content: 'root::0:0' },
        { op: 'edit', path: 'link', search: 'passwd', replace: 'shadow' },
        { op: 'rename', from: 'link', to: 'link2' },
        { op: 'write', path: 'link/inner', content: 'x' },
      ],
      META,
      { allOrNothing: true }
    )
    assert.lengthOf(result.refused, 4)
    for (const refusal of result.refused.slice(0, 3)) assert.match(refusal.reason, /symbolic link/)
    assert.match(result.refused[3].reason, /link is a file/)
    assert.isNull(await repo.readFile('link'), 'the link is not followed or shown')

    // Deleting it is fine: that follows nothing.
    const removed = await repo.applyChanges([{ op: 'delete', path: 'link' }], META)
    assert.isTrue(removed.committed)
    assert.isFalse((await repo.listFiles()).some((file) => file.mode === '120000'))
  })

  test('pathProblem accepts ordinary project paths', ({ assert }) => {
    const fine = ['index.html', 'src/components/Button.tsx', '.gitignore', '.github/workflows/ci.yml', 'docs/é à.md', 'a..b']
    for (const path of [...fine, 'x'.repeat(255)]) {
      assert.isNull(pathProblem(path), path)
    }
  })
})
