import env from '#start/env'
import { join } from 'node:path'
import billingConfig from '#config/billing'
import { parseAllowedNetworks } from '#workspace/push_network'

/**
 * Platform-wide settings of xBasis. The edition is configuration: the same
 * code runs as hosted SaaS or on-prem.
 */
const dataDir = env.get('DATA_DIR')!

/** A whole number ≥ `min` from the environment, or the default; anything else stops the boot with the variable's name. */
function wholeNumber(
  name: 'XBASIS_LOG_LINES_PER_DEPLOYMENT' | 'XBASIS_BUILD_LOG_LINES' | 'XBASIS_LOG_LINES_PER_SECOND' | 'XBASIS_LOG_RETENTION_DAYS' | 'XBASIS_LOG_KEEP_DEPLOYMENTS',
  fallback: number,
  min: number
): number {
  const value = env.get(name, fallback)
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min} (got ${value})`)
  return value
}

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
   * What a deployment may store in deployment_logs (app/services/deploy_log_writer.ts):
   * the last `linesPerDeployment` lines of runtime output (a ring buffer),
   * the first `buildLinesPerDeployment` build lines, at most `linesPerSecond`
   * runtime lines a second (bursts of one second's worth); the rest is
   * counted on one "… N lines dropped" line. Lines are written in batches
   * every `flushMs`, or as soon as `flushLines` are waiting. Housekeeping
   * (app/services/deploy_log_retention.ts) deletes the logs of deployments
   * stopped or failed more than `retentionDays` ago, and of those older than
   * the `keepDeployments` newest of their project.
   */
  logs: {
    linesPerDeployment: wholeNumber('XBASIS_LOG_LINES_PER_DEPLOYMENT', 5000, 1),
    buildLinesPerDeployment: wholeNumber('XBASIS_BUILD_LOG_LINES', 2000, 1),
    linesPerSecond: wholeNumber('XBASIS_LOG_LINES_PER_SECOND', 200, 1),
    retentionDays: wholeNumber('XBASIS_LOG_RETENTION_DAYS', 14, 1),
    keepDeployments: wholeNumber('XBASIS_LOG_KEEP_DEPLOYMENTS', 20, 1),
    flushMs: 100,
    flushLines: 200,
  },

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
