import { mkdirSync } from 'node:fs'
import env from '#start/env'
import app from '@adonisjs/core/services/app'

/**
 * Is this run CI's? There a missing prerequisite (chromium, docker, Redis)
 * fails the test instead of skipping it.
 */
export const inCI = ['1', 'true'].includes(String(process.env.CI).toLowerCase())

/**
 * Creates the test database on PostgreSQL when it does not exist yet, so
 * `npm test` works on a fresh machine with PostgreSQL running. SQLite needs
 * only its folder.
 */
export async function prepareDatabase() {
  if (env.get('DB_CONNECTION') !== 'pg') {
    mkdirSync(env.get('DATA_DIR')!, { recursive: true })
    return
  }
  const { default: pg } = await import('pg')
  const database = env.get('PG_DATABASE')!
  const client = new pg.Client({
    host: env.get('PG_HOST'),
    port: env.get('PG_PORT', 5432),
    user: env.get('PG_USER'),
    password: env.get('PG_PASSWORD'),
    database: 'postgres',
  })
  await client.connect()
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database])
    if (found.rowCount === 0) {
      await client.query(`create database "${database.replace(/"/g, '""')}"`)
    }
  } finally {
    await client.end()
  }
}

/**
 * Clears the rate limiter counters of earlier runs (Redis keeps them).
 */
export async function resetRateLimits() {
  if (!env.get('REDIS_HOST')) return
  const { default: redis } = await import('@adonisjs/redis/services/main')
  const connection = redis.connection()
  // ioredis applies keyPrefix to commands but not to KEYS patterns' results.
  const prefix = env.get('REDIS_KEY_PREFIX', 'xbasis:')
  const keys = await connection.keys('*')
  const ours = keys
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length))
  if (ours.length) await connection.del(...ours)
}

export function isRedisConfigured() {
  return Boolean(env.get('REDIS_HOST'))
}

export { app }

/**
 * Empties every table between tests. One TRUNCATE statement on PostgreSQL
 * (truncating tables one by one with CASCADE deadlocks when they reference
 * each other); child tables first on SQLite.
 */
export async function truncateAll() {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { default: xbasis } = await import('#config/xbasis')
  const { rmSync } = await import('node:fs')
  // Project repositories go with their rows (ids restart with the tables),
  // and no deployed app outlives its test.
  rmSync(xbasis.paths.projects, { recursive: true, force: true })
  const { default: DeployService } = await import('#services/deploy_service')
  const projects = await db.from('projects').select('id').catch(() => [])
  for (const { id } of projects) await new DeployService().destroyAll(id)
  // The log writer's counters and queued lines are per deployment id, and ids restart.
  const { deployLogs } = await import('#services/deploy_log_writer')
  deployLogs.forgetAll()
  const connection = db.connection()
  const tables = (await connection.getAllTables(connection.dialect.name === 'postgres' ? ['public'] : undefined)).filter((t) => !t.startsWith('adonis_schema'))
  // Rate-limit counters are keyed by user ids, which restart with the
  // tables: one test's wrong guesses must not block the next test's user 1.
  await resetRateLimits()
  const { default: limiter } = await import('@adonisjs/limiter/services/main')
  await limiter.clear(['memory'])
  if (connection.dialect.name === 'postgres') {
    if (tables.length) await connection.rawQuery(`TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`)
    return
  }
  await connection.rawQuery('PRAGMA foreign_keys = OFF')
  try {
    for (const table of tables) await connection.from(table).delete()
    await connection.rawQuery("DELETE FROM sqlite_sequence").catch(() => {})
  } finally {
    await connection.rawQuery('PRAGMA foreign_keys = ON')
  }
}
