import { mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import { errors as lucidErrors } from '@adonisjs/lucid'
import deploy from '#deploy/deploy_manager'
import { DeployError, type DeployEnvironment, type DeployHandle, type DeployTarget, type LogLine } from '#deploy/contract'
import { appDataKey, dataPersistence, ensureDataToken, modulesKeepingData } from '#deploy/data_persistence'
import { CONFIG_FILE, loadCatalogue } from '#modules/composer'
import Deployment from '#models/deployment'
import Project from '#models/project'
import User from '#models/user'
import { dbTime } from '#lib/db_time'
import ProjectFilesService, { FileRequestError } from '#services/project_files_service'
import { projectEnv } from '#services/project_env_service'
import { deployEvents } from '#services/deploy_events'
import { deployLogs, DROPPED_STREAM } from '#services/deploy_log_writer'
import { VersionNotFoundError } from '#workspace/errors'
import { appName, appPathOf, isLoopbackUrl, platformOrigin, publicAppUrl } from '#lib/app_urls'
import { jobQueue } from '#services/platform_queue'
import LimitsService from '#services/limits_service'
import xbasisConfig from '#config/xbasis'

const REPLACED = 'Replaced by a newer deployment'
const SUPERSEDED = 'Not made live: a newer deployment of this environment went live first'
/** The target of a deployment that names none (the editor's buttons, automatic previews). */
export const DEFAULT_DEPLOY_TARGET = 'process'
const RESTARTED = 'The platform restarted: starting the app again'

export function presentDeployment(deployment: Deployment) {
  return {
    id: deployment.id,
    project_id: deployment.projectId,
    environment: deployment.environment,
    status: deployment.status,
    target: deployment.target,
    version: deployment.version,
    url: deployment.url,
    path_url: appPathOf(deployment.url),
    reason: deployment.reason,
    log_lines_dropped: deployment.logLinesDropped ?? 0,
    logs_deleted_at: deployment.logsDeletedAt?.toISO() ?? null,
    // What persists on its target (the editor shows it next to deployments whose data is not kept).
    data_kept: dataPersistence(deployment.target).kept,
    data_note: dataPersistence(deployment.target).note,
    triggered_by: deployment.triggeredBy,
    created_at: deployment.createdAt.toISO(),
    started_at: deployment.startedAt?.toISO() ?? null,
    finished_at: deployment.finishedAt?.toISO() ?? null,
  }
}

/** A stored log line; the `dropped` marker is the one line whose text changes (same id, a new count). */
export function presentLogLine(row: { id: number | string; stream: string; text: string; at: unknown }) {
  return { id: Number(row.id), stream: row.stream, text: row.text, at: row.at }
}

/**
 * Deploys project versions through deploy-target plugins: a deployment is
 * queued, the version's files are exported, the target builds and starts
 * them, and only once the new deployment is live is the previous one of
 * the same environment stopped. Every step is logged to deployment_logs.
 */
export default class DeployService {
  constructor(private files = new ProjectFilesService()) {}

  async create(
    project: Project,
    user: User | null,
    input: { environment?: 'preview' | 'production'; target?: string; version?: string; accept_data_loss?: boolean }
  ) {
    const repo = await this.files.ensureRepository(project)
    const version = input.version ?? (await repo.head())
    if (!version) throw new FileRequestError('The project has no files yet: describe your app in the chat first', 409, 'empty_project')
    try {
      await repo.listFiles(version)
    } catch (error) {
      if (error instanceof VersionNotFoundError) throw new lucidErrors.E_ROW_NOT_FOUND()
      throw error
    }
    const target = input.target ?? DEFAULT_DEPLOY_TARGET
    if (!(await deploy.isUsable(target, project.workspaceId))) {
      throw new FileRequestError(`The deploy target "${target}" is not available`, 422, 'unknown_target')
    }
    // An app whose modules keep data, to a target that keeps none (Vercel functions are stateless): only when the user says so.
    const persistence = dataPersistence(target)
    if (!persistence.kept && input.accept_data_loss !== true) {
      const keeping = modulesKeepingData((await repo.readFile(CONFIG_FILE, version))?.toString('utf8') ?? null, await loadCatalogue())
      if (keeping.length) {
        throw new FileRequestError(
          `This app keeps data (${keeping.join(', ')}). ${persistence.note} To deploy it there anyway, send accept_data_loss: true.`,
          409,
          'data_not_kept'
        )
      }
    }
    const environment = input.environment ?? 'production'
    const deployment = await db.transaction(async (trx) => {
      // The plan's limit of production apps live at once (workspace locked until the insert).
      if (environment === 'production') {
        await new LimitsService().assertCanDeployToProduction(project.workspaceId, project.id, trx)
        // Production apps of a workspace whose balance ran out stay stopped until it is back (ComputeBillingService).
        const workspace = await trx.from('workspaces').where('id', project.workspaceId).select('compute_suspended_at').first()
        if (workspace?.compute_suspended_at) {
          throw new FileRequestError(
            'The production apps of this workspace are stopped because its balance ran out. Top up on the Billing page (or ask your administrator for balance): they start again by themselves once the balance covers them.',
            402,
            'balance_exhausted'
          )
        }
      }
      return Deployment.create({ projectId: project.id, triggeredBy: user?.id ?? null, environment, status: 'queued', target, version }, { client: trx })
    })
    await jobQueue().enqueue({ kind: 'deploy', deploymentId: deployment.id })
    return deployment
  }

  /**
   * A line of the platform's own (always kept), written before this returns,
   * after the target's lines queued before it (see DeployLogWriter).
   */
  async log(deploymentId: number, line: Pick<LogLine, 'stream' | 'text'>) {
    deployLogs.append(deploymentId, line, 'platform')
    await deployLogs.flush(deploymentId)
  }

  /**
   * A deploy job from the queue. Delivery is at-least-once: a deployment
   * that already ended is not run again, and one whose worker died while
   * running it (still building or deploying) is resumed from the start.
   */
  async runJob(deploymentId: number) {
    const deployment = await Deployment.find(deploymentId)
    if (!deployment || !['queued', 'building', 'deploying'].includes(deployment.status)) return
    if (deployment.status !== 'queued') {
      await this.log(deployment.id, { stream: 'build', text: 'Resuming: the worker that was running this deployment stopped' })
    }
    await this.run(deploymentId)
  }

  async run(deploymentId: number) {
    const deployment = await Deployment.findOrFail(deploymentId)
    const project = await Project.findOrFail(deployment.projectId)
    const appDir = mkdtempSync(join(tmpdir(), `xbasis-deploy-${deployment.id}-`))
    try {
      deployment.merge({ status: 'building', startedAt: DateTime.now() })
      await deployment.save()
      await this.log(deployment.id, { stream: 'build', text: `Exporting version ${deployment.version.slice(0, 7)}` })
      await this.files.writeVersionTo(project, appDir, deployment.version)
      const driver = await deploy.use(deployment.target, { workspaceId: project.workspaceId })
      deployment.status = 'deploying'
      await deployment.save()
      // The project's variables for this environment; the platform's own env never goes in.
      const env = await projectEnv(project.id, deployment.environment)
      // Names the app's data on the target (made once per project, before its first deployment).
      await ensureDataToken(project)
      // The app's own name: its owner links are signed for it (plugins/modules/app-base/files/lib/admin_auth.js).
      env.XBASIS_APP = appName(project, deployment.environment)
      // Previews are shown in the editor: the platform may frame them (the
      // platform's proxy also sets frame-ancestors to all its addresses).
      if (deployment.environment === 'preview') env.XBASIS_FRAME_ANCESTORS = platformOrigin()
      const handle = await driver.deploy(
        {
          deploymentId: `d${deployment.id}`,
          appDir,
          env,
          environment: deployment.environment,
          projectId: String(project.id),
          appName: `${project.slug}-${project.id}`,
          // Every deployment of this project × environment works on the same data (redeploys, rollbacks, restarts).
          persistentData: { key: appDataKey(project, deployment.environment) },
        },
        // Build output and the app's output, for as long as it runs: bounded and batched by the writer.
        (line) => deployLogs.append(deployment.id, line, 'target')
      )
      await deployLogs.flush(deployment.id)
      // Local targets answer through the platform at the app's own host.
      const url = isLoopbackUrl(handle.url) ? publicAppUrl(project, deployment.environment) : handle.url
      // The new deployment becomes the live one and the ones it replaces stop
      // counting as live in the same transaction: no moment with two of them.
      // Two deployments of one environment can run at once (the worker runs
      // several jobs): the one created last wins, whichever finishes first.
      // An older one that answers after a newer one went live never replaces it.
      const replaced = await db.transaction(async (trx) => {
        const lock = Project.query({ client: trx }).where('id', project.id)
        if (trx.dialect.name === 'postgres') lock.forUpdate()
        await lock.first()
        const newer = await Deployment.query({ client: trx })
          .where('project_id', project.id)
          .where('environment', deployment.environment)
          .whereIn('status', ['live', 'starting'])
          .where('id', '>', deployment.id)
          .first()
        deployment.useTransaction(trx)
        if (newer) {
          deployment.merge({ status: 'stopped', url, handle, finishedAt: DateTime.now(), reason: SUPERSEDED })
          await deployment.save()
          return null
        }
        deployment.merge({ status: 'live', url, handle, finishedAt: DateTime.now(), reason: null })
        await deployment.save()
        return this.markReplaced(deployment, trx)
      })
      if (!replaced) {
        await this.log(deployment.id, { stream: 'build', text: SUPERSEDED })
        await driver.stop(handle).catch((error) => logger.warn({ err: error }, 'stopping a superseded deployment failed'))
        return
      }
      await this.log(deployment.id, { stream: 'build', text: `Live at ${url}` })
      if (!(await Deployment.find(deployment.id))) {
        // The project was deleted while this deployment was starting: no orphan app, no orphan data.
        await driver.destroy(handle).catch(() => {})
        await driver.destroyData?.(appDataKey(project, deployment.environment)).catch(() => {})
        return
      }
      await this.retire(replaced)
      if (deployment.environment === 'production') {
        project.merge({ deployUrl: url, status: 'live' })
        await project.save()
      }
    } catch (error) {
      const reason = error instanceof DeployError ? error.message : 'The deployment failed because of an internal error'
      if (!(error instanceof DeployError)) logger.error({ err: error, deployment: deployment.id }, 'deployment failed')
      deployment.merge({ status: 'failed', reason: reason.slice(0, 2000), finishedAt: DateTime.now(), handle: error instanceof DeployError ? (error.handle ?? null) : null })
      await deployment.save()
      await this.log(deployment.id, { stream: 'build', text: `Failed: ${reason}` })
    } finally {
      rmSync(appDir, { recursive: true, force: true })
    }
  }

  /**
   * The previous live deployments of the same environment are stopped only
   * now that the new one answers: no gap in between. They are marked
   * stopped at once, so the platform's proxy sends no new request to them
   * (nor falls back to them if the new one is stopped), and keep running for
   * `deployDrainMs` so the requests already on their way finish; then their
   * apps are stopped.
   */
  async markReplaced(current: Deployment, trx: TransactionClientContract) {
    const previous = await Deployment.query({ client: trx })
      .where('project_id', current.projectId)
      .where('environment', current.environment)
      .whereIn('status', ['live', 'starting'])
      .whereNot('id', current.id)
    for (const old of previous) {
      old.merge({ status: 'stopped', reason: REPLACED, finishedAt: old.finishedAt ?? DateTime.now() })
      await old.save()
    }
    return previous
  }

  async retire(previous: Deployment[]) {
    if (!previous.length) return
    for (const old of previous) await this.log(old.id, { stream: 'build', text: REPLACED })
    if (xbasisConfig.deployDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, xbasisConfig.deployDrainMs))
    for (const old of previous) {
      if (!old.handle) continue
      // Only the app of the deployment that was replaced: one deleted with its
      // project during the drain went with it, and its id may name another now.
      const still = await Deployment.find(old.id)
      if (!still || still.status !== 'stopped' || still.handle?.url !== old.handle.url) continue
      const driver = await deploy.use(old.target).catch(() => null)
      await driver?.stop(old.handle).catch((error) => logger.warn({ err: error }, 'stopping a replaced deployment failed'))
    }
  }

  async stop(deployment: Deployment, reason = 'Stopped by the user') {
    if (deployment.handle && ['live', 'starting', 'deploying', 'failed'].includes(deployment.status)) {
      const driver = await deploy.use(deployment.target)
      await driver.stop(deployment.handle).catch((error) => logger.warn({ err: error }, 'stopping a deployment failed'))
    }
    deployment.merge({ status: 'stopped', reason, finishedAt: deployment.finishedAt ?? DateTime.now() })
    await deployment.save()
    await this.log(deployment.id, { stream: 'build', text: reason })
    // A project whose production app no longer runs is not "live" (the dashboard and the editor say so).
    if (deployment.environment === 'production') {
      const stillLive = await Deployment.query().where('project_id', deployment.projectId).where('environment', 'production').whereIn('status', ['live', 'starting']).first()
      if (!stillLive) await Project.query().where('id', deployment.projectId).whereIn('status', ['live', 'failed']).update({ status: 'stopped' })
    }
    return deployment
  }

  /**
   * Stops and removes every app of a project, running or stopped, then its
   * persistent data on every target it was deployed to (before the project
   * is deleted: the only moment an app's data is removed).
   */
  async destroyAll(projectId: number) {
    // Stopped ones too: a stopped container and its image (docker) or working copy (process) stay until now.
    const running = await Deployment.query().where('project_id', projectId).whereNotNull('handle').whereIn('status', ['live', 'starting', 'deploying', 'failed', 'stopped'])
    for (const deployment of running) {
      const driver = await deploy.use(deployment.target).catch(() => null)
      await driver?.destroy(deployment.handle!).catch((error) => logger.warn({ err: error }, 'removing a deployment failed'))
    }
    const project = await Project.find(projectId)
    // No token: the project never deployed, so no target holds data of it.
    if (!project?.dataToken) return
    const targets = await db.from('deployments').where('project_id', projectId).distinct('target')
    for (const { target } of targets) {
      const driver = await deploy.use(target).catch(() => null)
      if (!driver?.destroyData) continue
      for (const environment of ['preview', 'production'] satisfies DeployEnvironment[]) {
        await driver
          .destroyData(appDataKey(project, environment))
          .catch((error) => logger.warn({ err: error, project: projectId, target }, 'removing an app’s data failed'))
      }
    }
  }

  async find(user: User, id: number) {
    if (!Number.isSafeInteger(id) || id <= 0) throw new lucidErrors.E_ROW_NOT_FOUND()
    return Deployment.query()
      .where('id', id)
      .whereIn('project_id', db.from('projects').whereIn('workspace_id', db.from('workspace_members').where('user_id', user.id).select('workspace_id')).select('id'))
      .firstOrFail()
  }

  async logs(deployment: Deployment, after = 0) {
    const rows = await db.from('deployment_logs').where('deployment_id', deployment.id).where('id', '>', after).orderBy('id').limit(2000)
    return rows.map(presentLogLine)
  }

  /** The deployment's "… N lines dropped" line, if any line was dropped (its text is updated in place). */
  async droppedMarker(deployment: Deployment) {
    const row = await db.from('deployment_logs').where('deployment_id', deployment.id).where('stream', DROPPED_STREAM).orderBy('id').first()
    return row ? presentLogLine(row) : null
  }

  /**
   * At boot. Without Redis the queue lived in the process that stopped:
   * deployments it had not finished are marked failed with a reason. With
   * Redis the queue survives restarts and the jobs of a dead worker come
   * back by themselves (see RedisJobQueue); only a deployment whose job never
   * reached the queue (the platform died in between) is queued again.
   * Deployments that were live come back by themselves (see `resumeLive`):
   * they are marked `starting` now and started again in the background, so
   * the platform is ready meanwhile; `resumed` settles once all of them are
   * live or failed.
   */
  async recoverAfterRestart() {
    const queue = jobQueue()
    const inFlight = ['queued', 'building', 'deploying']
    let interrupted = 0
    let requeued = 0
    if (queue.driver === 'memory') {
      interrupted = Number(
        await db
          .from('deployments')
          .whereIn('status', inFlight)
          .update({ status: 'failed', reason: 'Interrupted: the platform restarted during this deployment', finished_at: dbTime(), updated_at: dbTime() })
      )
    } else {
      const known = new Set((await queue.jobs()).map((job) => job.deploymentId))
      const settled = DateTime.now().minus({ minutes: 2 })
      const stale = await db.from('deployments').whereIn('status', inFlight).where('updated_at', '<', dbTime(settled)).select('id')
      for (const row of stale) {
        if (known.has(Number(row.id))) continue
        await this.log(Number(row.id), { stream: 'build', text: 'The platform restarted before this deployment ran: queued again' })
        await queue.enqueue({ kind: 'deploy', deploymentId: Number(row.id) })
        requeued += 1
      }
    }
    // Creating the process target stops the apps a killed platform left running (see reapOrphans).
    await deploy.use('process').catch(() => null)
    const { resuming, attaching, failed, resumed } = await this.resumeLive()
    // Deployments replaced just before the restart: their apps were still draining, and on targets whose apps
    // outlive the platform (docker, remote ones) nothing stopped them. Stopping is idempotent on every target.
    const replaced = await Deployment.query()
      .where('status', 'stopped')
      .where('reason', REPLACED)
      .whereNot('target', 'process')
      .whereNotNull('handle')
      .where('updated_at', '>', dbTime(DateTime.now().minus({ hours: 24 }).toJSDate()))
    let drained = 0
    for (const old of replaced) {
      const driver = await deploy.use(old.target).catch(() => null)
      if (!driver) continue
      await driver.stop(old.handle!).then(
        () => (drained += 1),
        (error) => logger.warn({ err: error, deployment: old.id }, 'stopping a replaced deployment after a restart failed')
      )
    }
    return { interrupted, requeued, resuming, attaching, failed, drained, resumed }
  }

  /**
   * The deployments that were live (or being brought back: `starting`) when
   * the platform stopped, on targets that can resume them (process, docker;
   * remote targets' apps do not depend on the platform and are left as they
   * are), except process apps another platform process of this machine
   * still runs. Each is claimed (`live` → `starting`, so two platform
   * processes never both start it), then resumed by its target, a few at a
   * time (`resumeConcurrency`): `live` again with its new handle, or
   * `failed` with the target's reason. One whose app its target reports
   * still live (a docker container) stays `live` while it is re-attached
   * to. A deployment stopped or replaced while it was starting stays so
   * (its app is stopped again).
   */
  async resumeLive() {
    const candidates = await Deployment.query().whereIn('status', ['live', 'starting']).preload('project').orderBy('id')
    const claimed: { deployment: Deployment; driver: DeployTarget; attach?: boolean }[] = []
    let failed = 0
    for (const deployment of candidates) {
      const driver = await deploy.use(deployment.target, { workspaceId: deployment.project.workspaceId }).catch(() => null)
      // A target that is no longer available: nothing can be said of its app (remote ones may well still run).
      if (!driver) {
        logger.warn({ deployment: deployment.id, target: deployment.target }, 'a live deployment of an unavailable target was not resumed')
        continue
      }
      if (!driver.resume || ownerAlive(deployment.handle)) continue
      // An app its target still runs (docker: containers outlive the platform) stays live while it is
      // re-attached to: no `starting` gap for its visitors.
      if (deployment.status === 'live' && deployment.handle) {
        const state = await driver.status(deployment.handle).then((status) => status.state, () => null)
        if (state === 'live') {
          claimed.push({ deployment, driver, attach: true })
          continue
        }
      }
      const claim = await db
        .from('deployments')
        .where('id', deployment.id)
        .where('status', deployment.status)
        .update({ status: 'starting', reason: RESTARTED, updated_at: dbTime() })
      if (Number(Array.isArray(claim) ? claim[0] : claim) !== 1) continue
      deployEvents.notify(deployment.id)
      if (!deployment.handle) {
        await this.#endResume(deployment, 'The app cannot start again: the platform kept no handle of it. Deploy again to start it.')
        failed += 1
        continue
      }
      await this.log(deployment.id, { stream: 'build', text: RESTARTED })
      claimed.push({ deployment, driver })
    }
    const attaching = claimed.filter((c) => c.attach).length
    const outcomes: Record<number, 'live' | 'failed' | 'superseded'> = {}
    let next = 0
    const worker = async () => {
      while (next < claimed.length) {
        const { deployment, driver, attach } = claimed[next++]
        outcomes[deployment.id] = await this.#resumeOne(deployment, driver, attach ? 'live' : 'starting').catch((error) => {
          logger.error({ err: error, deployment: deployment.id }, 'resuming a deployment failed')
          return 'failed' as const
        })
      }
    }
    const resumed = Promise.all(Array.from({ length: Math.min(xbasisConfig.resumeConcurrency, claimed.length) }, worker)).then(() => outcomes)
    return { resuming: claimed.length - attaching, attaching, failed, resumed }
  }

  /** `from`: the status the deployment has while it is resumed (`live` when its app still runs). */
  async #resumeOne(deployment: Deployment, driver: DeployTarget, from: 'starting' | 'live'): Promise<'live' | 'failed' | 'superseded'> {
    const flushed = () => deployLogs.flush(deployment.id).catch(() => {})
    let handle: DeployHandle
    try {
      // The app's output after the restart: bounded and batched like any deployment's (DeployLogWriter).
      handle = await driver.resume!(deployment.handle!, (line) => deployLogs.append(deployment.id, line, 'target'))
    } catch (error) {
      await flushed()
      const reason = error instanceof DeployError ? error.message : 'The app could not start again after the platform restarted because of an internal error'
      if (!(error instanceof DeployError)) logger.error({ err: error, deployment: deployment.id }, 'resuming a deployment failed')
      const handleNow = error instanceof DeployError ? (error.handle ?? deployment.handle) : deployment.handle
      return (await this.#endResume(deployment, reason, handleNow, from)) ? 'failed' : 'superseded'
    }
    await flushed()
    const updated = await db
      .from('deployments')
      .where('id', deployment.id)
      .where('status', from)
      .update({ status: 'live', reason: null, handle: JSON.stringify(handle), updated_at: dbTime() })
    if (Number(Array.isArray(updated) ? updated[0] : updated) !== 1) {
      // Stopped, replaced or deleted while it started: its app does not stay up.
      await driver.stop(handle).catch((error) => logger.warn({ err: error, deployment: deployment.id }, 'stopping a superseded deployment failed'))
      return 'superseded'
    }
    deployEvents.notify(deployment.id)
    if (from === 'starting') await this.log(deployment.id, { stream: 'build', text: `Live again at ${deployment.url ?? handle.url}` })
    return 'live'
  }

  /** A deployment that cannot come back: failed with the reason (unless the user stopped it meanwhile). */
  async #endResume(deployment: Deployment, reason: string, handle: DeployHandle | null = deployment.handle, from: 'starting' | 'live' = 'starting') {
    const updated = await db
      .from('deployments')
      .where('id', deployment.id)
      .where('status', from)
      .update({ status: 'failed', reason: reason.slice(0, 2000), handle: handle ? JSON.stringify(handle) : null, finished_at: dbTime(), updated_at: dbTime() })
    if (Number(Array.isArray(updated) ? updated[0] : updated) !== 1) return false
    deployEvents.notify(deployment.id)
    await this.log(deployment.id, { stream: 'build', text: `Failed: ${reason}` })
    // A project whose production app cannot come back is not "live" (the dashboard and the editor say so).
    if (deployment.environment === 'production') {
      const stillLive = await Deployment.query().where('project_id', deployment.projectId).where('environment', 'production').whereIn('status', ['live', 'starting']).first()
      if (!stillLive) await Project.query().where('id', deployment.projectId).where('status', 'live').update({ status: 'failed' })
    }
    return true
  }
}

/**
 * Is the app run by another platform process that is still there? Targets
 * that run apps inside the platform's process tree (process) record their
 * owner (host and pid) in the handle; a process on another host cannot be
 * checked and is assumed alive. A handle without an owner (docker) is
 * nobody's.
 */
function ownerAlive(handle: Deployment['handle']) {
  const owner = handle?.data?.owner as { host?: string; pid?: number } | undefined
  if (!owner || typeof owner.pid !== 'number') return false
  if (owner.host !== hostname()) return true
  if (owner.pid === process.pid) return false
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * A platform or worker process stopping: the apps it runs itself (process
 * target) are stopped, then the log lines queued meanwhile, their last words
 * included, are written while the database is still open. Bounded: a
 * database that no longer answers does not hold the shutdown.
 */
export async function shutdownLocalApps() {
  for (const driver of deploy.built()) await driver.shutdown?.().catch(() => {})
  await Promise.race([deployLogs.flushAll(), new Promise((resolve) => setTimeout(resolve, 2000).unref())])
}
