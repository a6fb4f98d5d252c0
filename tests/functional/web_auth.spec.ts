import { truncateAll } from '#tests/helpers/services'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { WebClient, signedUpClient, uniqueEmail } from '#tests/helpers/web_client'

test.group('Web accounts: sign up', (group) => {
  group.each.setup(() => truncateAll())

  test('sign-up creates the user, a personal workspace they own, and logs them in', async ({ assert }) => {
    const { client, email } = await signedUpClient('Grace Hopper')

    const dashboard = await client.get('/dashboard')
    assert.equal(dashboard.status, 200)
    assert.include(dashboard.text, 'Hello, Grace Hopper')
    assert.include(dashboard.text, 'Welcome to xBasis, Grace Hopper!')
    assert.match(dashboard.text, /data-test="plan">Free</)

    const user = await User.findByOrFail('email', email)
    const workspace = await user.personalWorkspace()
    assert.equal(workspace.plan, 'free')
    // The Free plan's allowance, granted with a ledger entry.
    assert.equal(workspace.tokensBalance, 10_000)
    const grants = await db.from('transactions').where('workspace_id', workspace.id)
    assert.lengthOf(grants, 1)
    assert.containsSubset(grants[0], { type: 'grant', description: 'Free plan allowance' })
    assert.equal(Number(grants[0].tokens), 10_000)
    const membership = await db
      .from('workspace_members')
      .where({ workspace_id: workspace.id, user_id: user.id })
      .first()
    assert.equal(membership.role, 'owner')
  })

  test('the first account of a self-hosted instance becomes admin, later ones do not', async ({ assert }) => {
    const first = await signedUpClient('First')
    const second = await signedUpClient('Second')
    assert.isTrue((await User.findByOrFail('email', first.email)).isAdmin)
    assert.isFalse((await User.findByOrFail('email', second.email)).isAdmin)

    assert.equal((await first.client.get('/admin/users')).status, 200)
    const list = await first.client.get('/admin/users')
    assert.include(list.text, second.email)
    assert.equal((await second.client.get('/admin/users')).status, 403)
  })

  test('e-mails are stored lower-case and a duplicate is a clear error', async ({ assert }) => {
    const email = uniqueEmail()
    await signedUpClient('One', email.toUpperCase())
    assert.exists(await User.findBy('email', email))

    const client = new WebClient()
    const again = await client.submit('/signup', '/signup', { name: 'Two', email, password: 'another password' })
    assert.equal(again.status, 422)
    assert.include(again.text, 'An account with this e-mail already exists')
    assert.include(again.text, `value="${email}"`)
    const [{ total }] = await db.from('users').where('email', email).count('* as total')
    assert.equal(Number(total), 1)
  })

  test('missing, oversized and ill-typed fields are refused with 422 and field messages', async ({ assert }) => {
    const client = new WebClient()
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ name: '', email: uniqueEmail(), password: 'long enough' }, 'name', /The name field is required/],
      [{ name: 'x'.repeat(101), email: uniqueEmail(), password: 'long enough' }, 'name', /must not be longer than 100/],
      [{ name: 'Eve', email: 'not-an-email', password: 'long enough' }, 'email', /Enter a valid e-mail address/],
      [{ name: 'Eve', email: 'a'.repeat(250) + '@example.com', password: 'long enough' }, 'email', /longer than 254|valid e-mail/],
      [{ name: 'Eve', email: uniqueEmail(), password: 'short' }, 'password', /at least 8 characters/],
      [{ name: 'Eve', email: uniqueEmail(), password: 'p'.repeat(129) }, 'password', /must not be longer than 128/],
    ]
    for (const [fields, field, message] of cases) {
      const response = await client.submit('/signup', '/signup', fields)
      assert.equal(response.status, 422, `${field}: ${JSON.stringify(fields).slice(0, 80)}`)
      assert.match(response.text, new RegExp(`data-error-for="${field}">[^<]*${message.source}`))
      assert.notInclude(response.text, `value="${fields.password}"`, 'the password is never echoed back')
    }
    const [{ total }] = await db.from('users').count('* as total')
    assert.equal(Number(total), 0)
  })

  test('a form post without a CSRF token is refused with a flash message', async ({ assert }) => {
    const client = new WebClient()
    await client.get('/signup')
    const response = await client.post('/signup', { _csrf: 'forged', name: 'Mallory', email: uniqueEmail(), password: 'long enough' })
    assert.equal(response.status, 302)
    const page = await client.follow(response)
    assert.include(page.text, 'The form expired. Please try again.')
    const [{ total }] = await db.from('users').count('* as total')
    assert.equal(Number(total), 0)
  })
})

test.group('Web accounts: sessions', (group) => {
  group.each.setup(() => truncateAll())

  test('log out, then log in again with the right password only', async ({ assert }) => {
    const { client, email, password } = await signedUpClient()
    const out = await client.post('/logout', {})
    assert.equal(out.location, '/')
    assert.equal((await client.get('/dashboard')).location, '/login')

    const wrong = await client.submit('/login', '/login', { email, password: 'not the password' })
    assert.equal(wrong.status, 302)
    const page = await client.follow(wrong)
    assert.include(page.text, 'Invalid e-mail or password')
    assert.include(page.text, `value="${email}"`)

    const right = await client.submit('/login', '/login', { email, password })
    assert.equal(right.location, '/dashboard')
    assert.equal((await client.get('/dashboard')).status, 200)
  })

  test('"remember me" sets a long-lived token that logs the browser in after the session is gone', async ({ assert }) => {
    const { email, password } = await signedUpClient()
    const client = new WebClient()
    const response = await client.submit('/login', '/login', { email, password, remember: 'true' })
    assert.equal(response.location, '/dashboard')
    const rememberCookie = response.headers.getSetCookie().find((c) => c.startsWith('remember_web='))
    assert.exists(rememberCookie)
    assert.match(rememberCookie!, /Max-Age=25920\d\d/i)

    // The browser restarts: only the remember-me cookie survives.
    const restarted = new WebClient()
    restarted.cookies.set('remember_web', client.cookies.get('remember_web')!)
    const dashboard = await restarted.get('/dashboard')
    assert.equal(dashboard.status, 200)

    const plain = await new WebClient().submit('/login', '/login', { email, password })
    const issued = plain.headers.getSetCookie().filter((c) => /^remember_web=[^;]/.test(c))
    assert.lengthOf(issued, 0, 'no remember-me token without the checkbox')
  })

  test('pages behind login redirect visitors; guest pages redirect members', async ({ assert }) => {
    const visitor = new WebClient()
    assert.equal((await visitor.get('/dashboard')).location, '/login')
    for (const path of ['/settings/account', '/settings/tokens', '/admin/users']) {
      const response = await visitor.get(path)
      assert.equal(response.status, 302, path)
      assert.equal(response.location, `/login?redirect=${encodeURIComponent(path)}`, path)
    }
    const { client } = await signedUpClient()
    assert.equal((await client.get('/login')).location, '/dashboard')
    assert.equal((await client.get('/signup')).location, '/dashboard')
  })

  test('after login only same-site paths are followed', async ({ assert }) => {
    const { email, password } = await signedUpClient()
    const client = new WebClient()
    const safe = await client.submit('/login', '/login', { email, password, redirect: '/settings/tokens?tab=new' })
    assert.equal(safe.location, '/settings/tokens?tab=new')
    for (const unsafe of ['//evil.example.com', '/\\evil.example.com', '/\t/evil.example.com', 'https://evil.example.com/', 'javascript:alert(1)']) {
      const response = await new WebClient().submit('/login', '/login', { email, password, redirect: unsafe })
      assert.equal(response.location, '/dashboard', unsafe)
    }
  })

  test('a visitor sent to log in lands on the page they asked for (the redirect parameter of the auth middleware)', async ({ assert }) => {
    const { email, password } = await signedUpClient()
    const client = new WebClient()
    const asked = await client.get('/settings/tokens')
    assert.equal(asked.location, '/login?redirect=%2Fsettings%2Ftokens')
    const form = await client.follow(asked)
    // The login page carries the target in the form it posts.
    const hidden = form.text.match(/name="redirect" value="([^"]+)"/)
    assert.exists(hidden, 'the login form has the redirect field')
    assert.equal(hidden![1], '/settings/tokens')

    // A wrong password keeps the target; the right one goes there.
    const wrong = await client.post('/login?redirect=%2Fsettings%2Ftokens', { email, password: 'not it', redirect: hidden![1] })
    assert.equal(wrong.location, '/login?redirect=%2Fsettings%2Ftokens')
    const again = await client.follow(wrong)
    const kept = again.text.match(/name="redirect" value="([^"]+)"/)
    const right = await client.post('/login', { email, password, redirect: kept![1] })
    assert.equal(right.location, '/settings/tokens')
    assert.equal((await client.get('/settings/tokens')).status, 200)
  })

  test('10 wrong passwords in a row are throttled with 429, even for the right password', async ({ assert }) => {
    const { email, password } = await signedUpClient()
    const client = new WebClient()
    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await client.submit('/login', '/login', { email, password: `wrong-${attempt}` })
      assert.equal(response.status, 302, `attempt ${attempt}`)
    }
    const blocked = await client.submit('/login', '/login', { email, password })
    assert.equal(blocked.status, 429)
    assert.include(blocked.text, 'Too many failed attempts')
    assert.isAbove(Number(blocked.headers.get('retry-after')), 0)
    assert.equal((await client.get('/dashboard')).location, '/login')
  })
})

test.group('Web accounts: settings', (group) => {
  group.each.setup(() => truncateAll())

  test('change password: the current one is checked, the new one works, the old one stops working', async ({ assert }) => {
    const { client, email, password } = await signedUpClient()

    const wrongCurrent = await client.submit('/settings/account', '/settings/password?_method=PUT', {
      current_password: 'not it at all',
      password: 'a brand new password',
      password_confirmation: 'a brand new password',
    })
    assert.equal(wrongCurrent.status, 302)
    assert.include((await client.follow(wrongCurrent)).text, 'The current password is not correct')

    const mismatch = await client.submit('/settings/account', '/settings/password?_method=PUT', {
      current_password: password,
      password: 'a brand new password',
      password_confirmation: 'something else',
    })
    assert.equal(mismatch.status, 422)
    assert.include(mismatch.text, 'The password confirmation does not match')

    const ok = await client.submit('/settings/account', '/settings/password?_method=PUT', {
      current_password: password,
      password: 'a brand new password',
      password_confirmation: 'a brand new password',
    })
    assert.equal(ok.location, '/settings/account')

    const old = await new WebClient().submit('/login', '/login', { email, password })
    assert.equal(old.location, '/login')
    const fresh = await new WebClient().submit('/login', '/login', { email, password: 'a brand new password' })
    assert.equal(fresh.location, '/dashboard')
  })

  test('delete account removes the user, their workspace, memberships and tokens', async ({ assert }) => {
    const { client, email, password } = await signedUpClient()
    const other = await signedUpClient('Other')
    const user = await User.findByOrFail('email', email)
    await User.accessTokens.create(user)

    const refused = await client.submit('/settings/account', '/settings/account?_method=DELETE', { delete_password: 'wrong one' })
    assert.equal(refused.status, 302)
    assert.exists(await User.find(user.id))

    const deleted = await client.submit('/settings/account', '/settings/account?_method=DELETE', { delete_password: password })
    assert.equal(deleted.location, '/')
    assert.include((await client.follow(deleted)).text, 'Your account and its data were deleted')

    assert.notExists(await User.find(user.id))
    assert.lengthOf(await db.from('workspaces').where('owner_id', user.id), 0)
    assert.lengthOf(await db.from('workspace_members').where('user_id', user.id), 0)
    assert.lengthOf(await db.from('auth_access_tokens').where('tokenable_id', user.id), 0)
    assert.equal((await client.get('/dashboard')).location, '/login')
    // Nobody else's data is touched.
    assert.exists(await User.findBy('email', other.email))
    assert.equal((await other.client.get('/dashboard')).status, 200)
  })

  test('API tokens: created on the settings page (shown once), listed, revoked; others cannot revoke them', async ({ assert }) => {
    const { client } = await signedUpClient()
    const created = await client.submit('/settings/tokens', '/settings/tokens', { name: 'CI deploys', expires_in_days: '30' })
    assert.equal(created.location, '/settings/tokens')
    const page = await client.follow(created)
    const secret = page.text.match(/data-test="new-token"|value="(xb_[^"]+)"/g)
    const token = page.text.match(/value="(xb_[^"]+)"/)?.[1]
    assert.exists(secret)
    assert.exists(token)

    const me = await fetch(`${client.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(me.status, 200)

    const again = await client.get('/settings/tokens')
    assert.notInclude(again.text, token!, 'the secret is shown once only')
    assert.include(again.text, 'CI deploys')
    const id = again.text.match(/data-token-id="(\d+)"/)![1]

    const intruder = await signedUpClient('Intruder')
    const foreign = await intruder.client.submit('/settings/tokens', `/settings/tokens/${id}?_method=DELETE`, {})
    assert.include((await intruder.client.follow(foreign)).text, 'Token not found')
    assert.equal((await fetch(`${client.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200)

    const revoked = await client.submit('/settings/tokens', `/settings/tokens/${id}?_method=DELETE`, {})
    assert.include((await client.follow(revoked)).text, 'Token revoked')
    assert.equal((await fetch(`${client.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401)
  })

  test('token form: bad name and expiry are refused with 422', async ({ assert }) => {
    const { client } = await signedUpClient()
    const noName = await client.submit('/settings/tokens', '/settings/tokens', { name: '' })
    assert.equal(noName.status, 422)
    assert.match(noName.text, /data-error-for="name"/)
    const badExpiry = await client.submit('/settings/tokens', '/settings/tokens', { name: 'x', expires_in_days: 'soon' })
    assert.equal(badExpiry.status, 422)
    assert.match(badExpiry.text, /data-error-for="expires_in_days"/)
    const tooLong = await client.submit('/settings/tokens', '/settings/tokens', { name: 'x', expires_in_days: '9999' })
    assert.equal(tooLong.status, 422)
  })
})
