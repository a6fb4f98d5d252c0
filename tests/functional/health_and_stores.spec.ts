import { truncateAll } from '#tests/helpers/services'
import { test } from '@japa/runner'
import env from '#start/env'
import redis from '@adonisjs/redis/services/main'
import { inCI } from '#tests/helpers/services'
import { WebClient, signedUpClient } from '#tests/helpers/web_client'

const redisConfigured = Boolean(env.get('REDIS_HOST'))
const prefix = env.get('REDIS_KEY_PREFIX', 'xbasis:')

test.group('Health probes', () => {
  test('live answers without touching dependencies', async ({ client, assert }) => {
    const response = await client.get('/health/live')
    response.assertStatus(200)
    assert.equal(response.body().status, 'ok')
  })

  test('ready checks the database, and Redis when configured; no debug info leaks', async ({ client, assert }) => {
    const response = await client.get('/health/ready')
    response.assertStatus(200)
    const body = response.body()
    assert.equal(body.status, 'ok')
    const names = body.checks.map((check: any) => check.name).join(' | ')
    assert.match(names, new RegExp(`Database health check \\(${env.get('DB_CONNECTION')}\\)`))
    assert.equal(/Redis/i.test(names), redisConfigured)
    assert.notProperty(body, 'debugInfo')
  })
})

test.group('Session and limiter stores', (group) => {
  group.each.setup(() => truncateAll())

  test('CI runs the PostgreSQL suite with Redis configured and the SQLite suite without it', ({ assert }) => {
    // The SQLite pass deliberately runs without Redis (the embedded default):
    // `REDIS_HOST=` must win over .env.test (bin/test.ts), or it would quietly use Redis.
    if (inCI && env.get('DB_CONNECTION') === 'pg') assert.isTrue(redisConfigured, 'REDIS_HOST must be set in CI')
    else if (inCI) assert.isFalse(redisConfigured, 'the SQLite pass must run without Redis')
    else assert.oneOf(env.get('DB_CONNECTION'), ['pg', 'sqlite'])
  })

  test('sessions live in Redis when REDIS_HOST is set, otherwise in the database; the cookie holds only the id', async ({ assert }) => {
    const { client } = await signedUpClient()
    const sessionId = decodeURIComponent(client.cookies.get('xbasis-session')!)
    // The signed cookie "s:<base64 json>.<signature>" names the session id.
    const id = JSON.parse(Buffer.from(sessionId.slice(2).split('.')[0], 'base64url').toString()).message
    assert.notExists(client.cookies.get(id), 'no session data cookie next to the id')
    if (redisConfigured) {
      const stored = await redis.get(id)
      assert.exists(stored, 'the session is stored in Redis under its id')
      assert.include(stored!, 'auth_web')
    } else {
      const { default: db } = await import('@adonisjs/lucid/services/db')
      const row = await db.from('sessions').where('id', id).first()
      assert.exists(row, 'the session is a row of the sessions table')
      assert.include(row.data, 'auth_web')
      assert.isNotNull(row.user_id, 'tagged with its user')
    }
    // Either way the session keeps the user logged in.
    assert.equal((await client.get('/dashboard')).status, 200)
  })

  test('rate-limit counters live in Redis when REDIS_HOST is set', async ({ assert }) => {
    const { email } = await signedUpClient()
    const client = new WebClient()
    await client.submit('/login', '/login', { email, password: 'wrong password' })
    const keys = redisConfigured ? await redis.keys(`${prefix}*login*`) : []
    if (redisConfigured) {
      assert.isAbove(keys.length, 0, 'limiter keys in Redis')
    } else {
      assert.lengthOf(keys, 0)
    }
  })
})
