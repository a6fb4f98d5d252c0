import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import { appUrl } from '#config/app'
import billingConfig from '#config/billing'
import aiConfig from '#config/ai'
import LedgerService from '#services/ledger_service'
import DeployService from '#services/deploy_service'
import Deployment from '#models/deployment'
import Project from '#models/project'
import Workspace from '#models/workspace'
import User from '#models/user'
import { dbTime } from '#lib/db_time'

/** One cent in micro-dollars (the ledger's `amount` unit). */
const MICROS_PER_CENT = 10_000

export type DailyPrice = { size: string; cents: number; micros: number; tokens: number }

/**
 * A size class's price for one day: ceil(monthly price / 30) cents, as
 * micro-dollars (ledger `amount`) and as balance tokens (ledger `tokens`).
 */
export function dailyComputePrice(size: string): DailyPrice {
  const sizes = billingConfig.compute.sizes
  const known = sizes[size] ? size : billingConfig.compute.defaultSize
  const cents = Math.ceil(sizes[known].monthlyCents / 30)
  const micros = cents * MICROS_PER_CENT
  return { size: known, cents, micros, tokens: Math.ceil(micros / aiConfig.microsPerBalanceToken) }
}

export type ComputeRunReport = {
  /** The day charged (UTC, yyyy-mm-dd). */
  day: string
  /** `not_charged`: compute is free on this instance (BILLING=none). */
  skipped: 'not_charged' | null
  /** Ledger entries created by this run (a re-run of the same day creates none). */
  entries: number
  /** Balance tokens taken by this run. */
  tokens: number
  warned: number[]
  suspended: number[]
  resumed: number[]
}

export const SUSPENDED_REASON = 'Stopped: the workspace balance ran out. It starts again by itself once the balance is topped up.'

/**
 * Compute charges of running production apps (config/billing.ts `compute`).
 *
 * Once a day (`run(now)`, the clock injected) each live production
 * deployment is charged one day of its project's size class: a `compute`
 * ledger entry with the reference `compute:<project>:<day>`, so running
 * again the same day (or after a redeploy that day) charges nothing twice.
 *
 * When the free balance cannot cover a day, what is free is taken
 * (possibly 0), and the owner is warned once (`balance_warned_at`). Still
 * short `graceDays` after the warning, the workspace's production apps are
 * stopped (never deleted: files, versions and data stay), marked
 * `suspended_for_billing`, and `compute_suspended_at` is set. Once the
 * balance covers a day of them again (a top-up or a grant: LedgerService
 * calls `resumeIfFunded`, and every run checks too) the same versions are
 * deployed again and the flags are cleared.
 *
 * On a self-hosted instance (`compute.charged` false) nothing is charged.
 */
export default class ComputeBillingService {
  constructor(
    private ledger = new LedgerService(),
    private deploys = new DeployService()
  ) {}

  async run(now: DateTime = DateTime.utc()): Promise<ComputeRunReport> {
    const day = now.toUTC().toISODate()!
    const report: ComputeRunReport = { day, skipped: null, entries: 0, tokens: 0, warned: [], suspended: [], resumed: [] }
    if (!billingConfig.compute.charged) return { ...report, skipped: 'not_charged' }

    // Workspaces whose balance came back since their apps were stopped.
    const suspended = await db.from('workspaces').whereNotNull('compute_suspended_at').select('id')
    for (const { id } of suspended) {
      if (await this.resumeIfFunded(Number(id))) report.resumed.push(Number(id))
    }

    const running = await db
      .from('deployments')
      .join('projects', 'projects.id', 'deployments.project_id')
      .where('deployments.environment', 'production')
      .where('deployments.status', 'live')
      .select('deployments.id', 'deployments.project_id', 'projects.workspace_id', 'projects.compute_size', 'projects.name')
      .orderBy('deployments.id')
    const byWorkspace = new Map<number, typeof running>()
    for (const row of running) {
      const id = Number(row.workspace_id)
      byWorkspace.set(id, [...(byWorkspace.get(id) ?? []), row])
    }

    for (const [workspaceId, rows] of byWorkspace) {
      let short = false
      for (const row of rows) {
        const price = dailyComputePrice(row.compute_size)
        const posted = await this.ledger.post({
          workspaceId,
          type: 'compute',
          tokens: -price.tokens,
          amount: -price.micros,
          shortfall: 'partial',
          projectId: Number(row.project_id),
          reference: `compute:${row.project_id}:${day}`,
          description: `Compute (${billingConfig.compute.sizes[price.size].name}) for ${String(row.name).slice(0, 200)} on ${day}, deployment #${row.id}`,
        })
        if (posted.created) {
          report.entries += 1
          report.tokens += -posted.tokens
        }
        if (-posted.tokens < price.tokens) short = true
      }
      if (!short) {
        // A full day was paid: any earlier warning is over.
        await db.from('workspaces').where('id', workspaceId).whereNull('compute_suspended_at').update({ balance_warned_at: null })
        continue
      }
      if (await this.#warn(workspaceId, now)) report.warned.push(workspaceId)
      else if (await this.#suspendAfterGrace(workspaceId, now)) report.suspended.push(workspaceId)
    }
    return report
  }

  /** The first short day: the owner is told, once. */
  async #warn(workspaceId: number, now: DateTime): Promise<boolean> {
    const updated = await db
      .from('workspaces')
      .where('id', workspaceId)
      .whereNull('balance_warned_at')
      .update({ balance_warned_at: dbTime(now.toJSDate()), updated_at: dbTime() })
    if (Number(Array.isArray(updated) ? updated[0] : updated) !== 1) return false
    const stopOn = now.plus({ days: billingConfig.compute.graceDays }).toUTC().toISODate()
    await this.#mailOwner(workspaceId, 'Your xBasis balance ran out', [
      'Your workspace balance can no longer pay for the production apps it runs.',
      `Top up (or ask your administrator for balance) before ${stopOn}: after that the production apps are stopped until the balance is back.`,
      'Nothing is deleted: files, versions and data stay, and the apps start again by themselves once the balance covers them.',
    ])
    return true
  }

  /**
   * Past the grace days: stops the workspace's production apps. An app put
   * live while the workspace was already suspended (deployed by hand) and
   * unpaid is stopped the same way, without a second mail.
   */
  async #suspendAfterGrace(workspaceId: number, now: DateTime): Promise<boolean> {
    const workspace = await Workspace.find(workspaceId)
    if (!workspace?.balanceWarnedAt) return false
    let first = false
    if (!workspace.computeSuspendedAt) {
      if (now < workspace.balanceWarnedAt.plus({ days: billingConfig.compute.graceDays })) return false
      const updated = await db
        .from('workspaces')
        .where('id', workspaceId)
        .whereNull('compute_suspended_at')
        .update({ compute_suspended_at: dbTime(now.toJSDate()), updated_at: dbTime() })
      if (Number(Array.isArray(updated) ? updated[0] : updated) !== 1) return false
      first = true
    }

    const live = await Deployment.query()
      .where('environment', 'production')
      .whereIn('status', ['live', 'starting'])
      .whereIn('project_id', db.from('projects').where('workspace_id', workspaceId).select('id'))
    for (const deployment of live) {
      deployment.suspendedForBilling = true
      await this.deploys.stop(deployment, SUSPENDED_REASON)
    }
    if (!first) return false
    await this.#mailOwner(workspaceId, 'Your xBasis production apps were stopped', [
      `The workspace balance stayed empty for ${billingConfig.compute.graceDays} days after our warning, so its production apps (${live.length}) were stopped.`,
      'Nothing was deleted: files, versions and data are all there.',
      'Top up (or ask your administrator for balance): the apps start again by themselves once the balance covers a day of them.',
    ])
    return true
  }

  /**
   * Starts the production apps stopped for an empty balance again once the
   * free balance covers one day of them: the same versions are deployed
   * again (new deployments), and the flags are cleared. Returns whether it
   * did.
   */
  async resumeIfFunded(workspaceId: number): Promise<boolean> {
    const workspace = await Workspace.find(workspaceId)
    if (!workspace?.computeSuspendedAt) return false
    const stopped = await Deployment.query()
      .where('suspended_for_billing', true)
      .whereIn('project_id', db.from('projects').where('workspace_id', workspaceId).select('id'))
      .orderBy('id')
    // One app per project: the newest deployment stopped for the balance.
    const latest = [...new Map(stopped.map((d) => [d.projectId, d])).values()]
    const projects = new Map((await Project.query().whereIn('id', latest.map((d) => d.projectId))).map((p) => [p.id, p]))
    const need = latest.reduce((sum, d) => sum + dailyComputePrice(projects.get(d.projectId)?.computeSize ?? '').tokens, 0)
    if (workspace.tokensBalance - workspace.tokensReserved < need) return false

    // Whoever clears the mark resumes (two top-ups at once resume once).
    const cleared = await db
      .from('workspaces')
      .where('id', workspaceId)
      .whereNotNull('compute_suspended_at')
      .update({ compute_suspended_at: null, balance_warned_at: null, updated_at: dbTime() })
    if (Number(Array.isArray(cleared) ? cleared[0] : cleared) !== 1) return false

    for (const deployment of stopped) {
      deployment.suspendedForBilling = false
      await deployment.save()
    }
    for (const deployment of latest) {
      const project = projects.get(deployment.projectId)
      if (!project) continue
      try {
        const again = await this.deploys.create(project, null, { environment: 'production', target: deployment.target, version: deployment.version })
        await this.deploys.log(deployment.id, { stream: 'build', text: `The balance is back: deploying this version again as deployment #${again.id}` })
      } catch (error) {
        logger.error({ err: error, deployment: deployment.id }, 'restarting a deployment after a top-up failed')
        await this.deploys.log(deployment.id, { stream: 'build', text: `Could not start again after the top-up: ${(error as Error).message}` })
      }
    }
    return true
  }

  async #mailOwner(workspaceId: number, subject: string, paragraphs: string[]) {
    const workspace = await Workspace.find(workspaceId)
    const owner = workspace ? await User.find(workspace.ownerId) : null
    if (!workspace || !owner) return
    const link = `${appUrl}/dashboard`
    try {
      await mail.send((message) => {
        message
          .to(owner.email, owner.fullName)
          .subject(subject)
          .htmlView('emails/compute_billing', { user: owner, workspace, paragraphs, link })
          .textView('emails/compute_billing_text', { user: owner, workspace, paragraphs, link })
      })
    } catch (error) {
      logger.error({ err: error, workspace: workspaceId }, 'could not send a compute billing mail')
    }
  }
}
