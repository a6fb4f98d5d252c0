import { test } from '@japa/runner'
import { rm } from 'node:fs/promises'
import plugin from './index.js'
import { engineOptions } from './index.js'
import { APP_PORT, DATA_MOUNT, LABEL, dataVolumeName, mapContainerState } from './target.js'
import { validateDefinition } from '#plugins/validate_definition'
import { DeployError, type DeployHandle, type DeployTarget, type LogLine } from '#deploy/contract'
import { DATA_FIXTURE_SERVER, fixtureInput, portClosed, registerDeployTargetContract, waitFor, writeFixtureApp } from '#tests/contracts/deploy_target'
import { testDocker, type TestDocker } from '#tests/helpers/docker'

/**
 * The docker target against a real Docker engine (tests/helpers/docker.ts:
 * DOCKER_HOST, or a private dockerd this run starts and removes).
 */
let engine: TestDocker
const setup = async () => {
  engine = await testDocker()
  return () => {}
}
const make = (extra: Record<string, string> = {}) => plugin.create({ settings: { ...engine.settings, ...extra }, logger: console as any })

const gone = async (handle: DeployHandle) => {
  const container = await engine.docker.getContainer(String(handle.data.container ?? `xbasis-${handle.id}`)).inspect().then(() => true, () => false)
  const image = await engine.docker.getImage(String(handle.data.image)).inspect().then(() => true, () => false)
  return !container && !image
}

registerDeployTargetContract(test, 'docker (real engine)', () => make(), { setup, isGone: gone, failTimeoutMs: 4000, timeoutMs: 60_000 })

test.group('Docker target: definition and state mapping', () => {
  test('is a valid deploy-target plugin whose settings come from DOCKER_HOST and friends', async ({ assert }) => {
    assert.equal(plugin.id, 'docker')
    assert.equal(plugin.kind, 'deploy-target')
    await validateDefinition(plugin, 'docker')
    const envs = Object.fromEntries(plugin.settings!.map((s) => [s.name, s.env]))
    assert.containsSubset(envs, { host: 'DOCKER_HOST', base_image: 'DOCKER_APP_BASE_IMAGE', socket_path: 'DOCKER_SOCKET_PATH' })
    assert.isTrue(plugin.settings!.every((s) => s.scopes?.every((scope) => scope === 'platform')), 'no workspace may point it at another engine')
  })

  test('engine address: socket path, unix:// and tcp:// hosts', ({ assert }) => {
    assert.deepEqual(engineOptions({ socket_path: '/run/d.sock', host: 'tcp://x:1' }).options, { socketPath: '/run/d.sock' })
    assert.deepEqual(engineOptions({ host: 'unix:///tmp/d.sock' }).options, { socketPath: '/tmp/d.sock' })
    assert.deepEqual(engineOptions({ host: 'tcp://10.0.0.5:2376' }).options, { host: '10.0.0.5', port: 2376, protocol: 'http' })
  })

  test("Docker's container states map to the contract's", ({ assert }) => {
    const info = (Status: string, extra: Record<string, unknown> = {}, health?: string) =>
      ({ Id: 'x', RestartCount: 0, State: { Status, Running: Status === 'running', Restarting: Status === 'restarting', OOMKilled: false, ExitCode: 0, ...(health ? { Health: { Status: health, Log: [{ ExitCode: 1, Output: 'ECONNREFUSED' }] } } : {}), ...extra } }) as any
    assert.equal(mapContainerState(info('created')).state, 'deploying')
    assert.equal(mapContainerState(info('running', {}, 'starting')).state, 'deploying')
    assert.equal(mapContainerState(info('running', {}, 'healthy')).state, 'live')
    assert.equal(mapContainerState(info('running')).state, 'live')
    const unhealthy = mapContainerState(info('running', {}, 'unhealthy'))
    assert.equal(unhealthy.state, 'failed')
    assert.match(unhealthy.reason!, /ECONNREFUSED/)
    assert.equal(mapContainerState(info('restarting', { ExitCode: 1 })).state, 'deploying')
    assert.equal(mapContainerState(info('paused')).state, 'stopped')
    assert.equal(mapContainerState(info('removing')).state, 'stopped')
    assert.equal(mapContainerState(info('exited', { ExitCode: 0 })).state, 'stopped')
    assert.equal(mapContainerState(info('exited', { ExitCode: 143 })).state, 'stopped')
    assert.equal(mapContainerState(info('exited', { ExitCode: 1 })).state, 'failed')
    assert.equal(mapContainerState(info('exited', { ExitCode: 1 }), true).state, 'stopped', 'stopped by the platform')
    assert.match(mapContainerState(info('exited', { ExitCode: 137, OOMKilled: true })).reason!, /out of memory/)
    assert.equal(mapContainerState(info('dead')).state, 'failed')
  })
})

test.group('Docker target (real engine)', (group) => {
  group.setup(setup)
  const running: { target: DeployTarget; handle: DeployHandle }[] = []
  const dirs: string[] = []
  group.each.teardown(async () => {
    for (const { target, handle } of running.splice(0)) await target.destroy(handle).catch(() => {})
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })

  test('builds with its dependencies; runs with limits, labels, Init, a health check, non-root, on 127.0.0.1 only', async ({ assert }) => {
    const target = await make({ memory_mb: '256', cpus: '0.5', pids_limit: '64' })
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
    const input = fixtureInput(appDir, { limits: { memoryMb: 128 }, projectId: '42' })
    const handle = await target.deploy(input, (l) => seen.push(l))
    running.push({ target, handle })
    assert.match(handle.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(await (await fetch(handle.url)).text(), /tiny-dependency-loaded/)
    assert.isTrue(seen.some((l) => l.stream === 'build' && /Step \d+\/\d+ : FROM/.test(l.text)), 'build output reaches the callback')
    assert.isTrue(seen.some((l) => l.stream === 'build' && l.text.includes('npm install')))
    assert.isTrue(seen.some((l) => l.stream === 'build' && /added 1 package/.test(l.text)), 'npm output is streamed')

    const info = await engine.docker.getContainer(String(handle.data.container)).inspect()
    assert.equal(info.HostConfig.Memory, 128 * 1024 * 1024)
    assert.equal(info.HostConfig.NanoCpus, 0.5e9)
    assert.equal(info.HostConfig.PidsLimit, 64)
    assert.isTrue(info.HostConfig.Init)
    assert.deepEqual(info.HostConfig.PortBindings![`${APP_PORT}/tcp`], [{ HostIp: '127.0.0.1', HostPort: String(handle.port) }])
    assert.deepEqual(info.NetworkSettings.Ports[`${APP_PORT}/tcp`], [{ HostIp: '127.0.0.1', HostPort: String(handle.port) }])
    assert.containsSubset(info.Config.Labels, { [LABEL]: input.deploymentId, 'xbasis.project': '42', 'xbasis.environment': 'preview', 'xbasis.managed': 'true' })
    assert.equal(info.Config.User, '1000:1000')
    assert.include(info.Config.Healthcheck!.Test!.join(' '), '/health')
    assert.equal(info.State.Health?.Status, 'healthy')

    const logs = await target.logs(handle)
    assert.isTrue(logs.some((l) => l.stream === 'build' && /Successfully built/.test(l.text)), 'build lines are kept')
    assert.isTrue(logs.some((l) => l.stream === 'runtime' && l.text.includes('fixture listening')), 'runtime lines come from the container')
  }).timeout(90_000)

  test('a failed build (HTTP 200 with an error in the stream) fails the deploy with its output', async ({ assert }) => {
    const target = await make()
    const appDir = await writeFixtureApp(
      { 'vendor/tiny/package.json': JSON.stringify({ name: 'tiny', version: '1.0.0' }) },
      { dependencies: { tiny: 'file:./vendor/tiny' }, scripts: { start: 'node server.js', postinstall: 'echo the-postinstall-step-broke >&2; exit 7' } }
    )
    dirs.push(appDir)
    const seen: LogLine[] = []
    const error = await target.deploy(fixtureInput(appDir), (l) => seen.push(l)).catch((e) => e)
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /The image build failed: The command .*npm install.* returned a non-zero code/)
    assert.match(error.message, /the-postinstall-step-broke/, 'the build’s own words')
    assert.isTrue(seen.some((l) => l.stream === 'build' && /the-postinstall-step-broke/.test(l.text)))
    const handle = (error as DeployError).handle!
    running.push({ target, handle })
    assert.equal((await target.status(handle)).state, 'failed')
  }).timeout(60_000)

  test('a base image that is not there (no registry) fails with how to make one', async ({ assert }) => {
    const target = await make({ base_image: 'xbasis/no-such-base:never' })
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const error = await target.deploy(fixtureInput(appDir), () => {}).catch((e) => e)
    assert.instanceOf(error, DeployError)
    assert.match(error.message, /xbasis\/no-such-base:never is not on this Docker engine/)
    assert.match(error.message, /make-app-base-image\.sh/)
    running.push({ target, handle: (error as DeployError).handle! })
  }).timeout(60_000)

  test('keeps an app’s data in a named volume of its own across deployments; destroyData removes it', async ({ assert }) => {
    const target = await make()
    const appDir = await writeFixtureApp({ 'server.js': DATA_FIXTURE_SERVER })
    dirs.push(appDir)
    const key = `t${process.pid}-${Date.now().toString(36)}-production`
    const otherKey = key.replace(/production$/, 'preview')
    const get = async (url: string) => (await fetch(url)).json() as Promise<any>
    const first = await target.deploy(fixtureInput(appDir, { environment: 'production', persistentData: { key } }), () => {})
    running.push({ target, handle: first })
    assert.deepEqual(await get(`${first.url}/notes`), { dir: DATA_MOUNT, notes: [] })
    await get(`${first.url}/write?text=kept`)
    const volume = (await engine.docker.getVolume(dataVolumeName(key)).inspect()) as any
    assert.equal(volume.Labels['xbasis.data'], key)

    // A new deployment (a new image and container) finds the data; the old container is gone.
    await target.destroy(first)
    const second = await target.deploy(fixtureInput(appDir, { environment: 'production', persistentData: { key } }), () => {})
    running.push({ target, handle: second })
    assert.deepEqual((await get(`${second.url}/notes`)).notes, ['kept'])
    // Another key (the preview) starts empty.
    const preview = await target.deploy(fixtureInput(appDir, { persistentData: { key: otherKey } }), () => {})
    running.push({ target, handle: preview })
    assert.deepEqual((await get(`${preview.url}/notes`)).notes, [])

    await assert.rejects(() => target.destroyData!(key), /still used by a container/)
    await target.destroy(second)
    await target.destroy(preview)
    await target.destroyData!(key)
    await target.destroyData!(otherKey)
    await target.destroyData!(key)
    assert.isFalse(await engine.docker.getVolume(dataVolumeName(key)).inspect().then(() => true, () => false), 'the volume is removed')
    await assert.rejects(() => target.deploy(fixtureInput(appDir, { persistentData: { key: 'Bad/Key' } }), () => {}), /persistent data key/)
  }).timeout(120_000)

  test('a crash: Docker restarts the app on the same URL; a stored handle works on a fresh driver (platform restart)', async ({ assert }) => {
    const first = await make()
    const appDir = await writeFixtureApp()
    dirs.push(appDir)
    const handle = await first.deploy(fixtureInput(appDir), () => {})
    running.push({ target: first, handle })
    await fetch(`${handle.url}/crash`).then((r) => r.text())
    await waitFor('the restart', async () => {
      const status = await first.status(handle)
      return status.state === 'live' && (status.restarts ?? 0) >= 1
    }, 60_000)
    assert.equal((await fetch(`${handle.url}/health`)).status, 200, 'the same URL answers again')
    assert.isTrue((await first.logs(handle)).some((l) => l.text.includes('crash requested')))

    await first.shutdown?.()
    const stored = JSON.parse(JSON.stringify(handle)) as DeployHandle
    const second = await make({ pids_limit: '255' }) // other settings: another driver instance
    assert.notStrictEqual(second, first)
    assert.equal((await second.status(stored)).state, 'live', 'the container outlives the platform')
    assert.isTrue((await second.logs(stored)).some((l) => l.text.includes('fixture listening')))
    await second.stop(stored)
    assert.equal((await second.status(stored)).state, 'stopped')
    assert.isTrue(await portClosed(stored.port!))
    const third = await make({ pids_limit: '254' })
    assert.equal((await third.status(stored)).state, 'stopped', 'a stop is a stop for any driver')

    // The platform restarts and the container is not running (a reboot): resume starts it again, on the same URL.
    const lines: LogLine[] = []
    const resumed = await third.resume!(stored, (line) => lines.push(line))
    running.push({ target: third, handle: resumed })
    assert.equal(resumed.url, stored.url)
    assert.equal((await fetch(`${resumed.url}/health`)).status, 200)
    assert.equal((await third.status(resumed)).state, 'live')
    assert.isTrue(lines.some((l) => l.text.includes('starting the container') && l.text.includes('again')))
    // A container that still runs is re-attached to (another fresh driver: the platform restarted again).
    const fourth = await make({ pids_limit: '253' })
    const attached = await fourth.resume!(JSON.parse(JSON.stringify(resumed)), () => {})
    assert.equal(attached.url, resumed.url)
    assert.equal((await fetch(`${attached.url}/health`)).status, 200)
    // A container that is gone cannot come back: the reason says so.
    await engine.docker.getContainer(String(attached.data.container)).remove({ force: true })
    await assert.rejects(() => fourth.resume!(attached, () => {}), /its container no longer exists/)
  }).timeout(180_000)
})
