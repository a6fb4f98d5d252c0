/**
 * The deploy-target contract: what a `deploy-target` plugin implements to
 * turn a project version (its files, already on disk) into a running app
 * at a URL.
 *
 *   const handle = await target.deploy(input, (line) => ...)   // resolves once the app is live
 *   await target.status(handle)    // { state: 'live' | 'failed' | ..., reason? }
 *   await target.logs(handle, { since })
 *   await target.stop(handle)      // the app stops answering; its files stay
 *   await target.destroy(handle)   // stops it and removes everything the target made for it
 *   await target.resume?.(handle, (line) => ...)   // after a platform restart: the app again, resolves once live
 *
 * Rules the platform relies on:
 *
 * - `deploy` resolves with a handle only when the app answers `GET /health`
 *   at `handle.url`. When it cannot get there (the build fails, the app exits
 *   at start, /health never answers in time) it rejects with a `DeployError`
 *   whose message is meant for the user and quotes the app's last output; the
 *   error carries the handle when the target made one, so `status`, `logs`
 *   and `destroy` still work on it.
 * - The handle is plain JSON (`data` included): the platform stores it and
 *   may hand it back after a restart of its own, to a freshly built driver.
 *   Every method must accept such a handle; `status` of a deployment the
 *   target no longer knows answers `stopped` with a reason, never throws.
 * - Build output (installing dependencies) and the app's stdout/stderr are
 *   `LogLine`s: passed to the `log` callback as they happen, and kept for
 *   `logs()`.
 * - The app gets exactly the environment it is given (`input.env`) plus
 *   `PORT`, `HOST` and `NODE_ENV`; never the platform's own variables.
 * - The app listens on `PORT` and answers `GET /health` with a 2xx.
 * - `resume` (targets whose apps stop, or may stop, with the platform:
 *   process, docker) brings back, after a restart of the platform, an app
 *   that was live before it: from what the target kept of the deployment
 *   (its folder, its container), never from the version's files again. It
 *   resolves with the handle to store from then on (the port may have
 *   changed) once the app answers `GET /health`, and rejects with a
 *   `DeployError` whose message says why it cannot come back (its folder or
 *   container is gone, it crashes at start). Resuming an app that still runs
 *   re-attaches to it. A target without `resume` is one whose apps do not
 *   depend on the platform's process (Railway, Vercel): the platform leaves
 *   their deployments as they are.
 * - `appName` (optional) names the app across deployments; both environments
 *   share it, and a target that keeps resources per app separates preview
 *   from production itself (Vercel: the deployment target inside one
 *   project; Railway: one service per environment). `destroy` removes the
 *   per-app resources only once nothing of the app's other environment needs
 *   them.
 * - `persistentData` (optional) names the app's data that outlives its
 *   deployments: one per project × environment (previews have their own,
 *   never production's). A target that can keep data gives every deployment
 *   of that key the same place (process: a folder under DATA_DIR; docker: a
 *   named volume), tells the app where it is in `XBASIS_DATA_DIR`, and keeps
 *   it through stop, destroy, redeploys and rollbacks. Only `destroyData`
 *   (called when the project is deleted) removes it. A target that cannot
 *   keep data ignores the field; the platform says so to the user (see
 *   #deploy/data_persistence).
 */

export type DeployEnvironment = 'preview' | 'production'

export type DeployInput = {
  /** The platform's id of this deployment: letters, digits, `-` and `_`. */
  deploymentId: string
  /** The version's files, already on disk. The target never modifies them. */
  appDir: string
  /** Variables the app gets, in addition to PORT, HOST and NODE_ENV. */
  env: Record<string, string>
  environment: DeployEnvironment
  /** The platform's id of the project, for labels and names on the target (optional). */
  projectId?: string
  /**
   * A stable name for the app across its deployments (letters, digits, `-`),
   * the same for preview and production: remote targets name what they keep
   * per app after it (a Vercel project, a Railway project and services) and
   * reuse it on the next deployment. Absent: the target falls back to
   * `deploymentId` (one set of resources per deployment).
   */
  appName?: string
  /** The app's data location that outlives its deployments (see the rules above). */
  persistentData?: PersistentData
  limits?: {
    /** Memory ceiling of the app's heap, in MB. */
    memoryMb?: number
    /** How long the app has to answer GET /health after it starts. */
    startTimeoutMs?: number
  }
}

/** Letters, digits and `-`, starting with a letter or digit: safe in a path and in a volume name. */
export const DATA_KEY = /^[a-z0-9][a-z0-9-]{0,99}$/

export type PersistentData = {
  /** Names the data of one project × environment on the target (`DATA_KEY`); stable across deployments. */
  key: string
}

export type DeployHandle = {
  /** The target's id of the running app. */
  id: string
  /** Where the app answers. */
  url: string
  port?: number
  /** Anything else the target needs later; JSON-serialisable, stored by the platform. */
  data: Record<string, unknown>
}

/**
 * `starting`: a deployment that was live before the platform restarted,
 * being brought back (`resume`); the platform's own state, targets never
 * report it.
 */
export type DeployState = 'queued' | 'building' | 'deploying' | 'starting' | 'live' | 'failed' | 'stopped'

export type DeployStatus = {
  state: DeployState
  /** Why it is in this state, for the user (always set for `failed`). */
  reason?: string
  /** How often the target restarted the app after a crash, when it supervises it. */
  restarts?: number
}

export type LogLine = {
  /** ISO 8601 timestamp. */
  at: string
  stream: 'build' | 'runtime'
  text: string
}

export type LogOptions = {
  /** Only lines strictly after this ISO timestamp. */
  since?: string
}

export interface DeployTarget {
  deploy(input: DeployInput, log: (line: LogLine) => void): Promise<DeployHandle>
  status(handle: DeployHandle): Promise<DeployStatus>
  logs(handle: DeployHandle, options?: LogOptions): Promise<LogLine[]>
  stop(handle: DeployHandle): Promise<void>
  destroy(handle: DeployHandle): Promise<void>
  /**
   * Optional (targets that keep `persistentData`): removes the data of that
   * key for good. Called once the project is deleted, after `destroy` of its
   * deployments; idempotent (no data: nothing to do).
   */
  destroyData?(key: string): Promise<void>
  /**
   * Optional: after a restart of the platform, starts again (or re-attaches
   * to) the app of a deployment that was live; resolves with its handle once
   * it answers GET /health, rejects with a DeployError saying why it cannot.
   * `log` gets the app's output from then on, as for `deploy`.
   */
  resume?(handle: DeployHandle, log: (line: LogLine) => void): Promise<DeployHandle>
  /**
   * Optional: called when the platform stops. Targets that run apps inside
   * the platform's process tree (process) stop them, so the platform can exit.
   */
  shutdown?(): Promise<void>
}

/**
 * A deploy that failed, or a request the target cannot carry out. The
 * message is shown to the user as it is.
 */
export class DeployError extends Error {
  readonly handle?: DeployHandle

  constructor(message: string, options: { handle?: DeployHandle; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'DeployError'
    this.handle = options.handle
  }
}
