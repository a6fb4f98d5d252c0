import { readFileSync } from 'node:fs'
import { chmod, chown, lchown, lstat, mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { DeployError } from '#deploy/contract'

/**
 * The operating system's part of the process target's confinement. Node's
 * permission model confines what an app's JavaScript may touch; native code
 * (an OpenSSL engine, a preloaded library) runs outside it. So every app also
 * runs as an unprivileged OS user of its own, and the files of the platform
 * are not readable by that user:
 *
 * - platform running as root: each app (project × environment) gets a uid and
 *   gid of its own from a range (`XBASIS_APP_UID_BASE`, default 1,000,000,000:
 *   far above any account or subordinate id range; no /etc/passwd entry is
 *   needed). uid = base + 2 × project id (+ 1 for previews); base itself is
 *   for apps deployed without a project id.
 * - platform not root: `XBASIS_APP_USER` (a user name, `uid` or `uid:gid`)
 *   runs every app as that user; the platform then needs CAP_SETUID, CAP_SETGID
 *   and CAP_CHOWN. Without it apps run as the platform's user and only Node's
 *   permission model separates them (the README says so).
 *
 * On disk: a deployment's folder is the platform's, group the app's, mode 750;
 * its `app/`, `home/` and `tmp/` belong to the app user (700); the platform's
 * own files in it (deploy.log, owner.json) are 600. DATA_DIR becomes 711
 * (others may pass through, never list) and every entry of it that is not on
 * the way to a folder apps must reach loses all group and other permissions:
 * app.key, the database, the project repositories, the logs.
 */
export type AppIdentity = { uid: number; gid: number }

export const DEFAULT_UID_BASE = 1_000_000_000
/** Some tools treat ids as signed 32-bit numbers. */
const MAX_ID = 2 ** 31 - 2

function uidBase(env: NodeJS.ProcessEnv): number {
  const raw = env.XBASIS_APP_UID_BASE
  if (raw === undefined || raw === '') return DEFAULT_UID_BASE
  const base = Number(raw)
  if (!Number.isSafeInteger(base) || base < 10_000 || base > MAX_ID) {
    throw new DeployError(`XBASIS_APP_UID_BASE must be a whole number between 10000 and ${MAX_ID} (it is "${raw}").`)
  }
  return base
}

/** `XBASIS_APP_USER`: a user name from /etc/passwd, a uid, or `uid:gid`. */
function configuredUser(value: string): AppIdentity {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(value)
  if (numeric) return { uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) }
  let passwd = ''
  try {
    passwd = readFileSync('/etc/passwd', 'utf8')
  } catch {}
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':')
    if (name === value && /^\d+$/.test(uid) && /^\d+$/.test(gid)) return { uid: Number(uid), gid: Number(gid) }
  }
  throw new DeployError(`XBASIS_APP_USER names the user "${value}", which this machine does not have.`)
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0

/**
 * The OS user an app runs as, or null when apps run as the platform's own
 * user (not root and no XBASIS_APP_USER). Other parts of the platform that
 * give an app a folder of its own (its persistent data) chown it to this.
 */
export function appIdentity(projectId: string | number | undefined, environment: 'preview' | 'production', env: NodeJS.ProcessEnv = process.env): AppIdentity | null {
  if (!isRoot()) {
    const user = env.XBASIS_APP_USER?.trim()
    return user ? configuredUser(user) : null
  }
  const base = uidBase(env)
  const id = projectId === undefined || projectId === '' ? 0 : Number(projectId)
  if (!Number.isSafeInteger(id) || id < 0) throw new DeployError(`The project id "${projectId}" is not a number.`)
  const uid = id === 0 ? base : base + 2 * id + (environment === 'preview' ? 1 : 0)
  if (uid > MAX_ID) throw new DeployError(`No OS user is left for project ${id}: lower XBASIS_APP_UID_BASE.`)
  return { uid, gid: uid }
}

/**
 * Folders (absolute) that apps must be able to reach below DATA_DIR besides
 * the deployments: the entries of DATA_DIR on the way to them stay passable
 * (711) when DATA_DIR is locked. Whoever registers one makes the folder itself
 * the app's (`chown` to `appIdentity`, mode 700).
 */
const reachable = new Set<string>()
export function allowAppsToReach(path: string) {
  reachable.add(resolve(path))
}

function within(dir: string, path: string) {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * DATA_DIR: others may pass through (711), and every entry not on the way to
 * a folder apps reach is the platform's alone (group and other permissions
 * removed). Run before every deploy: entries made since (a new database
 * file, a project repository folder) are locked too.
 */
export async function lockDataDir(dataDir: string, appRoots: string[]) {
  const root = resolve(dataDir)
  const ways = [...appRoots, ...reachable].map((p) => resolve(p)).filter((p) => within(root, p) && p !== root)
  await chmod(root, 0o711)
  for (const entry of await readdir(root)) {
    const path = join(root, entry)
    const info = await lstat(path).catch(() => null)
    if (!info || info.isSymbolicLink()) continue
    if (ways.some((way) => within(path, way))) {
      if (info.isDirectory()) await chmod(path, (info.mode & 0o700) | 0o011)
      continue
    }
    if ((info.mode & 0o077) !== 0) await chmod(path, info.mode & 0o700)
  }
}

/** Every folder from / down to `dir` must let others pass, or the app user cannot reach its files. */
export async function assertPassable(dir: string) {
  let current = resolve(dir)
  const chain: string[] = []
  while (true) {
    chain.unshift(current)
    const parent = dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const folder of chain) {
    const info = await stat(folder)
    if ((info.mode & 0o001) === 0) {
      throw new DeployError(
        `The apps' OS users cannot reach ${dir}: ${folder} does not let other users pass (chmod o+x ${folder}, or choose another folder with PROCESS_DEPLOY_DIR).`
      )
    }
  }
}

/**
 * Makes `path` (a file or a folder tree, or only the folder itself with
 * `recursive: false`) the app user's. A symbolic link is changed itself
 * (lchown), never the file it points to: the app's files may link anywhere.
 */
export async function giveTo(path: string, identity: AppIdentity, options: { recursive?: boolean } = {}) {
  const info = await lstat(path)
  const change = info.isSymbolicLink() ? lchown : chown
  await change(path, identity.uid, identity.gid).catch((error) => {
    throw new DeployError(
      `The platform cannot hand the app's files to its OS user (uid ${identity.uid}): ${(error as Error).message}. Run the platform as root, or give it CAP_CHOWN, CAP_SETUID and CAP_SETGID.`
    )
  })
  if (info.isDirectory() && !info.isSymbolicLink() && options.recursive !== false) {
    for (const entry of await readdir(path)) await giveTo(join(path, entry), identity)
  }
}

/**
 * The deployment's folder: the platform's, passable for the app's group
 * only; `app/`, `home/` and `tmp/` the app user's.
 */
export async function prepareDeploymentDir(dir: string, identity: AppIdentity) {
  for (const own of ['app', 'home', 'tmp']) {
    await mkdir(join(dir, own), { recursive: true })
    await giveTo(join(dir, own), identity)
    await chmod(join(dir, own), 0o700)
  }
  await chown(dir, process.getuid?.() ?? 0, identity.gid)
  await chmod(dir, 0o750)
}

/**
 * npm's configuration while it installs an app's dependencies: files of the
 * platform's (`--userconfig`, `--globalconfig`), never one the app brings or
 * one `PREFIX`/`HOME` would point npm to.
 */
export async function writeNpmConfig(rootDir: string, registry: string) {
  const dir = join(rootDir, '.npm-config')
  await mkdir(dir, { recursive: true, mode: 0o755 })
  await chmod(dir, 0o755)
  const user = join(dir, 'npmrc')
  const global = join(dir, 'global-npmrc')
  const settings = [
    '# Written by xBasis: the npm settings of every app install (the app’s own .npmrc is removed).',
    `registry=${registry}`,
    'ignore-scripts=true',
    'fund=false',
    'audit=false',
    'update-notifier=false',
    '',
  ].join('\n')
  await writeFile(user, settings, { mode: 0o644 })
  await writeFile(global, '# Written by xBasis: intentionally empty.\n', { mode: 0o644 })
  await chmod(user, 0o644)
  await chmod(global, 0o644)
  return { user, global }
}

/**
 * The variables of the operator's machine npm may need to reach the
 * registry (a proxy, a CA bundle): taken from the platform's environment,
 * never from the project's.
 */
export const NPM_NETWORK_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS']
