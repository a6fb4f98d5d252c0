import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startModule, stopCleanly } from './harness.js'

function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('session='))!
  return cookie.split(';')[0]
}

test.group('Module accounts', () => {
  test('sign up, log in, the session cookie works, wrong passwords are refused, log out ends the session', async ({ assert, cleanup }) => {
    const { app } = await startModule('accounts', assert, cleanup)
    const credentials = { email: 'Ada@Example.com', password: 'analytical engine' }

    const signup = await app.request('/signup', { method: 'POST', form: credentials })
    assert.equal(signup.status, 303)
    assert.equal(signup.headers.get('location'), '/account')
    const setCookie = signup.headers.getSetCookie().join('\n')
    assert.include(setCookie, 'HttpOnly')
    assert.include(setCookie, 'SameSite=Lax')

    // The same e-mail cannot sign up twice; short passwords are refused.
    assert.equal((await app.request('/signup', { method: 'POST', form: credentials })).status, 422)
    assert.equal((await app.request('/signup', { method: 'POST', form: { email: 'b@example.com', password: 'short' } })).status, 422)

    const wrong = await app.request('/login', { method: 'POST', form: { email: 'ada@example.com', password: 'difference engine' } })
    assert.equal(wrong.status, 401)
    assert.lengthOf(wrong.headers.getSetCookie(), 0)

    const login = await app.request('/login', { method: 'POST', form: { email: 'ada@example.com', password: 'analytical engine' } })
    assert.equal(login.status, 303)
    const cookie = sessionCookie(login)

    const account = await app.request('/account', { headers: { cookie } })
    assert.equal(account.status, 200)
    assert.include(await account.text(), 'ada@example.com')
    const me = (await (await app.request('/api/me', { headers: { cookie } })).json()) as { user: Record<string, unknown> }
    assert.equal(me.user.email, 'ada@example.com')
    assert.notProperty(me.user, 'password_hash')

    // A forged or tampered cookie is no session.
    const [id] = cookie.slice('session='.length).split('.')
    assert.equal((await app.request('/account', { headers: { cookie: `session=${id}.forged` } })).status, 303)

    const logout = await app.request('/logout', { method: 'POST', headers: { cookie } })
    assert.equal(logout.status, 303)
    // The session is gone server-side: replaying the old cookie does not work.
    assert.equal((await app.request('/account', { headers: { cookie } })).status, 303)

    assert.equal((await app.request('/api/me')).status, 401)

    // The stored user has a scrypt hash, never the password; sessions are stored as hashes too.
    const users = readFileSync(join(app.dataDir, 'store', 'users.json'), 'utf8')
    assert.include(users, '"password_hash": "scrypt$16384$8$1$')
    assert.notInclude(users, 'analytical engine')
    assert.notInclude(readFileSync(join(app.dataDir, 'store', 'sessions.json'), 'utf8'), id)

    await stopCleanly(app, assert)
  })

  test('ten wrong passwords in a row lock the e-mail for this address', async ({ assert, cleanup }) => {
    const { app } = await startModule('accounts', assert, cleanup)
    await app.request('/signup', { method: 'POST', form: { email: 'x@example.com', password: 'right password' } })
    for (let i = 0; i < 10; i++) {
      assert.equal((await app.request('/login', { method: 'POST', form: { email: 'x@example.com', password: 'wrong' } })).status, 401)
    }
    const locked = await app.request('/login', { method: 'POST', form: { email: 'x@example.com', password: 'right password' } })
    assert.equal(locked.status, 429)
    await stopCleanly(app, assert)
  })
})
