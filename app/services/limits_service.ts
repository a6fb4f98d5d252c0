import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import billingConfig, { PLAN_IDS, type PlanId, type PlanLimits } from '#config/billing'

export type LimitName = keyof PlanLimits

/** How each limit is named in a message: singular, plural. */
const NOUNS: Record<LimitName, [string, string]> = {
  maxProjects: ['project', 'projects'],
  maxProductionDeployments: ['production deployment live at once', 'production deployments live at once'],
  customDomains: ['custom domain', 'custom domains'],
  seats: ['member', 'members'],
}

/** What the user can do besides upgrading. */
const OTHERWISE: Record<LimitName, string> = {
  maxProjects: 'delete a project',
  maxProductionDeployments: 'stop the production deployment of another project',
  customDomains: 'remove a custom domain',
  seats: 'remove a member',
}

/**
 * A plan limit was reached: the action is refused, nothing was changed.
 * API: HTTP 403 with the code `plan_limit` (see app/exceptions/handler.ts);
 * web forms: the message is flashed and the user is sent back.
 */
export class PlanLimitError extends Error {
  readonly code = 'plan_limit'
  readonly status = 403

  constructor(
    public limit: LimitName,
    public plan: PlanId,
    public allowed: number,
    message: string
  ) {
    super(message)
    this.name = 'PlanLimitError'
  }
}

/**
 * Plan limits (config/billing.ts `plans.*.limits`), checked where a
 * workspace would go over one: project creation, a production deployment,
 * a new member. Enforced when `billingConfig.limitsEnabled` (always with a
 * payment provider; on `none` only with BILLING_LIMITS=true).
 *
 * The checks that guard an insert take a transaction and lock the
 * workspace row first (PostgreSQL), so two requests at the same moment
 * cannot both pass the last free slot.
 */
export default class LimitsService {
  get enabled() {
    return billingConfig.limitsEnabled
  }

  limitsOf(plan: string): PlanLimits {
    const known = billingConfig.plans[plan as PlanId] ?? billingConfig.plans[billingConfig.defaultPlan]
    return known.limits
  }

  /**
   * The message of a reached limit: the plan, the number, how to lift it.
   */
  message(plan: PlanId, limit: LimitName, allowed: number): string {
    const definition = billingConfig.plans[plan] ?? billingConfig.plans[billingConfig.defaultPlan]
    const [one, many] = NOUNS[limit]
    const what = `Your ${definition.name} plan allows ${allowed.toLocaleString('en-US')} ${allowed === 1 ? one : many}.`
    if (billingConfig.provider === 'none') {
      return `${what} Ask your administrator to raise the limit, or ${OTHERWISE[limit]}.`
    }
    const next = this.nextPlanLifting(plan, limit, allowed)
    if (!next) return `${what} It is the largest plan: ${OTHERWISE[limit]} first.`
    return `${what} Upgrade to ${billingConfig.plans[next].name} on the Billing page, or ${OTHERWISE[limit]}.`
  }

  /** The cheapest plan with a higher limit, if any. */
  nextPlanLifting(plan: PlanId, limit: LimitName, allowed: number): PlanId | null {
    const candidates = PLAN_IDS.filter((id) => id !== plan)
      .map((id) => ({ id, definition: billingConfig.plans[id] }))
      .filter(({ definition }) => definition.limits[limit] === null || definition.limits[limit]! > allowed)
      .sort((a, b) => a.definition.priceCents - b.definition.priceCents)
    return candidates[0]?.id ?? null
  }

  /**
   * Locks the workspace row until the transaction ends (PostgreSQL; SQLite
   * serialises writers by itself) and reads its plan.
   */
  async #lockedPlan(client: QueryClientContract, workspaceId: number): Promise<PlanId> {
    const query = client.from('workspaces').where('id', workspaceId).select('plan')
    if (client.dialect.name === 'postgres') query.forUpdate()
    const row = await query.first()
    return (row?.plan ?? billingConfig.defaultPlan) as PlanId
  }

  #refuse(plan: PlanId, limit: LimitName, allowed: number): never {
    throw new PlanLimitError(limit, plan, allowed, this.message(plan, limit, allowed))
  }

  /** Before a project is created in the workspace. */
  async assertCanCreateProject(workspaceId: number, client: QueryClientContract = db.connection()) {
    if (!this.enabled) return
    const plan = await this.#lockedPlan(client, workspaceId)
    const allowed = this.limitsOf(plan).maxProjects
    if (allowed === null) return
    const row = await client.from('projects').where('workspace_id', workspaceId).count('* as total').first()
    if (Number(row?.total ?? 0) >= allowed) this.#refuse(plan, 'maxProjects', allowed)
  }

  /**
   * Before a production deployment of `projectId` is created. A project's
   * new production deployment replaces its previous one, so only the other
   * projects with a production deployment live (or on its way) count.
   */
  async assertCanDeployToProduction(workspaceId: number, projectId: number, client: QueryClientContract = db.connection()) {
    if (!this.enabled) return
    const plan = await this.#lockedPlan(client, workspaceId)
    const allowed = this.limitsOf(plan).maxProductionDeployments
    if (allowed === null) return
    const row = await client
      .from('deployments')
      .join('projects', 'projects.id', 'deployments.project_id')
      .where('projects.workspace_id', workspaceId)
      .whereNot('deployments.project_id', projectId)
      .where('deployments.environment', 'production')
      .whereIn('deployments.status', ['queued', 'building', 'deploying', 'starting', 'live'])
      .countDistinct('deployments.project_id as total')
      .first()
    if (Number(row?.total ?? 0) >= allowed) this.#refuse(plan, 'maxProductionDeployments', allowed)
  }

  /**
   * Before a member joins the workspace. Only the owner's own membership
   * exists today (created at sign-up); whatever adds members later calls
   * this first, in its transaction.
   */
  async assertCanAddMember(workspaceId: number, client: QueryClientContract = db.connection()) {
    if (!this.enabled) return
    const plan = await this.#lockedPlan(client, workspaceId)
    const allowed = this.limitsOf(plan).seats
    if (allowed === null) return
    const row = await client.from('workspace_members').where('workspace_id', workspaceId).count('* as total').first()
    if (Number(row?.total ?? 0) >= allowed) this.#refuse(plan, 'seats', allowed)
  }

  /** Before a custom domain is attached (custom domains do not exist yet). */
  async assertCanAddCustomDomain(workspaceId: number, current: number, client: QueryClientContract = db.connection()) {
    if (!this.enabled) return
    const plan = await this.#lockedPlan(client, workspaceId)
    const allowed = this.limitsOf(plan).customDomains
    if (allowed !== null && current >= allowed) this.#refuse(plan, 'customDomains', allowed)
  }
}
