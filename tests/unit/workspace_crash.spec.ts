import { test } from '@japa/runner'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ProjectRepository } from '../../app/workspace/project_repository.js'

/**
 * Crash safety: a child process starts a 500-file apply and is SIGKILLed in
 * the middle (paused by a test hook after its blobs are written, or just
 * before update-ref, or at a random moment). main must still be the previous
 * version (or, for a kill at a random moment, the complete new one), the
 * repository must pass `git fsck`, and the next apply must work.
 */

const run = promisify(execFile)
const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MODULE = new URL('../../app/workspace/project_repository.ts', import.meta.url).href
const FILES = 500
const META = { message: 'next turn', author: { name: 'Test', email: 'test@example.com' } }

/** The child: runs one big apply, optionally pausing forever at a hook (until killed). */
const CHILD_SCRIPT = `
const { ProjectRepository } = await import(process.env.REPOSITORY_MODULE)
const [root, mode, count] = process.argv.slice(2)
setInterval(() => {}, 1 << 30)
const pause = (point) => async () => {
  process.stdout.write(point + '\\n')
  await new Promise(() => {})
}
const hooks = {}
if (mode === 'after-blobs') hooks.afterBlobsWritten = pause('after-blobs')
if (mode === 'before-update-ref') hooks.beforeUpdateRef = pause('before-update-ref')
const repo = new ProjectRepository(root, 'p', { hooks })
const ops = Array.from({ length: Number(count) }, (_, i) => ({
  op: 'write',
  path: 'gen/d' + (i % 25) + '/f' + i + '.txt',
  content: ('generated file ' + i + '\\n').repeat(50),
}))
process.stdout.write('started\\n')
const start = performance.now()
const result = await repo.applyChanges(ops, { message: 'big turn', author: { name: 'Crash', email: 'crash@example.com' } })
process.stdout.write('done ' + result.version + ' ' + Math.round(performance.now() - start) + '\\n')
process.exit(0)
`

const roots: string[] = []
let scriptPath = ''

async function newRepository() {
  const root = await mkdtemp(join(tmpdir(), 'xbasis-ws-crash-'))
  roots.push(root)
  const repo = new ProjectRepository(root, 'p')
  await repo.init()
  await repo.applyChanges(
    [
      { op: 'write', path: 'index.html', content: '<h1>before</h1>' },
      { op: 'write', path: 'gen/d0/f0.txt', content: 'old content' },
    ],
    { ...META, message: 'before the crash' }
  )
  return repo
}

async function git(repo: ProjectRepository, ...args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
  return (await run('git', [`--git-dir=${repo.gitDir}`, ...args], { env })).stdout
}

async function looseObjects(repo: ProjectRepository): Promise<number> {
  return Number(/^count: (\d+)$/m.exec(await git(repo, 'count-objects', '-v'))![1])
}

/** Starts the child apply; `line(prefix)` resolves with the first output line starting with it. */
function startChild(repo: ProjectRepository, mode: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import=ts-node-maintained/register/esm', scriptPath, repo.root, mode, String(FILES)],
    { cwd: APP_ROOT, env: { ...process.env, REPOSITORY_MODULE: MODULE }, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  let errors = ''
  child.stderr!.on('data', (chunk) => (errors += chunk))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = output.split('\n').find((l) => l.startsWith(prefix))
        if (found) resolve(found)
      }
      child.stdout!.on('data', (chunk) => {
        output += chunk
        check()
      })
      check()
      void exited.then(() => reject(new Error(`child exited before "${prefix}": ${output}${errors}`)))
    })
  const kill = async () => {
    child.kill('SIGKILL')
    await exited
  }
  return { line, kill, exited }
}

/** The checks after any crash: main intact, repository sound, next apply fine. */
async function assertRecovered(assert: any, repo: ProjectRepository, before: string) {
  const head = (await repo.head())!
  await git(repo, 'fsck', '--full', '--strict')
  const files = await repo.listFiles()
  if (head === before) {
    assert.deepEqual(files.map((f) => f.path), ['gen/d0/f0.txt', 'index.html'])
    assert.equal((await repo.readFile('gen/d0/f0.txt'))!.toString(), 'old content')
  } else {
    // The kill came after update-ref: the whole turn is there, not part of it.
    assert.equal((await git(repo, 'rev-parse', `${head}^`)).trim(), before)
    assert.lengthOf(files, FILES + 1)
  }
  // fsck checked every object; reading a sample checks the service's view of them.
  for (const file of files.filter((_, index) => index % 20 === 0)) assert.isNotNull(await repo.readFile(file.path))
  const next = await repo.applyChanges([{ op: 'write', path: 'after.txt', content: 'after' }], META)
  assert.isTrue(next.committed)
  assert.equal((await git(repo, 'rev-parse', `${next.version}^`)).trim(), head)
  return head
}

test.group('Project repository | crash safety', (group) => {
  group.setup(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xbasis-ws-crash-script-'))
    roots.push(dir)
    scriptPath = join(dir, 'apply_child.mjs')
    await writeFile(scriptPath, CHILD_SCRIPT)
  })
  group.teardown(async () => {
    await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  })

  test('killed after writing its blobs: main untouched', async ({ assert }) => {
    const repo = await newRepository()
    const before = (await repo.head())!
    const objectsBefore = await looseObjects(repo)
    const child = startChild(repo, 'after-blobs')
    await child.line('after-blobs')
    assert.isAtLeast((await looseObjects(repo)) - objectsBefore, FILES, 'the blobs were really written')
    await child.kill()
    assert.equal(await repo.head(), before)
    await assertRecovered(assert, repo, before)

    // The killed apply's scratch folder stays in the repository until maintain() finds it old enough.
    const scratch = async () => (await readdir(repo.gitDir)).filter((name) => name.startsWith('xbasis-apply-'))
    const [left] = await scratch()
    assert.exists(left)
    await repo.maintain()
    assert.deepEqual(await scratch(), [left], 'a recent one may belong to a running apply')
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000)
    await utimes(join(repo.gitDir, left), twoHoursAgo, twoHoursAgo)
    await repo.maintain()
    assert.deepEqual(await scratch(), [])
    await git(repo, 'fsck', '--full')
  }).timeout(60_000)

  test('killed just before update-ref: the commit exists, main untouched', async ({ assert }) => {
    const repo = await newRepository()
    const before = (await repo.head())!
    const child = startChild(repo, 'before-update-ref')
    await child.line('before-update-ref')
    await child.kill()
    assert.equal(await repo.head(), before)
    await assertRecovered(assert, repo, before)
  }).timeout(60_000)

  test('killed at random moments: main is the old version or the whole new one', async ({ assert }) => {
    const repo = await newRepository()
    const finished = startChild(repo, 'none')
    const done = await finished.line('done')
    // Reported with the test: how long the 500-file apply took in a fresh process.
    console.log(`      500-file apply in a child process: ${done.split(' ')[2]} ms`)
    await finished.exited

    for (const delay of [0, 30, 100, 250, 600]) {
      const fresh = await newRepository()
      const before = (await fresh.head())!
      const child = startChild(fresh, 'none')
      await child.line('started')
      await new Promise((resolve) => setTimeout(resolve, delay))
      await child.kill()
      // A git command the child had started may still be finishing: let it.
      await new Promise((resolve) => setTimeout(resolve, 300))
      await assertRecovered(assert, fresh, before)
    }
  }).timeout(120_000)
})
