import { test } from '@japa/runner'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidRemoteError, PushError } from '../../app/workspace/errors.js'
import { ProjectRepository } from '../../app/workspace/project_repository.js'
import { FakeGitHttpServer } from '../fakes/git_http_server.js'

/**
 * Pushing a project to a git remote over smart HTTP, against git's own
 * http-backend. The token must reach the server and nothing else: not argv,
 * not the returned output, not the errors.
 */

const TOKEN = 'xbt_S3cr3t-T0ken-9f8e7d6c5b4a3210'
const WRONG = 'xbt_Wr0ng-T0ken-0123456789abcdef'
const META = { message: 'turn', author: { name: 'Test', email: 'test@example.com' } }

const roots: string[] = []
const server = new FakeGitHttpServer({ token: TOKEN })

/** Every form a token could leak in: raw, and base64 alone or in a Basic header. */
function forms(token: string): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64')
  return [token, b64(token), b64(`x-access-token:${token}`), encodeURIComponent(token)]
}

function assertNoSecret(assert: any, text: string, token: string) {
  for (const form of forms(token)) assert.notInclude(text, form)
}

async function newRepository(spawned?: string[][]) {
  const root = await mkdtemp(join(tmpdir(), 'xbasis-ws-push-'))
  roots.push(root)
  const repo = new ProjectRepository(root, 'p', { hooks: { onSpawn: (args) => spawned?.push([...args]) } })
  await repo.init()
  await repo.applyChanges([{ op: 'write', path: 'index.html', content: '<h1>v1</h1>' }], META)
  await repo.applyChanges([{ op: 'write', path: 'app.js', content: 'console.log(1)' }], META)
  return repo
}

/**
 * Watches the command lines of every process of the machine (what `ps`
 * shows) while a push runs, to catch the token in argv of git's helpers too.
 */
function watchCommandLines() {
  const seen = new Set<string>()
  let running = true
  const loop = (async () => {
    while (running) {
      for (const pid of await readdir('/proc').catch(() => [])) {
        if (!/^\d+$/.test(pid)) continue
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
        if (cmdline.includes('git')) seen.add(cmdline.replace(/\0/g, ' '))
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  return async () => {
    running = false
    await loop
    return [...seen]
  }
}

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as { port: number }).port
  await new Promise((resolve) => probe.close(resolve))
  return port
}

test.group('Project repository | push', (group) => {
  group.setup(() => server.start())
  group.teardown(async () => {
    await server.close()
    await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  })

  test('push with the right token lands the commits; the token is in no argv or output', async ({ assert }) => {
    const spawned: string[][] = []
    const repo = await newRepository(spawned)
    const remote = await server.createRepository('site')

    const result = await repo.pushTo(remote.url, TOKEN)

    assert.deepEqual(await server.refs('site'), { 'refs/heads/main': (await repo.head())! })
    assert.equal(result.version, await repo.head())
    assert.equal(result.branch, 'main')
    assert.include(result.output, 'refs/heads/main')
    assertNoSecret(assert, result.output, TOKEN)
    const push = spawned.find((args) => args.includes('push'))!
    assert.include(push, remote.url)
    for (const args of spawned) assertNoSecret(assert, args.join(' '), TOKEN)
    assert.isTrue(server.requests.some((r) => r.authorized && r.url.includes('git-receive-pack')))

    // A later version fast-forwards the remote; another branch can be targeted.
    await repo.applyChanges([{ op: 'write', path: 'v3.txt', content: '3' }], META)
    await repo.pushTo(remote.url, TOKEN)
    await repo.pushTo(remote.url, TOKEN, { branch: 'deploy/prod' })
    const head = (await repo.head())!
    assert.deepEqual(await server.refs('site'), { 'refs/heads/deploy/prod': head, 'refs/heads/main': head })
  }).timeout(30_000)

  test('the token is on no command line of the machine during a push (what ps shows)', async ({ assert }) => {
    // A server that answers slowly keeps git's helper processes alive long enough to be seen.
    const slow = new FakeGitHttpServer({ token: TOKEN, delayMs: 250 })
    await slow.start()
    try {
      const repo = await newRepository()
      const remote = await slow.createRepository('watched')
      const stopWatching = watchCommandLines()
      await repo.pushTo(remote.url, TOKEN)
      const commandLines = await stopWatching()
      assert.isTrue(
        commandLines.some((line) => line.includes('remote-http') && line.includes(remote.url)),
        'the watch saw git talking to the remote'
      )
      for (const line of commandLines) assertNoSecret(assert, line, TOKEN)
      assert.deepEqual(await slow.refs('watched'), { 'refs/heads/main': (await repo.head())! })
    } finally {
      await slow.close()
    }
  }).timeout(30_000)

  test('a wrong token fails with a message that does not contain it', async ({ assert }) => {
    const repo = await newRepository()
    const remote = await server.createRepository('locked')
    const before = server.requests.length
    const error = await repo.pushTo(remote.url, WRONG).then(
      () => assert.fail('the push should fail'),
      (caught: unknown) => caught
    )
    assert.instanceOf(error, PushError)
    const pushError = error as PushError
    assert.match(pushError.message, /^push to 127\.0\.0\.1:\d+ failed: the remote refused the access token/)
    for (const text of [pushError.message, String(pushError.stack), JSON.stringify(pushError), String(pushError)]) {
      assertNoSecret(assert, text, WRONG)
      assertNoSecret(assert, text, TOKEN)
    }
    assert.isTrue(server.requests.slice(before).every((r) => r.status === 401))
    assert.deepEqual(await server.refs('locked'), {})
  }).timeout(30_000)

  test('an unreachable remote fails without revealing the token', async ({ assert }) => {
    const repo = await newRepository()
    const url = `http://127.0.0.1:${await closedPort()}/x.git`
    const error = (await repo.pushTo(url, TOKEN).catch((caught) => caught)) as Error
    assert.instanceOf(error, PushError)
    assert.match(error.message, /Failed to connect|Connection refused|Couldn't connect/i)
    assertNoSecret(assert, `${error.message} ${error.stack}`, TOKEN)
  }).timeout(30_000)

  test('a push that is not a fast-forward is rejected unless forced', async ({ assert }) => {
    const remote = await server.createRepository('shared')
    const first = await newRepository()
    await first.applyChanges([{ op: 'write', path: 'mine.txt', content: 'first only' }], META)
    await first.pushTo(remote.url, TOKEN)
    const unrelated = await newRepository()
    await unrelated.applyChanges([{ op: 'write', path: 'other.txt', content: 'other history' }], META)

    const error = (await unrelated.pushTo(remote.url, TOKEN).catch((caught) => caught)) as Error
    assert.instanceOf(error, PushError)
    assert.match(error.message, /rejected/)
    assert.equal((await server.refs('shared'))['refs/heads/main'], await first.head())

    await unrelated.pushTo(remote.url, TOKEN, { force: true })
    assert.equal((await server.refs('shared'))['refs/heads/main'], await unrelated.head())
  }).timeout(30_000)

  test('remotes, tokens and branches are checked before anything runs', async ({ assert }) => {
    const spawned: string[][] = []
    const repo = await newRepository(spawned)
    spawned.length = 0
    const refused: Array<[string, string, string, RegExp]> = [
      ['credentials in the URL', 'https://user:hunter2@example.com/a.git', TOKEN, /must not contain credentials/],
      ['token as URL user', 'https://hunter2@example.com/a.git', TOKEN, /must not contain credentials/],
      ['file URL', 'file:///tmp/hunter2.git', TOKEN, /only https/],
      ['local path', '/tmp/hunter2.git', TOKEN, /not a valid URL/],
      ['scp-like ssh', 'git@github.com:hunter2/a.git', TOKEN, /not a valid URL|only https/],
      ['ssh URL', 'ssh://git@github.com/hunter2.git', TOKEN, /only https/],
      ['ext transport', 'ext::sh -c touch% /tmp/hunter2', TOKEN, /spaces|not a valid URL|only https/],
      ['plain http elsewhere', 'http://example.com/hunter2.git', TOKEN, /unencrypted/],
      ['option injection', '--upload-pack=touch /tmp/hunter2', TOKEN, /spaces|not a valid URL/],
      ['line break in token', 'https://example.com/a.git', 'hunter2\r\nX-Evil: 1', /control characters/],
      ['empty token', 'https://example.com/a.git', '', /token is missing/],
    ]
    for (const [label, url, token, reason] of refused) {
      const error = (await repo.pushTo(url, token).catch((caught) => caught)) as Error
      assert.instanceOf(error, InvalidRemoteError, label)
      assert.match(error.message, reason, label)
      assert.notInclude(error.message, 'hunter2', label)
    }
    for (const branch of ['', '-f', 'a..b', 'x.lock', 'a b', '../x', 'refs/../x']) {
      await assert.rejects(() => repo.pushTo('https://example.com/a.git', TOKEN, { branch }), /branch name is not valid/)
    }
    assert.deepEqual(spawned.filter((args) => args.includes('push')), [])
  })
})
