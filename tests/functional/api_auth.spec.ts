import { truncateAll } from '#tests/helpers/services'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { WebClient, uniqueEmail } from '#tests/helpers/web_client'

async function register(client: any, name = 'Api User', email = uniqueEmail('api'), password = 'api password 1') {
  const response = await client.post('/api/v1/auth/register').json({ name, email, password })
  response.assertStatus(201)
  return { email, password, token: response.body().token.value as string, body: response.body() }
}

test.group('API: accounts and tokens', (group) => {
  group.each.setup(() => truncateAll())

  test('register → 201 with the user (snake_case, plan, tokens_balance) and a token', async ({ client, assert }) => {
    const { body, email } = await register(client, 'Api Person')
    assert.containsSubset(body.user, { email, name: 'Api Person', plan: 'free', tokens_balance: 10_000 })
    assert.properties(body.user, ['id', 'created_at', 'workspace'])
    assert.notProperty(body.user, 'password')
    assert.match(body.token.value, /^xb_/)
    assert.equal(body.token.type, 'bearer')
  })

  test('login → token; /me reads the user; DELETE /auth/token revokes exactly that token', async ({ client, assert }) => {
    const { email, password, token: first } = await register(client)
    const login = await client.post('/api/v1/auth/login').json({ email: email.toUpperCase(), password })
    login.assertStatus(200)
    const second = login.body().token.value
    assert.notEqual(second, first)

    const me = await client.get('/api/v1/me').bearerToken(second)
    me.assertStatus(200)
    assert.containsSubset(me.body().user, { email, plan: 'free', tokens_balance: 10_000 })

    ;(await client.delete('/api/v1/auth/token').bearerToken(second)).assertStatus(204)
    const revoked = await client.get('/api/v1/me').bearerToken(second)
    revoked.assertStatus(401)
    assert.deepEqual(revoked.body(), {
      errors: [{ message: 'Unauthorized access: a valid access token is required', code: 'E_UNAUTHORIZED_ACCESS' }],
    })
    ;(await client.get('/api/v1/me').bearerToken(first)).assertStatus(200)
  })

  test('a missing, malformed, wrong or expired token gets 401 JSON', async ({ client, assert }) => {
    const { token } = await register(client)
    ;(await client.get('/api/v1/me')).assertStatus(401)
    ;(await client.get('/api/v1/me').bearerToken('garbage')).assertStatus(401)
    ;(await client.get('/api/v1/me').bearerToken(token.slice(0, -2) + 'zz')).assertStatus(401)
    ;(await client.get('/api/v1/me').header('authorization', 'Basic abc')).assertStatus(401)

    await db.from('auth_access_tokens').update({ expires_at: new Date(Date.now() - 1000) }) // as @adonisjs/auth writes it
    const expired = await client.get('/api/v1/me').bearerToken(token)
    expired.assertStatus(401)
    assert.equal(expired.header('content-type')?.split(';')[0], 'application/json')
  })

  test("a token of user A never reads user B's data", async ({ client, assert }) => {
    const a = await register(client, 'Alice', uniqueEmail('alice'))
    const b = await register(client, 'Bob', uniqueEmail('bob'))
    const meA = await client.get('/api/v1/me').bearerToken(a.token)
    const meB = await client.get('/api/v1/me').bearerToken(b.token)
    assert.equal(meA.body().user.email, a.email)
    assert.equal(meB.body().user.email, b.email)
    assert.notEqual(meA.body().user.workspace.id, meB.body().user.workspace.id)
    // A cannot revoke B's token by presenting its own.
    ;(await client.delete('/api/v1/auth/token').bearerToken(a.token)).assertStatus(204)
    ;(await client.get('/api/v1/me').bearerToken(b.token)).assertStatus(200)
  })

  test('wrong credentials: 401; 10 wrong in a row: 429 with Retry-After, even with the right password', async ({ client, assert }) => {
    const { email, password } = await register(client)
    const wrong = await client.post('/api/v1/auth/login').json({ email, password: 'nope nope' })
    wrong.assertStatus(401)
    assert.deepEqual(wrong.body(), { errors: [{ message: 'Invalid e-mail or password', code: 'E_INVALID_CREDENTIALS' }] })
    for (let i = 2; i <= 10; i++) {
      ;(await client.post('/api/v1/auth/login').json({ email, password: `nope-${i}` })).assertStatus(401)
    }
    const blocked = await client.post('/api/v1/auth/login').json({ email, password })
    blocked.assertStatus(429)
    assert.equal(blocked.body().errors[0].code, 'E_TOO_MANY_REQUESTS')
    assert.isAbove(Number(blocked.header('retry-after')), 0)
  })

  test('duplicate e-mail is a 422 on the email field', async ({ client, assert }) => {
    const { email } = await register(client)
    const again = await client.post('/api/v1/auth/register').json({ name: 'Again', email: email.toUpperCase(), password: 'another one 1' })
    again.assertStatus(422)
    assert.deepEqual(again.body(), {
      errors: [{ message: 'An account with this e-mail already exists', field: 'email', code: 'database.unique' }],
    })
  })

  test('concurrent sign-ups with one e-mail create exactly one account', async ({ client, assert }) => {
    const email = uniqueEmail('race')
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => client.post('/api/v1/auth/register').json({ name: 'Racer', email, password: 'race password' }))
    )
    const statuses = responses.map((r) => r.status()).sort()
    assert.equal(statuses.filter((s) => s === 201).length, 1)
    assert.isTrue(statuses.every((s) => s === 201 || s === 422), statuses.join(','))
    const [{ total }] = await db.from('users').where('email', email).count('* as total')
    assert.equal(Number(total), 1)
  })

  test('missing, oversized and ill-typed fields: 422 with field messages', async ({ client, assert }) => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['/api/v1/auth/register', { email: uniqueEmail(), password: 'long enough' }, 'name', 'required'],
      ['/api/v1/auth/register', { name: 'x'.repeat(101), email: uniqueEmail(), password: 'long enough' }, 'name', 'maxLength'],
      ['/api/v1/auth/register', { name: 42, email: uniqueEmail(), password: 'long enough' }, 'name', 'string'],
      ['/api/v1/auth/register', { name: 'N', email: 'nope', password: 'long enough' }, 'email', 'email'],
      ['/api/v1/auth/register', { name: 'N', email: ['a@b.co'], password: 'long enough' }, 'email', 'string'],
      ['/api/v1/auth/register', { name: 'N', email: uniqueEmail(), password: 'short' }, 'password', 'minLength'],
      ['/api/v1/auth/register', { name: 'N', email: uniqueEmail(), password: 'p'.repeat(129) }, 'password', 'maxLength'],
      ['/api/v1/auth/register', { name: 'N', email: uniqueEmail(), password: 12345678 }, 'password', 'string'],
      ['/api/v1/auth/login', { password: 'x' }, 'email', 'required'],
      ['/api/v1/auth/login', { email: uniqueEmail() }, 'password', 'required'],
      ['/api/v1/auth/login', { email: uniqueEmail(), password: { $ne: '' } }, 'password', 'string'],
      ['/api/v1/auth/login', { email: uniqueEmail(), password: 'p'.repeat(129) }, 'password', 'maxLength'],
    ]
    for (const [url, payload, field, code] of cases) {
      const response = await client.post(url).json(payload)
      assert.equal(response.status(), 422, `${url} ${JSON.stringify(payload).slice(0, 60)}`)
      const error = response.body().errors.find((e: any) => e.field === field)
      assert.exists(error, `${url}: an error on ${field}`)
      assert.equal(error.code, code)
      assert.isString(error.message)
    }
    const [{ total }] = await db.from('users').count('* as total')
    assert.equal(Number(total), 0)
  })

  test('errors are JSON, never HTML: unknown route 404, bad JSON 400, oversized body 413', async ({ client, assert }) => {
    const missing = await client.get('/api/v1/nothing-here')
    missing.assertStatus(404)
    assert.deepEqual(missing.body(), { errors: [{ message: 'Route not found', code: 'E_ROUTE_NOT_FOUND' }] })

    const badJson = await fetch(`${new WebClient().baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    })
    assert.equal(badJson.status, 400)
    const badBody = (await badJson.json()) as any
    assert.isArray(badBody.errors)
    assert.notInclude(JSON.stringify(badBody), 'at ')

    const huge = await client.post('/api/v1/auth/register').json({ name: 'x', email: uniqueEmail(), password: 'y'.repeat(2 * 1024 * 1024) })
    huge.assertStatus(413)
    assert.isArray(huge.body().errors)
  })
})
