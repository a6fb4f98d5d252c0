import env from '#start/env'
import { join } from 'node:path'
import billingConfig from '#config/billing'
import { parseAllowedNetworks } from '#workspace/push_network'

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
   * When a new deployment is live, the one it replaces keeps running this
   * long (ms) so the requests already sent to it finish: zero-downtime switch.
   */
  deployDrainMs: env.get('DEPLOY_DRAIN_MS', 2000),

  /**
   * After a restart, the apps that were live are started again this many at
   * a time (in the background: the platform is ready meanwhile).
   */
  resumeConcurrency: Math.max(1, Math.floor(env.get('XBASIS_RESUME_CONCURRENCY', 4))),

  /**
   * Plans from the seed, with their prices and limits: config/billing.ts.
   */
  plans: billingConfig.plans,
  defaultPlan: billingConfig.defaultPlan,

  /**
   * Password reset links stay valid this long.
   */
  passwordResetTtlMinutes: 60,

  /**
   * Sign-up (app/services/signup_policy.ts). `mode` is the environment's
   * XBASIS_SIGNUP; a choice saved on Admin → Sign-up wins over it.
   * `perAddressPerHour`: sign-ups from one client address in an hour.
   * `verificationTtlHours`: how long an e-mail verification link works.
   */
  /**
   * Git push (app/workspace/push_network.ts): `allowedNetworks` are the
   * operator's networks besides the public internet that a push may reach
   * (XBASIS_PUSH_ALLOWED_NETWORKS; default none, so loopback, private and
   * link-local addresses are refused).
   */
  push: {
    allowedNetworks: parseAllowedNetworks(env.get('XBASIS_PUSH_ALLOWED_NETWORKS')),
  },

  signup: {
    mode: env.get('XBASIS_SIGNUP', 'open') as 'open' | 'invite' | 'closed',
    perAddressPerHour: env.get('XBASIS_SIGNUP_PER_HOUR', 10),
    verificationTtlHours: 48,
  },
}

export { PLAN_IDS, type PlanId } from '#config/billing'

export default xbasisConfig
