import env from '#start/env'
import { join } from 'node:path'

/**
 * Platform-wide settings of xBasis. The edition is configuration: the same
 * code runs as hosted SaaS or on-prem.
 */
const dataDir = env.get('DATA_DIR')!

const xbasisConfig = {
  edition: env.get('XBASIS_EDITION', 'selfhosted') as 'selfhosted' | 'saas',

  /**
   * Everything an instance stores on disk lives below this folder.
   */
  dataDir,
  paths: {
    database: join(dataDir, 'xbasis.sqlite3'),
    projects: join(dataDir, 'projects'),
    logs: join(dataDir, 'logs'),
  },

  /**
   * Migrations run on start for the embedded default (SQLite) so a newcomer
   * never types a migration command; on PostgreSQL only when asked to.
   */
  migrateOnStart: env.get('MIGRATE_ON_START', env.get('DB_CONNECTION', 'sqlite') === 'sqlite'),

  redisEnabled: Boolean(env.get('REDIS_HOST')),

  /**
   * Deploy a preview after every AI turn that made a new version.
   */
  autoPreview: env.get('XBASIS_AUTO_PREVIEW', true),

  /**
   * Plans from the seed. Prices are in cents per month.
   */
  plans: {
    free: { name: 'Free', priceCents: 0, tagline: 'Try xBasis on a real project' },
    pro: { name: 'Pro', priceCents: 2900, tagline: 'For builders shipping to production' },
    team: { name: 'Team', priceCents: 9900, tagline: 'Shared workspaces for small teams' },
  },
  defaultPlan: 'free' as const,

  /**
   * Password reset links stay valid this long.
   */
  passwordResetTtlMinutes: 60,
}

export type PlanId = keyof typeof xbasisConfig.plans
export const PLAN_IDS = Object.keys(xbasisConfig.plans) as PlanId[]

export default xbasisConfig
