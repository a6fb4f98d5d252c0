import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import plugin from './index.js'
import { createProcessTarget } from './target.js'
import { appIdentity } from './sandbox.js'
import { DeployError, type DeployHandle, type DeployTarget, type LogLine } from '#deploy/contract'
import { DATA_FIXTURE_SERVER, fixtureInput, portClosed, registerDeployTargetContract, waitFor, writeFixtureApp } from '#tests/contracts/deploy_target'

let root = ''
const setup = async () => {
  root = await mkdtemp(join(tmpdir(), 'xbasis-process-target-'))
  // The apps' OS users pass through it to their folders (mkdtemp makes it 700).
  await chmod(root, 0o711)
  return () => rm(root, { recursive: true, force: true })
}

registerDeployTargetContract(
  test,
  'process',
  () => plugin.create({ settings: { data_dir: root, max_memory_mb: '256' }, logger: console as any }),
  { setup, isGone: (handle) => !existsSync(join(root, handle.id)), failTimeoutMs: 2000 }
)

test.group('Process target', (group) => {
  group.setup(setup)
  const running: { target: DeployTarget; handle: DeployHandle }[] = []
  const dirs: string[] = []
  group.each.teardown(async () => {
    for (const { target, handle } of running.splice(0)) await target.destroy(handle).catch(() => {})
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })

  test('is a deploy-target plugin', async ({ assert }) => {
    assert.equal(plugin.id, 'process')
    assert.equal(plugin.kind, 'deploy-target')
  })

  test('resume: after a platform restart a new target starts the app again from its folder, same variables, same port', async ({ assert }) => {
    const before = createProcessTarget({ rootDir: root })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const input = fixtureInput(appDir, { env: { GREETING: 'again' }, persistentData: { key: `resume-${Date.now().toString(36)}` } })
    const handle = await before.deploy(input, () => {})
    const dataDirBefore = ((await (await fetch(`${handle.url}/env`)).json()) as any).env.XBASIS_DATA_DIR
    assert.isString(dataDirBefore)
    // The platform stops (its apps with it); its files and the deploy's input stay.
    await before.shutdown!()
    await rm(appDir, { recursive: true, force: true })
    assert.isTrue(await portClosed(handle.port!))

    const after = createProcessTarget({ rootDir: root })
    const lines: LogLine[] = []
    const resumed = await after.resume!(JSON.parse(JSON.stringify(handle)), (line) => lines.push(line))
    running.push({ target: after, handle: resumed })
    assert.equal(resumed.id, handle.id)
    assert.equal(resumed.port, handle.port, 'the app keeps its address when the port is free')
    assert.equal(await (await fetch(`${resumed.url}/`)).text(), 'hello from the fixture, again')
    assert.deepEqual(await after.status(resumed), { state: 'live', restarts: 0 })
    assert.equal(((await (await fetch(`${resumed.url}/env`)).json()) as any).env.XBASIS_DATA_DIR, dataDirBefore, 'the same data folder')
    assert.isTrue(lines.some((l) => l.text.includes('starting the app again')))
    // The record of the deploy's input (the app's variables) is not readable by the app.
    const record = join(root, '.resume', `${handle.id}.json`)
    assert.isTrue(existsSync(record))
    assert.equal((await stat(record)).mode & 0o077, 0)
    const read = (await (await fetch(`${resumed.url}/read?path=${encodeURIComponent(record)}`)).json()) as any
    assert.deepEqual(read, { read: false, code: 'ERR_ACCESS_DENIED' })
    // Resuming what runs re-attaches to it; destroy removes the record.
    const again = await after.resume!(resumed, () => {})
    assert.equal(again.port, resumed.port)
    await after.destroy(resumed)
    assert.isFalse(existsSync(record))
  }).timeout(30_000)

  test('resume: a removed folder, an app that crashes at start, a start script changed to a shell, an unknown deployment: DeployError with the reason', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root })
    const deployOne = async () => {
      const appDir = await writeFixtureApp()
      dirs.push(appDir)
      const handle = await target.deploy(fixtureInput(appDir), () => {})
      running.push({ target, handle })
      await target.shutdown!()
      return handle
    }
    const gone = await deployOne()
    await rm(join(root, gone.id), { recursive: true, force: true })
    await assert.rejects(() => createProcessTarget({ rootDir: root }).resume!(gone, () => {}), /its folder \(deployments\/[^)]+\/app\) is gone/)

    const crashing = await deployOne()
    await writeFile(join(root, crashing.id, 'app', 'server.js'), "console.error('boom at start'); process.exit(4)\n")
    const error = await createProcessTarget({ rootDir: root }).resume!(crashing, () => {}).catch((e) => e)
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /did not start again after the platform restarted: it exited with code 4/)
    assert.match(error.message, /boom at start/)
    assert.equal(error.handle?.id, crashing.id)

    // The app may write its own folder: the start command is checked again, never taken from it.
    const tampered = await deployOne()
    await writeFile(join(root, tampered.id, 'app', 'package.json'), JSON.stringify({ scripts: { start: 'sh -c "touch /tmp/escaped"' } }))
    await assert.rejects(() => createProcessTarget({ rootDir: root }).resume!(tampered, () => {}), /is not "node <file>"/)

    await assert.rejects(() => target.resume!({ id: '../etc', url: 'http://127.0.0.1:1', data: {} }, () => {}), /no valid handle/)
    await assert.rejects(() => target.resume!({ id: 'never-deployed', url: 'http://127.0.0.1:1', data: {} }, () => {}), /is gone/)
  }).timeout(30_000)

  test('restarts a crashed app with exponential back-off, then gives up', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root, restartBaseMs: 100, restartMaxMs: 1000, maxQuickCrashes: 3 })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const handle = await target.deploy(fixtureInput(appDir), () => {})
    running.push({ target, handle })

    for (const [i, delay] of [100, 200, 400].entries()) {
      await fetch(`${handle.url}/crash`).then((r) => r.text())
      await waitFor('the restart', async () => {
        const status = await target.status(handle)
        return status.state === 'live' && status.restarts === i + 1
      })
      const lines = await target.logs(handle)
      assert.isTrue(lines.some((l) => l.text.includes(`restarting in ${delay} ms`)), `back-off of ${delay} ms`)
      assert.equal((await fetch(`${handle.url}/health`)).status, 200)
    }

    await fetch(`${handle.url}/crash`).then((r) => r.text())
    await waitFor('giving up', async () => (await target.status(handle)).state === 'failed')
    const status = await target.status(handle)
    assert.match(status.reason!, /4 times in a row/)
    assert.match(status.reason!, /crash requested/)
    assert.isTrue(await portClosed(handle.port!))
  }).timeout(30_000)

  test("confines the app's files: it reads its own folder, not the platform's data or other apps", async ({ assert }) => {
    const { writeFileSync } = await import('node:fs')
    const secret = join(root, 'platform-secret.sqlite3')
    writeFileSync(secret, 'the platform database')
    const target = createProcessTarget({ rootDir: root })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const handle = await target.deploy(fixtureInput(appDir), () => {})
    running.push({ target, handle })
    const read = async (path: string) => (await (await fetch(`${handle.url}/read?path=${encodeURIComponent(path)}`)).json()) as any
    assert.deepEqual(await read(secret), { read: false, code: 'ERR_ACCESS_DENIED' })
    assert.deepEqual(await read('/etc/passwd'), { read: false, code: 'ERR_ACCESS_DENIED' })
    assert.deepEqual(await read(join(String(handle.data.dir), 'app', 'server.js')), { read: true }, 'its own files')
  }).timeout(30_000)

  test('applies the memory limit, capped by max_memory_mb', async ({ assert }) => {
    const target = await plugin.create({ settings: { data_dir: root, max_memory_mb: '128' }, logger: console as any })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const small = await target.deploy(fixtureInput(appDir, { limits: { memoryMb: 64 } }), () => {})
    running.push({ target, handle: small })
    const heap = (await (await fetch(`${small.url}/heap`)).json()) as { heapLimitMb: number; execArgv: string[] }
    assert.include(heap.execArgv, '--max-old-space-size=64')
    assert.isBelow(heap.heapLimitMb, 200)

    const big = await target.deploy(fixtureInput(appDir, { limits: { memoryMb: 4096 } }), () => {})
    running.push({ target, handle: big })
    const capped = (await (await fetch(`${big.url}/heap`)).json()) as { execArgv: string[] }
    assert.include(capped.execArgv, '--max-old-space-size=128')
  }).timeout(30_000)

  test('runs npm install when package.json has dependencies, streaming its output', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root })
    const appDir = await writeFixtureApp(
      {
        'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0', type: 'module', main: 'index.js' }),
        'vendor/tiny/index.js': 'export const word = "tiny-dependency-loaded"\n',
        'main.js': "import { word } from 'tiny'\nprocess.env.GREETING = word\nawait import('./server.js')\n",
      },
      { dependencies: { tiny: 'file:./vendor/tiny' }, scripts: { start: 'node main.js' } }
    )
    dirs.push(appDir)
    const seen: LogLine[] = []
    const handle = await target.deploy(fixtureInput(appDir, { limits: { startTimeoutMs: 10_000 } }), (l) => seen.push(l))
    running.push({ target, handle })
    assert.isTrue(seen.some((l) => l.stream === 'build' && l.text.includes('npm install')))
    assert.isTrue(seen.some((l) => l.stream === 'build' && /added 1 package/.test(l.text)), 'npm output is streamed')
    assert.match(await (await fetch(handle.url)).text(), /tiny-dependency-loaded/)
    assert.isFalse(existsSync(join(appDir, 'node_modules')), 'the version’s own files are untouched')
  }).timeout(60_000)

  test('skips npm install without dependencies; `NAME=value node <file>` runs confined, other start scripts are refused', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root, maxMemoryMb: 96 })
    const appDir = await writeFixtureApp({}, { scripts: { start: 'GREETING=assigned node server.js' } })
    dirs.push(appDir)
    const seen: LogLine[] = []
    const handle = await target.deploy(fixtureInput(appDir, { limits: { startTimeoutMs: 10_000 } }), (l) => seen.push(l))
    running.push({ target, handle })
    assert.isFalse(seen.some((l) => l.text.includes('npm install')))
    assert.equal(await (await fetch(handle.url)).text(), 'hello from the fixture, assigned')
    const heap = (await (await fetch(`${handle.url}/heap`)).json()) as { execArgv: string[] }
    assert.includeMembers(heap.execArgv, ['--max-old-space-size=96', '--experimental-permission'])
    await target.stop(handle)
    assert.isTrue(await portClosed(handle.port!))

    // A shell would run any program outside the confinement.
    for (const script of ['node server.js && cat /etc/passwd', 'sh -c "node server.js"', 'npm run serve']) {
      const shell = await writeFixtureApp({}, { scripts: { start: script } })
      dirs.push(shell)
      await assert.rejects(() => target.deploy(fixtureInput(shell), () => {}), /is not "node <file>"/)
    }
  }).timeout(30_000)

  test('npm cannot be made to bring files from outside the app in, nor run scripts', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root })
    const outside = await mkdtemp(join(tmpdir(), 'xbasis-outside-'))
    dirs.push(outside)
    await writeFile(join(outside, 'package.json'), JSON.stringify({ name: 'outside', version: '1.0.0' }))
    await writeFile(join(outside, 'secret.txt'), 'platform secret')
    const cases: [Record<string, unknown>, Record<string, string>, RegExp][] = [
      [{ dependencies: { outside: `file:${outside}` } }, {}, /points outside the app/],
      [{ dependencies: { outside: 'file:../../../../' } }, {}, /points outside the app/],
      [{ dependencies: { remote: 'git+https://example.com/x.git' } }, {}, /not a registry version/],
      [{ dependencies: { remote: 'someone/repo' } }, {}, /not a registry version/],
      [{ dependencies: { tiny: '1.0.0' } }, { 'package-lock.json': JSON.stringify({ packages: { 'node_modules/tiny': { link: true, resolved: outside } } }) }, /outside the app/],
      [{ dependencies: { tiny: '1.0.0' } }, { 'package-lock.json': JSON.stringify({ packages: { 'node_modules/tiny': { resolved: `file:${outside}` } } }) }, /not a registry tarball/],
    ]
    for (const [pkg, files, message] of cases) {
      const appDir = await writeFixtureApp(files, pkg)
      dirs.push(appDir)
      await assert.rejects(() => target.deploy(fixtureInput(appDir), () => {}), message)
    }

    // A dependency inside the app that is itself a link to the outside: refused after install.
    const linked = await writeFixtureApp(
      { 'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0' }), '.npmrc': 'install-links=false\n' },
      { dependencies: { tiny: 'file:./vendor/tiny' }, scripts: { start: 'node server.js', postinstall: `cp ${join(outside, 'secret.txt')} stolen.txt` } }
    )
    dirs.push(linked)
    await symlink(outside, join(linked, 'vendor/tiny/outside'))
    const seen: LogLine[] = []
    await assert.rejects(() => target.deploy(fixtureInput(linked, { limits: { startTimeoutMs: 10_000 } }), (l) => seen.push(l)), /links to files outside its folder/)
    assert.isTrue(seen.some((l) => l.text.includes('--ignore-scripts')))
    assert.isTrue(seen.some((l) => l.text.includes('.npmrc')))
    const working = (await readdir(root)).map((d) => join(root, d, 'app', 'stolen.txt'))
    assert.isFalse(working.some((f) => existsSync(f)), 'the postinstall script did not run')
  }).timeout(60_000)

  test('stop sends SIGTERM, then SIGKILL after the grace period', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root, stopGraceMs: 300 })
    const appDir = await writeFixtureApp(
      { 'stubborn.js': "process.on('SIGTERM', () => console.log('ignoring SIGTERM'))\nawait import('./server.js')\nprocess.removeAllListeners('SIGTERM')\nprocess.on('SIGTERM', () => console.log('ignoring SIGTERM'))\n" },
      { scripts: { start: 'node stubborn.js' } }
    )
    dirs.push(appDir)
    const handle = await target.deploy(fixtureInput(appDir), () => {})
    running.push({ target, handle })
    const started = Date.now()
    await target.stop(handle)
    assert.isAtLeast(Date.now() - started, 250)
    assert.isBelow(Date.now() - started, 3000)
    assert.isTrue(await portClosed(handle.port!))
    assert.equal((await target.status(handle)).state, 'stopped')
    assert.isTrue((await target.logs(handle)).some((l) => l.text.includes('ignoring SIGTERM')))
  }).timeout(30_000)

  test('rejects unsafe deployment ids and a second deploy of a running one', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    await assert.rejects(() => target.deploy(fixtureInput(appDir, { deploymentId: '../escape' }), () => {}), DeployError as any)
    const input = fixtureInput(appDir)
    const handle = await target.deploy(input, () => {})
    running.push({ target, handle })
    await assert.rejects(() => target.deploy(input, () => {}), /already running/)
  }).timeout(30_000)

  test('reads logs back from the log file once the registry forgot the app (platform restart)', async ({ assert }) => {
    const first = createProcessTarget({ rootDir: root })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const handle = await first.deploy(fixtureInput(appDir), () => {})
    running.push({ target: first, handle })
    const stored = JSON.parse(JSON.stringify(handle)) as DeployHandle
    const second = createProcessTarget({ rootDir: root })
    assert.equal((await second.status(stored)).state, 'stopped')
    await waitFor('the log file', async () => (await second.logs(stored)).some((l) => l.text.includes('fixture listening')))
  }).timeout(30_000)

  test('an app printing without end: its log file is rotated, so at most twice the limit stays on disk; the newest lines are read back', async ({ assert }) => {
    const limit = 64 * 1024
    const target = createProcessTarget({ rootDir: root, logFileMaxBytes: limit })
    const appDir = await writeFixtureApp(
      {
        'flood.js': `import http from 'node:http'
const lines = []
for (let i = 1; i <= 20000; i++) lines.push('flood line ' + i)
http.createServer((req, res) => {
  if (req.url === '/flood') { process.stdout.write(lines.join('\\n') + '\\n'); return res.end('printed') }
  res.end('ok')
}).listen(Number(process.env.PORT), process.env.HOST)
`,
      },
      { scripts: { start: 'node flood.js' } }
    )
    dirs.push(appDir)
    const handle = await target.deploy(fixtureInput(appDir), () => {})
    running.push({ target, handle })
    assert.equal(await (await fetch(`${handle.url}/flood`)).text(), 'printed')
    await waitFor('the last line', async () => (await target.logs(handle)).at(-1)?.text === 'flood line 20000')

    const dir = String(handle.data.dir)
    const sizes = await Promise.all(['deploy.log', 'deploy.log.1'].map(async (name) => (await stat(join(dir, name))).size))
    // Each file stops at the limit plus the line that crossed it.
    for (const size of sizes) assert.isBelow(size, limit + 1024)
    assert.isAbove(sizes[1], limit - 1024, 'the previous file was full')

    // Read back from the files by a target that does not know the app (after a platform restart): the newest lines.
    const fromFiles = await createProcessTarget({ rootDir: root }).logs(JSON.parse(JSON.stringify(handle)))
    assert.equal(fromFiles.at(-1)!.text, 'flood line 20000')
    const numbers = fromFiles.filter((line) => line.text.startsWith('flood line ')).map((line) => Number(line.text.slice(11)))
    assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => 20000 - numbers.length + 1 + i))
    assert.isAbove(numbers.length, 100)
  }).timeout(30_000)

  /** The uid and gid the kernel reports for the app's process. */
  const idsOf = async (pid: number) => {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)![1])
    return { uid: field('Uid'), gid: field('Gid') }
  }
  const childPid = async (handle: DeployHandle) => JSON.parse(await readFile(join(String(handle.data.dir), 'owner.json'), 'utf8')).child as number

  test('runs every app as an unprivileged OS user of its own; the platform’s data folder is not readable by it', async ({ assert }) => {
    assert.equal(process.getuid!(), 0, 'these tests run as root, like the platform on these machines')
    const dataDir = await mkdtemp(join(root, 'data-'))
    await writeFile(join(dataDir, 'app.key'), 'platform app key', { mode: 0o644 })
    const target = createProcessTarget({ rootDir: join(dataDir, 'deployments'), dataDir })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const preview = await target.deploy(fixtureInput(appDir, { projectId: '41', environment: 'preview' }), () => {})
    running.push({ target, handle: preview })
    const production = await target.deploy(fixtureInput(appDir, { projectId: '41', environment: 'production' }), () => {})
    running.push({ target, handle: production })
    const other = await target.deploy(fixtureInput(appDir, { projectId: '42', environment: 'preview' }), () => {})
    running.push({ target, handle: other })

    const ids = [await idsOf(await childPid(preview)), await idsOf(await childPid(production)), await idsOf(await childPid(other))]
    assert.deepEqual(ids[0], appIdentity('41', 'preview'))
    assert.deepEqual(ids[1], appIdentity('41', 'production'))
    assert.deepEqual(ids[2], appIdentity('42', 'preview'))
    assert.equal(new Set(ids.map((id) => id.uid)).size, 3, 'one user per app and environment')
    for (const id of ids) assert.isAbove(id.uid, 0)

    // On disk: the app owns its working copy; the platform's files are its own alone.
    const appInfo = await stat(join(String(preview.data.dir), 'app'))
    assert.equal(appInfo.uid, ids[0].uid)
    assert.equal(appInfo.mode & 0o777, 0o700)
    assert.equal((await stat(join(String(preview.data.dir), 'deploy.log'))).mode & 0o077, 0, 'deploy.log is the platform’s')
    assert.equal((await stat(join(dataDir, 'app.key'))).mode & 0o077, 0, 'app.key is no longer readable by others')
    assert.equal((await stat(dataDir)).mode & 0o777, 0o711, 'DATA_DIR cannot be listed')
    assert.match(await (await fetch(preview.url)).text(), /hello from the fixture/)
  }).timeout(30_000)

  test('keeps an app’s data across its deployments in a folder of its own, that only this app may use', async ({ assert }) => {
    const dataDir = await mkdtemp(join(root, 'data-'))
    const target = createProcessTarget({ rootDir: join(dataDir, 'deployments'), dataDir })
    const appDir = await writeFixtureApp({ 'server.js': DATA_FIXTURE_SERVER })
    dirs.push(appDir)
    const production = { projectId: '51', environment: 'production' as const, persistentData: { key: 'p51-abc-production' } }
    const get = async (url: string) => (await fetch(url)).json() as Promise<any>

    const first = await target.deploy(fixtureInput(appDir, production), () => {})
    running.push({ target, handle: first })
    const folder = join(dataDir, 'app-data', 'p51-abc-production')
    assert.deepEqual(await get(`${first.url}/notes`), { dir: folder, notes: [] })
    await get(`${first.url}/write?text=kept`)
    const info = await stat(folder)
    assert.equal(info.uid, appIdentity('51', 'production')!.uid, 'the folder is the app user’s')
    assert.equal(info.mode & 0o777, 0o700)
    assert.equal((await stat(join(dataDir, 'app-data'))).mode & 0o777, 0o711, 'app-data can be passed, not listed')

    // A new deployment (its working copy made afresh) finds the data; the old one is gone with its folder.
    await target.destroy(first)
    const second = await target.deploy(fixtureInput(appDir, production), () => {})
    running.push({ target, handle: second })
    assert.deepEqual((await get(`${second.url}/notes`)).notes, ['kept'])

    // The preview has data of its own, and cannot read production's (permission model and OS user).
    const preview = await target.deploy(fixtureInput(appDir, { projectId: '51', environment: 'preview', persistentData: { key: 'p51-abc-preview' } }), () => {})
    running.push({ target, handle: preview })
    assert.deepEqual((await get(`${preview.url}/notes`)).notes, [])
    assert.deepEqual(await get(`${preview.url}/read?path=${encodeURIComponent(join(folder, 'notes.txt'))}`), { read: false, code: 'ERR_ACCESS_DENIED' })
    // An app without a data key gets none (and cannot name one through its variables).
    const without = await target.deploy(fixtureInput(appDir, { projectId: '52', env: { XBASIS_DATA_DIR: folder } }), () => {})
    running.push({ target, handle: without })
    assert.deepEqual(await get(`${without.url}/read?path=${encodeURIComponent(join(folder, 'notes.txt'))}`), { read: false, code: 'ERR_ACCESS_DENIED' })

    // Keys become paths: only plain ones.
    await assert.rejects(() => target.deploy(fixtureInput(appDir, { persistentData: { key: '../../etc' } }), () => {}), /persistent data key/)
    await assert.rejects(() => target.destroyData!('../deployments'), /persistent data key/)

    // Only destroyData removes it, and not under a running app.
    await assert.rejects(() => target.destroyData!('p51-abc-production'), /still runs on this data/)
    await target.destroy(second)
    assert.isTrue(existsSync(join(folder, 'notes.txt')), 'destroying a deployment keeps the data')
    await target.destroyData!('p51-abc-production')
    assert.isFalse(existsSync(folder))
    await target.destroyData!('p51-abc-production')
  }).timeout(30_000)

  test('handing the working copy to the app user never changes the owner of a file the app links to', async ({ assert }) => {
    const secret = join(root, `platform-secret-${Date.now()}`)
    await writeFile(secret, 'the platform’s', { mode: 0o600 })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    await symlink(secret, join(appDir, 'linked'))
    const target = createProcessTarget({ rootDir: root })
    await assert.rejects(() => target.deploy(fixtureInput(appDir, { projectId: '53' }), () => {}), /links to files outside its folder/)
    assert.equal((await stat(secret)).uid, 0, 'the linked file is still root’s')
  }).timeout(30_000)

  test('refuses variables the runtime interprets, in the environment it is given and in the start script', async ({ assert }) => {
    const target = createProcessTarget({ rootDir: root })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    for (const name of ['OPENSSL_CONF', 'OPENSSL_MODULES', 'SSL_CERT_FILE', 'GCONV_PATH', 'LD_PRELOAD', 'NODE_OPTIONS', 'PREFIX', 'npm_config_globalconfig', 'MALLOC_ARENA_MAX', 'PYTHONPATH', 'HOME']) {
      await assert.rejects(() => target.deploy(fixtureInput(appDir, { env: { [name]: '/tmp/x' } }), () => {}), new RegExp(`cannot hold ${name}: ${name} is reserved`))
    }
    const scripted = await writeFixtureApp({}, { scripts: { start: 'OPENSSL_CONF=openssl.cnf node server.js' } })
    dirs.push(scripted)
    await assert.rejects(() => target.deploy(fixtureInput(scripted), () => {}), /start script sets OPENSSL_CONF: OPENSSL_CONF is reserved: OpenSSL reads it/)
  }).timeout(30_000)

  test('npm install runs as the app’s user with the platform’s npm config, never the project’s variables', async ({ assert }) => {
    // A proxy an attacker would name in the project's variables: npm must never talk to it.
    const listen = async (handler: (url: string) => void) => {
      const server = createServer((req, res) => {
        handler(`${req.method} ${req.url}`)
        res.statusCode = 404
        res.setHeader('content-type', 'application/json')
        res.end('{"error":"Not found"}')
      })
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
      return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }
    }
    const proxied: string[] = []
    const asked: string[] = []
    const proxy = await listen((request) => proxied.push(request))
    const registry = await listen((request) => asked.push(request))
    const proxyUrl = proxy.url
    try {
      // The platform's registry (a fake that knows no package).
      const target = createProcessTarget({ rootDir: root, npmRegistry: `${registry.url}/`, installTimeoutMs: 60_000 })
      const appDir = await writeFixtureApp(
        {
          'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0', type: 'module', main: 'index.js' }),
          'vendor/tiny/index.js': 'export const word = "tiny"\n',
          // What `PREFIX` pointed npm to in the attack: a global npmrc of the app's choosing.
          'prefix/etc/npmrc': `registry=${proxyUrl}/\ncache=/tmp/xbasis-stolen-cache\nlogs-dir=/tmp/xbasis-stolen-logs\n`,
        },
        { dependencies: { tiny: 'file:./vendor/tiny', 'left-pad': '1.3.0' } }
      )
      dirs.push(appDir)
      const seen: LogLine[] = []
      const input = fixtureInput(appDir, { projectId: '43', env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, http_proxy: proxyUrl } })
      await assert.rejects(() => target.deploy(input, (l) => seen.push(l)), /Installing dependencies failed/)
      assert.deepEqual(proxied, [], 'npm did not use the proxy set in the project’s variables')
      assert.isTrue(asked.some((request) => request.includes('left-pad')), 'npm asked the platform’s registry')
      assert.isFalse(existsSync('/tmp/xbasis-stolen-cache'))
      assert.isFalse(existsSync('/tmp/xbasis-stolen-logs'))

      // An install that works: node_modules belongs to the app's user (npm ran as it).
      const local = await writeFixtureApp(
        { 'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0', main: 'index.js' }), 'vendor/tiny/index.js': 'module.exports = 1\n' },
        { dependencies: { tiny: 'file:./vendor/tiny' } }
      )
      dirs.push(local)
      const handle = await target.deploy(fixtureInput(local, { projectId: '43', env: { HTTPS_PROXY: proxyUrl } }), () => {})
      running.push({ target, handle })
      assert.equal((await stat(join(String(handle.data.dir), 'app', 'node_modules'))).uid, appIdentity('43', 'preview')!.uid)
      assert.deepEqual(proxied, [])
    } finally {
      proxy.server.close()
      registry.server.close()
    }
  }).timeout(90_000)
})
