import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'
import { SessionCollection } from '@adonisjs/session'
import User from '#models/user'
import SessionService from '#services/session_service'
import { truncateAll } from '#tests/helpers/services'
import { WebClient, signedUpClient } from '#tests/helpers/web_client'
import { backgroundTasksSettled } from '#lib/after_response'

/**
 * The session id a client's signed cookie names ("s:<base64 json>.<sig>").
 */
function sessionIdOf(client: WebClient): string {
  const cookie = decodeURIComponent(client.cookies.get('xbasis-session')!)
  return JSON.parse(Buffer.from(cookie.slice(2).split('.')[0], 'base64url').toString()).message
}

/**
 * A second browser with a copy of every cookie of `client`.
 */
function copyOf(client: WebClient): WebClient {
  const copy = new WebClient()
  for (const [name, value] of client.cookies) copy.cookies.set(name, value)
  return copy
}

async function loggedIn(email: string, password: string, fields: Record<string, string> = {}) {
  const client = new WebClient()
  const response = await client.submit('/login', '/login', { email, password, ...fields })
  if (response.location !== '/dashboard') throw new Error(`login failed: ${response.status} ${response.location}`)
  return client
}

async function apiStatus(client: WebClient, token: string) {
  return (await fetch(`${client.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status
}

async function changePassword(client: WebClient, current: string, next: string, extra: Record<string, string> = {}) {
  return client.submit('/settings/account', '/settings/password?_method=PUT', {
    current_password: current,
    password: next,
    password_confirmation: next,
    ...extra,
  })
}

/**
 * Users' ids restart with the tables: sessions of an earlier test's user
 * must not be listed for this one's (Redis outlives the truncation).
 */
async function clearStoredSessions() {
  if (!env.get('REDIS_HOST')) return
  const { default: redis } = await import('@adonisjs/redis/services/main')
  const prefix = env.get('REDIS_KEY_PREFIX', 'xbasis:')
  const tags = (await redis.keys(`${prefix}session_tag:*`)).map((key) => key.slice(prefix.length))
  for (const tag of tags) {
    const ids = await redis.smembers(tag)
    if (ids.length) await redis.del(...ids)
    await redis.del(tag)
  }
}

test.group('Sessions: server-side, revocable', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    await clearStoredSessions()
  })

  test('logout ends the session: a copy of the cookie no longer opens the dashboard', async ({ assert }) => {
    const { client } = await signedUpClient()
    const stolen = copyOf(client)
    const oldId = sessionIdOf(client)
    assert.equal((await stolen.get('/dashboard')).status, 200, 'the copy works while the session lives')

    const out = await client.post('/logout', {})
    assert.equal(out.location, '/')
    // Nothing is left in the store under the old id.
    const collection = await app.container.make(SessionCollection)
    assert.isNull(await collection.get(oldId))
    assert.equal((await stolen.get('/dashboard')).location, '/login')
    assert.equal((await client.get('/dashboard')).location, '/login')
  })

  test('a user\'s sessions are listed with their device, and one can be revoked; nobody else\'s', async ({ assert }) => {
    const { client, email, password } = await signedUpClient('Lister')
    const second = await loggedIn(email, password)
    const other = await signedUpClient('Someone Else')
    const user = await User.findByOrFail('email', email)
    const sessions = new SessionService()

    const listed = await sessions.list(user, sessionIdOf(client))
    assert.sameMembers(listed.map((s) => s.id), [sessionIdOf(client), sessionIdOf(second)])
    assert.isTrue(listed.find((s) => s.id === sessionIdOf(client))!.current)
    for (const entry of listed) {
      assert.equal(entry.ip, '127.0.0.1')
      assert.isString(entry.signedInAt)
    }

    assert.isFalse(await sessions.revoke(user, sessionIdOf(other.client)), 'another user\'s session is not found')
    assert.equal((await other.client.get('/dashboard')).status, 200)
    assert.isTrue(await sessions.revoke(user, sessionIdOf(second)))
    assert.equal((await second.get('/dashboard')).location, '/login')
    assert.equal((await client.get('/dashboard')).status, 200)
  })

  test('a password change logs out the other sessions and revokes API tokens; this browser stays in', async ({ assert }) => {
    const { client, email, password } = await signedUpClient()
    const laptop = await loggedIn(email, password)
    const remembered = await loggedIn(email, password, { remember: 'true' })
    const rememberCookieOnly = new WebClient()
    rememberCookieOnly.cookies.set('remember_web', remembered.cookies.get('remember_web')!)
    const user = await User.findByOrFail('email', email)
    const token = (await User.accessTokens.create(user)).value!.release()
    assert.equal(await apiStatus(client, token), 200)

    const changed = await changePassword(client, password, 'a brand new password')
    assert.equal(changed.location, '/settings/account')
    assert.include((await client.follow(changed)).text, 'Your other sessions were logged out and your API tokens revoked')

    assert.equal((await client.get('/dashboard')).status, 200, 'the browser that changed it stays signed in')
    assert.equal((await laptop.get('/dashboard')).location, '/login')
    assert.equal((await remembered.get('/dashboard')).location, '/login')
    assert.equal((await rememberCookieOnly.get('/dashboard')).location, '/login', 'remember-me tokens are revoked too')
    assert.equal(await apiStatus(client, token), 401)
  })

  test('a password change keeps the API tokens when the user ticks the box', async ({ assert }) => {
    const { client, email, password } = await signedUpClient()
    const laptop = await loggedIn(email, password)
    const user = await User.findByOrFail('email', email)
    const token = (await User.accessTokens.create(user)).value!.release()

    const changed = await changePassword(client, password, 'a brand new password', { keep_api_tokens: 'true' })
    assert.equal(changed.location, '/settings/account')
    assert.include((await client.follow(changed)).text, 'your API tokens still work')
    assert.equal(await apiStatus(client, token), 200)
    assert.equal((await laptop.get('/dashboard')).location, '/login')
  })

  test('a password reset ends every session and revokes API tokens unless kept', async ({ assert }) => {
    const { client, email } = await signedUpClient()
    const user = await User.findByOrFail('email', email)
    const revoked = (await User.accessTokens.create(user)).value!.release()

    const reset = async (fields: Record<string, string>) => {
      const visitor = new WebClient()
      await visitor.submit('/forgot-password', '/forgot-password', { email })
      await backgroundTasksSettled()
      const mail = await db.from('captured_mails').where('to_address', email).orderBy('id', 'desc').first()
      const token = String(mail.text_body).match(/\/reset-password\/([\w-]+)/)![1]
      await visitor.get(`/reset-password/${token}`)
      return visitor.post('/reset-password', { token, ...fields })
    }

    const first = await reset({ password: 'reset password one', password_confirmation: 'reset password one' })
    assert.equal(first.location, '/login')
    assert.equal((await client.get('/dashboard')).location, '/login', 'the signed-in browser is logged out')
    assert.equal(await apiStatus(client, revoked), 401)

    const again = await loggedIn(email, 'reset password one')
    const kept = (await User.accessTokens.create(user)).value!.release()
    const second = await reset({ password: 'reset password two', password_confirmation: 'reset password two', keep_api_tokens: 'true' })
    assert.equal(second.location, '/login')
    assert.equal((await again.get('/dashboard')).location, '/login')
    assert.equal(await apiStatus(client, kept), 200)
  })

  test('a session restored from a remember-me cookie is tagged, so a password change ends it too', async ({ assert }) => {
    const { client, email, password } = await signedUpClient()
    const remembered = await loggedIn(email, password, { remember: 'true' })
    // The browser restarts: the session cookie is gone, remember-me restores a session.
    const restarted = new WebClient()
    restarted.cookies.set('remember_web', remembered.cookies.get('remember_web')!)
    assert.equal((await restarted.get('/dashboard')).status, 200)
    const user = await User.findByOrFail('email', email)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const listed = await new SessionService().list(user)
    assert.include(listed.map((s) => s.id), sessionIdOf(restarted))

    // Keep only the restored session cookie (no remember-me), then change the password elsewhere.
    const sessionOnly = new WebClient()
    sessionOnly.cookies.set('xbasis-session', restarted.cookies.get('xbasis-session')!)
    assert.equal((await sessionOnly.get('/dashboard')).status, 200)
    await changePassword(client, password, 'a brand new password')
    assert.equal((await sessionOnly.get('/dashboard')).location, '/login')
  })
})
