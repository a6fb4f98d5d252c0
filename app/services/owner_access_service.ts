import { createHmac, randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { Exception } from '@adonisjs/core/exceptions'
import Deployment from '#models/deployment'
import type Project from '#models/project'
import type User from '#models/user'
import { appName } from '#lib/app_urls'
import ProjectFilesService from '#services/project_files_service'
import ProjectEnvService, { projectEnv, type DeployEnvironment } from '#services/project_env_service'
import { CONFIG_FILE, ModuleError, composeApp, loadCatalogue } from '#modules/composer'
import { ownerPages, type OwnerPage } from '#modules/owner_pages'

/** How long a one-click owner link can be followed. It works once. */
export const OWNER_LINK_SECONDS = 120
/** The generated app's owner pages are protected by this generated secret. */
const ADMIN_SECRET = 'ADMIN_PASSWORD'
const KEY_LABEL = 'xbasis owner link v1'

/** Errors carry their HTTP answer. */
export class OwnerAccessError extends Exception {
  constructor(message: string, status: number, code: string) {
    super(message, { status, code })
  }
}

/**
 * Signs a one-time owner link for a generated app. The app checks it in
 * plugins/modules/app-base/files/lib/admin_auth.js (the format is described
 * there): base64url(JSON claims) "." base64url(HMAC-SHA256), keyed by
 * HMAC-SHA256(ADMIN_PASSWORD, "xbasis owner link v1"). The key is derived from
 * the secret the app already has, so no new secret is needed and rotating the
 * password revokes every link.
 */
export function signOwnerToken(adminPassword: string, claims: { app: string; next: string; exp: number; nonce?: string }) {
  const key = createHmac('sha256', adminPassword).update(KEY_LABEL).digest()
  const payload = Buffer.from(JSON.stringify({ app: claims.app, exp: claims.exp, nonce: claims.nonce ?? randomBytes(16).toString('base64url'), next: claims.next })).toString('base64url')
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`
}

/** A path of the app: "/…", never "//host" or "/\host" (another site to a browser). */
export function isLocalPath(path: string) {
  return /^\/(?![/\\])[^\s\\]{0,500}$/.test(path)
}

/**
 * How a project's owner uses the generated app: the owner pages its modules
 * declare, a short-lived signed link that opens them signed in, and the
 * generated credentials, revealed only after the user confirms their password.
 * Callers have already scoped the project to the user's workspaces (another
 * tenant's project is a 404 before this runs).
 */
export default class OwnerAccessService {
  constructor(private files = new ProjectFilesService()) {}

  /** The owner pages of a version of the project's app (the current one by default). */
  async ownerPages(project: Project, version?: string): Promise<OwnerPage[]> {
    const repo = await this.files.ensureRepository(project)
    const config = await repo.readFile(CONFIG_FILE, version).catch(() => null)
    if (!config) return []
    try {
      const composed = composeApp(await loadCatalogue(), [], { existing: new Map([[CONFIG_FILE, config.toString('utf8')]]), random: () => Buffer.alloc(32) })
      return ownerPages(composed.routes)
    } catch (error) {
      // A config edited by hand into something the composer refuses has no owner pages to list.
      if (error instanceof ModuleError) return []
      throw error
    }
  }

  /** The live deployment of an environment, with its owner pages. */
  async liveApp(project: Project, environment: DeployEnvironment) {
    const deployment = await Deployment.query().where('project_id', project.id).where('environment', environment).where('status', 'live').orderBy('id', 'desc').first()
    if (!deployment || !deployment.url) return null
    return { deployment, url: deployment.url, pages: await this.ownerPages(project, deployment.version) }
  }

  /**
   * A one-time link into the live app of `environment` that signs its
   * visitor in as the owner and leads to `next` (an owner page by default).
   */
  async link(project: Project, environment: DeployEnvironment, next?: string) {
    const live = await this.liveApp(project, environment)
    if (!live) throw new OwnerAccessError(`The ${environment} app is not live: deploy it first`, 409, 'not_live')
    const password = (await projectEnv(project.id, environment))[ADMIN_SECRET]
    if (!password) throw new OwnerAccessError('This app has no owner pages (none of its modules needs the admin password)', 409, 'no_owner_pages')
    if (next !== undefined && !isLocalPath(next)) throw new OwnerAccessError('next must be a path of the app, such as /admin', 422, 'invalid_next')
    const target = next ?? live.pages[0]?.path ?? '/'
    const expiresAt = DateTime.now().plus({ seconds: OWNER_LINK_SECONDS })
    const token = signOwnerToken(password, { app: appName(project, environment), next: target, exp: Math.floor(expiresAt.toSeconds()) })
    return { url: `${live.url.replace(/\/+$/, '')}/__owner?token=${token}`, next: target, expiresAt }
  }

  /**
   * The secrets generated for the app's modules (ADMIN_PASSWORD…), in clear,
   * only for a user who has just typed their own password again. Values the
   * user set per environment are included, each with its scope.
   */
  async revealCredentials(project: Project, user: User, password: string) {
    if (!(await hash.verify(user.password, password))) {
      throw new OwnerAccessError('The password is not correct', 401, 'wrong_password')
    }
    const rows = await new ProjectEnvService().list(project)
    const generated = new Set(rows.filter((row) => row.source === 'module').map((row) => row.name))
    return rows.filter((row) => generated.has(row.name)).map((row) => ({ name: row.name, environment: row.environment, value: row.value }))
  }
}
