import { test } from '@japa/runner'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidRemoteError, PushError } from '../../app/workspace/errors.js'
import { ProjectRepository, type ProjectRepositoryOptions } from '../../app/workspace/project_repository.js'
import { scrub } from '../../app/workspace/git.js'
import { parseAllowedNetworks, resolvePushTarget } from '../../app/workspace/push_network.js'
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

/** The fake git server is on loopback: these repositories allow it, as an operator would (XBASIS_PUSH_ALLOWED_NETWORKS=loopback). */
const LOOPBACK_ALLOWED = parseAllowedNetworks('loopback')

async function newRepository(spawned?: string[][], options: Omit<ProjectRepositoryOptions, 'hooks'> = { pushNetworks: LOOPBACK_ALLOWED }) {
  const root = await mkdtemp(join(tmpdir(), 'xbasis-ws-push-'))
  roots.push(root)
  const repo = new ProjectRepository(root, 'p', { ...options, hooks: { onSpawn: (args) => spawned?.push([...args]) } })
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

  test('an unreachable remote fails with a generic message; git\'s words stay in the detail, without the token', async ({ assert }) => {
    const repo = await newRepository()
    const port = await closedPort()
    const error = (await repo.pushTo(`http://127.0.0.1:${port}/x.git`, TOKEN).catch((caught) => caught)) as PushError
    assert.instanceOf(error, PushError)
    // Not "connection refused": the answer must not tell a prober what listens where.
    assert.equal(error.message, `push to 127.0.0.1:${port} failed: the remote could not be reached, or it is not a git repository that accepts this push`)
    assert.match(error.detail, /Failed to connect|Connection refused|Couldn't connect/i)
    assertNoSecret(assert, `${error.message} ${error.detail} ${error.stack} ${JSON.stringify(error)}`, TOKEN)

    // A server that is not git answers the same way.
    const notGit = createHttpServer((_, res) => res.writeHead(404).end('nothing here'))
    await new Promise<void>((resolve) => notGit.listen(0, '127.0.0.1', resolve))
    try {
      const other = (notGit.address() as { port: number }).port
      const answered = (await repo.pushTo(`http://127.0.0.1:${other}/x.git`, TOKEN).catch((caught) => caught)) as PushError
      assert.equal(answered.message, `push to 127.0.0.1:${other} failed: the remote could not be reached, or it is not a git repository that accepts this push`)
      assert.match(answered.detail, /404|not found/i)
    } finally {
      await new Promise((resolve) => notGit.close(resolve))
    }
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
    const repo = await newRepository(spawned, {})
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

test.group('Project repository | where a push may connect', (group) => {
  group.setup(() => server.start())
  group.teardown(async () => {
    await server.close()
    await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })))
  })

  test('loopback, private, link-local and other non-public addresses are refused in every spelling', async ({ assert }) => {
    const spawned: string[][] = []
    const repo = await newRepository(spawned, {})
    spawned.length = 0
    const before = server.requests.length
    const port = new URL(server.url).port
    const urls = [
      `https://127.0.0.1:${port}/x.git`,
      'https://127.0.0.1:6379/x.git',
      'https://0x7f000001/x.git',
      'https://2130706433/x.git',
      'https://127.1/x.git',
      'https://0177.0.0.1/x.git',
      'https://[::1]/x.git',
      'https://[::ffff:127.0.0.1]/x.git',
      'https://[::ffff:7f00:1]:8443/x.git',
      'https://localhost/x.git',
      'https://0.0.0.0/x.git',
      'https://10.1.2.3/x.git',
      'https://172.16.0.10/x.git',
      'https://192.168.1.1/x.git',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/x.git',
      'https://198.18.0.1/x.git',
      'https://[fd00::1]/x.git',
      'https://[fe80::1]/x.git',
      'https://[64:ff9b::7f00:1]/x.git',
      'https://[2002:7f00:1::]/x.git',
      'https://[::127.0.0.1]/x.git',
      'https://224.0.0.1/x.git',
    ]
    for (const url of urls) {
      const error = (await repo.pushTo(url, TOKEN).catch((caught) => caught)) as Error
      assert.instanceOf(error, InvalidRemoteError, url)
      assert.match(error.message, /not on the public internet/, url)
    }
    // Plain http is refused before anything else when no network is allowed.
    await assert.rejects(() => repo.pushTo(server.url + '/x.git', TOKEN), /unencrypted/)
    assert.deepEqual(spawned.filter((args) => args.includes('push')), [])
    assert.equal(server.requests.length, before, 'nothing reached the loopback server')
  }).timeout(30_000)

  test('a host name is checked after resolution, every address of it, and git connects to the checked address only', async ({ assert }) => {
    const asked: string[] = []
    const answers: Record<string, string[]> = {
      'internal.example': ['127.0.0.1'],
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['93.184.216.34', '10.0.0.7'],
      'mapped.example': ['::ffff:192.168.0.1'],
      // Resolvable only through this lookup: if git resolved the name itself, the push could not connect.
      'pinned.invalid': ['127.0.0.1'],
    }
    const lookup = async (host: string) => {
      asked.push(host)
      return answers[host] ?? []
    }
    const strict = await newRepository(undefined, { lookup })
    for (const host of ['internal.example', 'metadata.example', 'mixed.example', 'mapped.example']) {
      const error = (await strict.pushTo(`https://${host}/x.git`, TOKEN).catch((caught) => caught)) as Error
      assert.instanceOf(error, InvalidRemoteError, host)
      assert.match(error.message, /not on the public internet/, host)
    }
    const unknown = (await strict.pushTo('https://nowhere.example/x.git', TOKEN).catch((caught) => caught)) as Error
    assert.instanceOf(unknown, PushError)
    assert.equal(unknown.message, 'push to nowhere.example failed: its host name could not be resolved')

    const spawned: string[][] = []
    const allowed = await newRepository(spawned, { lookup, pushNetworks: LOOPBACK_ALLOWED })
    const remote = await server.createRepository('pinned')
    const url = remote.url.replace('127.0.0.1', 'pinned.invalid')
    asked.length = 0
    await allowed.pushTo(url, TOKEN)
    assert.deepEqual(asked, ['pinned.invalid'], 'resolved once, by the platform')
    assert.equal((await server.refs('pinned'))['refs/heads/main'], await allowed.head())
    assert.include(spawned.find((args) => args.includes('push')), url)
  }).timeout(30_000)

  test('the operator\'s allowed networks are reached, plain http only inside them', async ({ assert }) => {
    const lookup = async (host: string) => ({ 'public.example': ['93.184.216.34'], 'lan.example': ['10.0.0.7'] })[host] ?? []
    const repo = await newRepository(undefined, { lookup, pushNetworks: parseAllowedNetworks('10.0.0.0/8, loopback') })
    await assert.rejects(() => repo.pushTo('http://public.example/x.git', TOKEN), /unencrypted/)
    await assert.rejects(() => repo.pushTo('https://192.168.0.1/x.git', TOKEN), /not on the public internet/)

    const policy = parseAllowedNetworks('10.0.0.0/8, loopback')
    assert.deepEqual((await resolvePushTarget('http://lan.example:3000/x.git', policy, lookup)), {
      addresses: ['10.0.0.7'],
      withinAllowedNetworks: true,
      config: [['http.curloptResolve', 'lan.example:3000:10.0.0.7']],
    })
    assert.deepEqual(await resolvePushTarget('https://public.example/x.git', policy, lookup), {
      addresses: ['93.184.216.34'],
      withinAllowedNetworks: false,
      config: [['http.curloptResolve', 'public.example:443:93.184.216.34']],
    })
    const v6 = await resolvePushTarget('https://six.example/x.git', policy, async () => ['2606:4700::1111'])
    assert.deepEqual(v6.config, [['http.curloptResolve', 'six.example:443:[2606:4700::1111]']])
    assert.deepEqual((await resolvePushTarget('https://[::1]:8443/x.git', policy)).config, [], 'an address literal needs no pinning')

    assert.lengthOf(parseAllowedNetworks('').allowed, 0)
    assert.lengthOf(parseAllowedNetworks('none').allowed, 0)
    assert.throws(() => parseAllowedNetworks('loopback, intranet'), /"intranet" is not an address, a CIDR range or one of loopback, private/)
    assert.throws(() => parseAllowedNetworks('10.0.0.0/33'), /XBASIS_PUSH_ALLOWED_NETWORKS/)
  }).timeout(30_000)

  test('a short token is scrubbed where it stands as a token, and ordinary words stay whole', async ({ assert }) => {
    const text = 'error: failed to push some refs to https://x-access-token:ail@host/ail.git\nhint: ail rejected; detail: trail'
    assert.equal(
      scrub(text, ['ail']),
      'error: failed to push some refs to https://x-access-token:[redacted]@host/[redacted].git\nhint: [redacted] rejected; detail: trail'
    )
    // A token that starts or ends with punctuation is still found glued to a word.
    assert.equal(scrub('value=x-ab- end', ['-ab-']), 'value=x[redacted] end')
    assert.equal(scrub('a (.*) b', ['(.*)']), 'a [redacted] b', 'regular expression characters are literal')
    assert.equal(scrub('ünder ün', ['ün']), 'ünder [redacted]', 'letters of any script are word characters')
    // Long secrets are removed wherever they are, even inside a word.
    assert.equal(scrub('xxS3cr3t-T0ken-9f8eyy', ['S3cr3t-T0ken-9f8e']), 'xx[redacted]yy')

    // End to end: a push with a short token keeps git's report readable.
    const short = new FakeGitHttpServer({ token: 'in' })
    await short.start()
    try {
      const repo = await newRepository()
      const remote = await short.createRepository('short')
      const result = await repo.pushTo(remote.url, 'in')
      assert.include(result.output, 'refs/heads/main')
      assert.include(result.output, 'Done')
      const wrong = (await repo.pushTo(remote.url, 'no').catch((caught) => caught)) as PushError
      assert.match(wrong.message, /refused the access token/)
      assert.notMatch(wrong.detail, /\[redacted\]\w|\w\[redacted\]/, 'no word was cut open')
    } finally {
      await short.close()
    }
  }).timeout(30_000)
})
