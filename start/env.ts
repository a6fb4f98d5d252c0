/*
|--------------------------------------------------------------------------
| Environment variables
|--------------------------------------------------------------------------
|
| Every variable the platform reads is declared and validated here. The
| embedded default needs none of them: SQLite under DATA_DIR, no Redis,
| mails captured, and an APP_KEY generated once and kept in DATA_DIR.
*/
import { Env } from '@adonisjs/core/env'
import { ensureAppKey, resolveDataDir } from '#lib/data_dir'

const env = await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum.optional(['development', 'production', 'test'] as const),
  PORT: Env.schema.number.optional(),
  HOST: Env.schema.string.optional({ format: 'host' }),
  APP_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  APP_KEY: Env.schema.string.optional(),
  LOG_LEVEL: Env.schema.enum.optional([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),

  /*
  | Where every piece of state of this instance lives (database file, project
  | workspaces, logs, generated app key). Relative paths are resolved from the
  | directory the platform is started in.
  */
  DATA_DIR: Env.schema.string.optional(),
  XBASIS_EDITION: Env.schema.enum.optional(['selfhosted', 'saas'] as const),
  MIGRATE_ON_START: Env.schema.boolean.optional(),
  COOKIE_SECURE: Env.schema.boolean.optional(),
  /*
  | Proxies whose X-Forwarded-* headers are believed (comma-separated
  | addresses, CIDR ranges, loopback/linklocal/uniquelocal, or none).
  | Default: loopback. Checked at boot by app/lib/trusted_proxies.ts.
  */
  TRUSTED_PROXIES: Env.schema.string.optional(),
  /*
  | Who may create an account: open (anyone), invite (only an admin creates
  | accounts) or closed. An admin's choice on Admin → Sign-up wins over it.
  */
  XBASIS_SIGNUP: Env.schema.enum.optional(['open', 'invite', 'closed'] as const),
  /* Sign-ups allowed per client address per hour (default 10). */
  XBASIS_SIGNUP_PER_HOUR: Env.schema.number.optional(),

  /*
  | Database: "sqlite" (embedded default) or "pg".
  */
  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'pg'] as const),
  PG_HOST: Env.schema.string.optional({ format: 'host' }),
  PG_PORT: Env.schema.number.optional(),
  PG_USER: Env.schema.string.optional(),
  PG_PASSWORD: Env.schema.string.optional(),
  PG_DATABASE: Env.schema.string.optional(),
  PG_SSL: Env.schema.boolean.optional(),

  /*
  | Redis: optional. When REDIS_HOST is set, sessions and the rate limiter
  | use Redis; otherwise sessions live in signed, encrypted cookies and the
  | limiter in memory.
  */
  REDIS_HOST: Env.schema.string.optional({ format: 'host' }),
  REDIS_PORT: Env.schema.number.optional(),
  REDIS_PASSWORD: Env.schema.string.optional(),
  REDIS_DB: Env.schema.number.optional(),
  REDIS_KEY_PREFIX: Env.schema.string.optional(),

  /*
  | Mail: SMTP when SMTP_HOST is set, otherwise mails are written to the log
  | and kept for the "Captured mails" page.
  */
  SMTP_HOST: Env.schema.string.optional({ format: 'host' }),
  SMTP_PORT: Env.schema.number.optional(),
  SMTP_USERNAME: Env.schema.string.optional(),
  SMTP_PASSWORD: Env.schema.string.optional(),
  SMTP_SECURE: Env.schema.boolean.optional(),
  MAIL_FROM: Env.schema.string.optional({ format: 'email' }),

  /*
  | Plugins: every folder of plugins/ is loaded at boot. Disable some by id,
  | or load more from other folders (comma-separated absolute paths).
  */
  XBASIS_PLUGINS_DISABLED: Env.schema.string.optional(),
  /*
  | Deployed apps of local targets answer at <app>.<APPS_DOMAIN> (host[:port],
  | default: the host of APP_URL, e.g. localhost:3333; "off" or an APP_URL
  | that is an IP address: path URLs only) and, sandboxed, at /apps/<app>/.
  | PLATFORM_ORIGINS: other public origins of the platform (comma-separated),
  | which may frame previews besides APP_URL and the machine's own addresses.
  */
  APPS_DOMAIN: Env.schema.string.optional(),
  PLATFORM_ORIGINS: Env.schema.string.optional(),
  XBASIS_AUTO_PREVIEW: Env.schema.boolean.optional(),
  /* How long (ms) a replaced deployment keeps answering after its successor is live. */
  DEPLOY_DRAIN_MS: Env.schema.number.optional(),
  /* How many apps that were live before a restart are started again at once (default 4). */
  XBASIS_RESUME_CONCURRENCY: Env.schema.number.optional(),
  /*
  | Deployment logs: runtime lines kept per deployment (the newest), build
  | lines kept, runtime lines stored per second; logs of stopped/failed
  | deployments deleted after N days or beyond the newest M of a project.
  */
  XBASIS_LOG_LINES_PER_DEPLOYMENT: Env.schema.number.optional(),
  XBASIS_BUILD_LOG_LINES: Env.schema.number.optional(),
  XBASIS_LOG_LINES_PER_SECOND: Env.schema.number.optional(),
  XBASIS_LOG_RETENTION_DAYS: Env.schema.number.optional(),
  XBASIS_LOG_KEEP_DEPLOYMENTS: Env.schema.number.optional(),
  /*
  | Job queue (deployments): this process runs jobs unless XBASIS_WORKER=false
  | (with Redis, `node ace xbasis:worker` runs them in a process of its own).
  */
  XBASIS_WORKER: Env.schema.boolean.optional(),
  XBASIS_WORKER_CONCURRENCY: Env.schema.number.optional(),
  XBASIS_WORKER_LEASE_SECONDS: Env.schema.number.optional(),
  XBASIS_PLUGIN_PATHS: Env.schema.string.optional(),
  /*
  | The process target runs every app as an OS user of its own: as root, a
  | uid/gid per app from XBASIS_APP_UID_BASE (default 1000000000) on; not
  | as root, XBASIS_APP_USER (a user name, uid or uid:gid) for every app.
  */
  XBASIS_APP_UID_BASE: Env.schema.number.optional(),
  XBASIS_APP_USER: Env.schema.string.optional(),
  /*
  | Git push goes only to https:// remotes on public addresses (checked after
  | DNS resolution). Networks of the operator's own that pushes may reach too,
  | over http:// as well: comma-separated CIDR ranges, addresses, loopback,
  | private, uniquelocal, linklocal, cgnat; unset or none: public only.
  | Checked at boot by app/workspace/push_network.ts.
  */
  XBASIS_PUSH_ALLOWED_NETWORKS: Env.schema.string.optional(),

  /*
  | AI gateway: the provider that answers first and the fallback chain
  | (comma-separated plugin ids), e.g. AI_PROVIDER=anthropic AI_FALLBACK=openai.
  */
  AI_PROVIDER: Env.schema.string.optional(),
  AI_FALLBACK: Env.schema.string.optional(),
  AI_MARKUP_PERCENT: Env.schema.number.optional(),
  AI_FIRST_TOKEN_TIMEOUT_MS: Env.schema.number.optional(),
  AI_TURN_TIMEOUT_MS: Env.schema.number.optional(),
  ANTHROPIC_API_KEY: Env.schema.string.optional(),
  ANTHROPIC_BASE_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  OPENAI_API_KEY: Env.schema.string.optional(),
  OPENAI_BASE_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  OPENAI_MODELS: Env.schema.string.optional(),
  ANTHROPIC_MODELS: Env.schema.string.optional(),

  /*
  | Billing: `none` (self-hosted, no payments) or `paddle` (SaaS). Limits of
  | the plans apply with paddle; with none only when BILLING_LIMITS=true.
  */
  BILLING: Env.schema.enum.optional(['none', 'paddle'] as const),
  BILLING_LIMITS: Env.schema.boolean.optional(),
  PADDLE_API_KEY: Env.schema.string.optional(),
  PADDLE_WEBHOOK_SECRET: Env.schema.string.optional(),
  PADDLE_ENVIRONMENT: Env.schema.enum.optional(['sandbox', 'production'] as const),
  PADDLE_API_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  PADDLE_PRICE_PRO: Env.schema.string.optional(),
  PADDLE_PRICE_TEAM: Env.schema.string.optional(),
  PADDLE_PRICE_PACK_S: Env.schema.string.optional(),
  PADDLE_PRICE_PACK_M: Env.schema.string.optional(),
  PADDLE_PRICE_PACK_L: Env.schema.string.optional(),
  COMPUTE_GRACE_DAYS: Env.schema.number.optional(),
})

/*
| Rules that depend on more than one variable. Messages name the variable
| and say what to do, so a misconfigured instance fails at boot, not later.
*/
const problems: string[] = []
if (env.get('DB_CONNECTION') === 'pg') {
  for (const key of ['PG_HOST', 'PG_USER', 'PG_DATABASE'] as const) {
    if (!env.get(key)) {
      problems.push(`${key} is required when DB_CONNECTION=pg`)
    }
  }
}
if (env.get('BILLING') === 'paddle') {
  for (const key of ['PADDLE_API_KEY', 'PADDLE_WEBHOOK_SECRET'] as const) {
    if (!env.get(key)) problems.push(`${key} is required when BILLING=paddle`)
  }
}
if (env.get('SMTP_HOST') && !env.get('SMTP_PORT')) {
  problems.push('SMTP_PORT is required when SMTP_HOST is set (usually 587 or 465)')
}
const appsDomain = env.get('APPS_DOMAIN')
if (
  appsDomain !== undefined &&
  !/^(|off|none|false|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?)$/i.test(appsDomain.trim())
) {
  problems.push('APPS_DOMAIN must be a host name with an optional port (apps.example.com, localhost:3333), without scheme or path, or "off"')
}
for (const origin of (env.get('PLATFORM_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean)) {
  if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(origin)) {
    problems.push(`PLATFORM_ORIGINS: "${origin}" is not an origin like https://xbasis.example.com (scheme, host, optional port)`)
  }
}
const appKey = env.get('APP_KEY')
if (appKey !== undefined && appKey.length < 32) {
  problems.push('APP_KEY must be at least 32 characters long (generate one with "node ace generate:key")')
}
if (problems.length) {
  // Printed as is (not as a stack trace) so the operator reads it at once.
  console.error(`xBasis: invalid environment configuration:\n  - ${problems.join('\n  - ')}`)
  process.exit(1)
}

env.set('DATA_DIR', resolveDataDir(env.get('DATA_DIR')))
if (!appKey) {
  env.set('APP_KEY', ensureAppKey(env.get('DATA_DIR')!))
}

export default env
