import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type Docker from 'dockerode'

/** As in tests/helpers/services.ts (not imported: the deploy benchmark uses this helper outside the app). */
const inCI = ['1', 'true'].includes(String(process.env.CI).toLowerCase())

/**
 * A real Docker engine for the tests of the `docker` deploy target.
 *
 * - DOCKER_HOST set and answering: that engine is used (nothing of it is
 *   stopped; only what the tests made is removed).
 * - Otherwise a private dockerd is started the way .ci/docker.sh does: its
 *   own data and exec roots, pidfile and socket under a short /tmp folder,
 *   its own containerd namespaces, `--bridge=none --iptables=false`, so it
 *   never touches another daemon, docker0 or the host's firewall. Apps need
 *   a published port, so one user-defined bridge network (its interface
 *   named here) is created for them; with no iptables rules the published
 *   ports go through docker-proxy, and the containers reach neither the
 *   internet nor the host's 127.0.0.1 services.
 * - The app base image is imported from the host's node (docker/make-app-base-image.sh,
 *   a second or two): no registry is needed.
 * - No dockerd: the test fails with a message that says how to install it
 *   (in CI and locally alike; never a silent skip).
 *
 * Everything is removed by `stopTestDocker()` (called by the runner's
 * teardown in tests/bootstrap.ts): containers and images labelled by the
 * tests, their data volumes, the network, the daemon and its containerd, leftover mounts, the
 * folder.
 */
export type TestDocker = {
  /** DOCKER_HOST value of the engine. */
  host: string
  docker: Docker
  baseImage: string
  /** Network the apps join. */
  network: string
  /** True when this run started the daemon. */
  private: boolean
  /** The docker plugin's settings for this engine (fast health checks). */
  settings: Record<string, string>
  /** The same, as the env variables the plugin reads (for the platform's DeployService). */
  env: Record<string, string>
}

const BASE_IMAGE = 'xbasis/app-node:test'
let starting: Promise<TestDocker> | null = null
let daemon: { dir: string; child: ChildProcess; bridge: string } | null = null
let made: { network?: string; client?: Docker; since?: number } = {}

function fail(message: string): never {
  throw new Error(`${message}${inCI ? '' : ' (the docker target tests need a Docker engine)'}`)
}

function which(command: string) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim()
}

async function client(host: string) {
  const { default: DockerClient } = await import('dockerode')
  const socketPath = host.startsWith('unix://') ? host.slice('unix://'.length) : undefined
  if (socketPath) return new DockerClient({ socketPath })
  const url = new URL(host.replace(/^tcp:/, 'http:'))
  return new DockerClient({ host: url.hostname, port: Number(url.port || 2375) })
}

async function answers(docker: Docker, ms: number) {
  const deadline = Date.now() + ms
  do {
    try {
      await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))])
      return true
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  } while (Date.now() < deadline)
  return false
}

async function startDaemon(): Promise<string> {
  const dockerd = which('dockerd')
  if (!dockerd) fail('dockerd is not installed: `apt-get install -y docker.io` (.ci/run installs it in CI)')
  // Short path: unix socket paths are limited to 108 bytes.
  const dir = mkdtempSync('/tmp/xbt.')
  const host = `unix://${dir}/docker.sock`
  const ns = `xbt${process.pid}`
  const child = spawn(
    dockerd,
    [
      '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '--pidfile', `${dir}/docker.pid`,
      '-H', host, '--bridge=none', '--iptables=false', '--ip-masq=false', '--ip6tables=false',
      '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-plugins`, '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  let output = ''
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-4000)))
  daemon = { dir, child, bridge: `xbt${process.pid % 100000}` }
  process.once('exit', killDaemonNow)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal)
  const docker = await client(host)
  if (!(await answers(docker, 30_000))) {
    const why = child.exitCode !== null ? `it exited with ${child.exitCode}` : 'it did not answer in 30 s'
    await stopTestDocker()
    fail(`the private dockerd did not start (${why}):\n${output}`)
  }
  return host
}

async function setUp(): Promise<TestDocker> {
  let host = process.env.DOCKER_HOST ?? ''
  let isPrivate = false
  if (!host || !(await answers(await client(host), 3000))) {
    host = await startDaemon()
    isPrivate = true
  }
  const docker = await client(host)
  made.client = docker
  made.since = Math.floor(Date.now() / 1000) - 1

  // A network with a bridge for the published ports: Docker's default one when it has it.
  const networks = (await docker.listNetworks()) as { Name: string; Driver: string }[]
  let network = process.env.DOCKER_APP_NETWORK || ''
  if (!network) {
    if (networks.some((n) => n.Name === 'bridge' && n.Driver === 'bridge')) network = 'bridge'
    else {
      network = `xbasis-test-${process.pid}`
      await docker.createNetwork({
        Name: network,
        Driver: 'bridge',
        Options: { 'com.docker.network.bridge.name': daemon?.bridge ?? `xbt${process.pid % 100000}` },
        Labels: { 'xbasis.test': 'true' },
      })
      made.network = network
    }
  }

  const baseImage = process.env.DOCKER_APP_BASE_IMAGE || BASE_IMAGE
  const present = await docker.getImage(baseImage).inspect().then(() => true, () => false)
  if (!present) {
    const script = join(process.cwd(), 'docker/make-app-base-image.sh')
    const made = spawnSync('bash', [script, baseImage], { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8', timeout: 120_000 })
    if (made.status !== 0) fail(`could not build the app base image ${baseImage}:\n${made.stderr}${made.stdout}`)
  }

  const settings = {
    host,
    base_image: baseImage,
    network,
    // Builds get no network (their npm install only has file: dependencies here).
    build_network: 'none',
    health_interval_ms: '500',
    start_timeout_ms: '60000',
  }
  return {
    host,
    docker,
    baseImage,
    network,
    private: isPrivate,
    settings,
    env: {
      DOCKER_HOST: host,
      DOCKER_APP_BASE_IMAGE: baseImage,
      DOCKER_APP_NETWORK: network,
      DOCKER_BUILD_NETWORK: 'none',
      DOCKER_HEALTH_INTERVAL_MS: '500',
      DOCKER_START_TIMEOUT_MS: '60000',
    },
  }
}

/** The engine for this test run (started once). */
export function testDocker(): Promise<TestDocker> {
  if (!starting) {
    starting = setUp()
    starting.catch(() => (starting = null))
  }
  return starting
}

/** Containers the deploy target made (label xbasis.managed), for leak checks. */
export async function managedContainers(docker: Docker) {
  return (await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['xbasis.managed=true'] }) } as any)) as unknown as Docker.ContainerInfo[]
}

/** Killed by a signal: the daemon goes too (then the usual exit code of that signal). */
function onSignal(signal: NodeJS.Signals) {
  killDaemonNow()
  process.exit(signal === 'SIGINT' ? 130 : 143)
}

function killDaemonNow() {
  if (!daemon) return
  const { dir, child } = daemon
  if (child.exitCode === null) child.kill('SIGKILL')
  const containerd = readPid(join(dir, 'exec/containerd/containerd.pid'))
  if (containerd && cmdlineHas(containerd, dir)) {
    try {
      process.kill(containerd, 'SIGKILL')
    } catch {}
  }
  unmountUnder(dir)
  if (existsSync(`/sys/class/net/${daemon.bridge}`)) spawnSync('ip', ['link', 'delete', daemon.bridge])
  rmSync(dir, { recursive: true, force: true })
  daemon = null
}

function readPid(file: string) {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || null
  } catch {
    return null
  }
}

function cmdlineHas(pid: number, text: string) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)
  } catch {
    return false
  }
}

function unmountUnder(dir: string) {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((path) => path && path.startsWith(`${dir}/`))
    .sort()
    .reverse()
  for (const path of mounts) spawnSync('umount', ['-l', path])
}

/**
 * Removes what the tests made: the apps' containers and images, the
 * network; and, when this run started it, the daemon and all it left.
 */
export async function stopTestDocker() {
  const t0 = Date.now()
  const mark = (what: string) => process.env.XBASIS_DEBUG_DOCKER && console.log(`[test docker] ${what} after ${Date.now() - t0} ms`)
  const pending = starting
  starting = null
  if (pending) await pending.catch(() => null)
  const docker = made.client
  if (docker) {
    // On an engine this run did not start, only what was made during the run.
    const ours = (created: number) => Boolean(daemon) || created >= (made.since ?? 0)
    for (const info of await managedContainers(docker).catch(() => [])) {
      if (ours(info.Created)) await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => {})
    }
    const listed = docker.listImages({ filters: JSON.stringify({ reference: ['xbasis-app'] }) } as any) as unknown as Promise<{ Id: string; Created: number }[]>
    const images = await listed.catch(() => [])
    for (const image of images) if (ours(image.Created)) await docker.getImage(image.Id).remove({ force: true }).catch(() => {})
    // The apps' data volumes (named: removing a container leaves them).
    const volumes = ((await (docker.listVolumes({ filters: JSON.stringify({ label: ["xbasis.managed=true"] }) } as any) as unknown as Promise<any>).catch(() => null)) as any)?.Volumes ?? []
    for (const volume of volumes as { Name: string; CreatedAt?: string }[]) {
      if (ours(Math.floor(Date.parse(volume.CreatedAt ?? '') / 1000) || 0)) await docker.getVolume(volume.Name).remove().catch(() => {})
    }
    if (made.network) await docker.getNetwork(made.network).remove().catch(() => {})
  }
  made = {}
  mark('removed containers, images, network')
  if (!daemon) return
  const { child, dir } = daemon
  if (child.exitCode === null) {
    child.kill('SIGTERM')
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    if (!exited) child.kill('SIGKILL')
  }
  mark('dockerd stopped')
  // Its containerd normally exits with it.
  const containerd = readPid(join(dir, 'exec/containerd/containerd.pid'))
  if (containerd && cmdlineHas(containerd, dir)) {
    try {
      process.kill(containerd, 'SIGTERM')
    } catch {}
    await new Promise((r) => setTimeout(r, 500))
  }
  killDaemonNow()
  process.off('exit', killDaemonNow)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  mark('cleaned up')
}
