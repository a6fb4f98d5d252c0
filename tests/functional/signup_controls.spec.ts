import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import xbasis from '#config/xbasis'
import User from '#models/user'
import { truncateAll } from '#tests/helpers/services'
import { WebClient, signedUpClient, uniqueEmail } from '#tests/helpers/web_client'
import { backgroundTasksSettled } from '#lib/after_response'

let addressCounter = 0
/**
 * A client address of its own for each call (the test client is loopback,
 * a trusted proxy by default, so its X-Forwarded-For is believed).
 */
function freshAddress() {
  addressCounter += 1
  return `198.51.${100 + (Date.now() % 50)}.${addressCounter % 250}`
}

async function apiRegister(address: string, email = uniqueEmail()) {
  const response = await fetch(`${new WebClient().baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ name: 'Farmer', email, password: 'long enough password' }),
  })
  return { status: response.status, headers: response.headers, body: (await response.json()) as any }
}

/**
 * Runs `body` with config values changed, then puts them back.
 */
async function withConfig(changes: { edition?: 'selfhosted' | 'saas'; mode?: 'open' | 'invite' | 'closed'; perHour?: number }, body: () => Promise<void>) {
  const saved = { edition: xbasis.edition, mode: xbasis.signup.mode, perHour: xbasis.signup.perAddressPerHour }
  if (changes.edition) xbasis.edition = changes.edition
  if (changes.mode) xbasis.signup.mode = changes.mode
  if (changes.perHour) xbasis.signup.perAddressPerHour = changes.perHour
  try {
    await body()
  } finally {
    xbasis.edition = saved.edition
    xbasis.signup.mode = saved.mode
    xbasis.signup.perAddressPerHour = saved.perHour
  }
}

async function setModeAsAdmin(admin: WebClient, mode: string) {
  const response = await admin.submit('/admin/signup', '/admin/signup?_method=PUT', { mode })
  if (response.location !== '/admin/signup') throw new Error(`could not set the mode: ${response.status}`)
}

test.group('Sign-up: throttle', (group) => {
  group.each.setup(() => truncateAll())

  test('sign-ups are limited per address per hour, on the API and the web form; other addresses are not affected', async ({ assert }) => {
    await signedUpClient('Admin') // the instance's first account
    await withConfig({ perHour: 3 }, async () => {
      const farm = freshAddress()
      for (let i = 1; i <= 3; i++) assert.equal((await apiRegister(farm)).status, 201, `sign-up ${i}`)
      const blocked = await apiRegister(farm)
      assert.equal(blocked.status, 429)
      assert.equal(blocked.body.errors[0].code, 'E_TOO_MANY_REQUESTS')
      assert.isAbove(Number(blocked.headers.get('retry-after')), 0)
      assert.equal((await apiRegister(freshAddress())).status, 201, 'another address still signs up')

      // The web form shares the limit.
      const browser = new WebClient()
      browser.headers['x-forwarded-for'] = farm
      const page = await browser.submit('/signup', '/signup', { name: 'Farmer', email: uniqueEmail(), password: 'long enough password' })
      assert.equal(page.status, 429)
      assert.include(page.text, 'Too many sign-ups from your address')
    })
    const [{ total }] = await db.from('users').count('* as total')
    assert.equal(Number(total), 1 + 3 + 1)
  })
})

test.group('Sign-up: open, invite, closed', (group) => {
  group.each.setup(() => truncateAll())

  test('invite and closed refuse public sign-up on the web (403) and the API (403 signup_closed); the admin page wins over XBASIS_SIGNUP', async ({ assert }) => {
    const admin = await signedUpClient('Admin')
    for (const mode of ['invite', 'closed']) {
      await setModeAsAdmin(admin.client, mode)
      const visitor = new WebClient()
      const page = await visitor.get('/signup')
      assert.equal(page.status, 403, mode)
      assert.include(page.text, mode === 'invite' ? 'by invitation only' : 'Sign-up is closed')
      assert.notInclude(page.text, 'name="password"')
      // A direct post (with a CSRF token from another page) is refused too.
      await visitor.get('/login')
      const post = await visitor.post('/signup', { name: 'Stranger', email: uniqueEmail(), password: 'long enough password' })
      assert.equal(post.status, 403)
      const api = await apiRegister(freshAddress())
      assert.equal(api.status, 403)
      assert.equal(api.body.errors[0].code, 'signup_closed')
    }
    const [{ total }] = await db.from('users').count('* as total')
    assert.equal(Number(total), 1)

    // The environment says closed; the admin's "open" wins.
    await withConfig({ mode: 'closed' }, async () => {
      await setModeAsAdmin(admin.client, 'open')
      assert.equal((await apiRegister(freshAddress())).status, 201)
      // Back to the environment's value.
      await setModeAsAdmin(admin.client, 'env')
      const settings = await admin.client.get('/admin/signup')
      assert.match(settings.text, /data-test="signup-mode">closed</)
      assert.include(settings.text, 'can sign up and run apps on this machine.')
      assert.notInclude(settings.text, '@if', 'no template tag leaks into the page')
      assert.equal((await apiRegister(freshAddress())).status, 403)
    })
  })

  test('only admins reach the sign-up settings; a bad mode is refused with 422', async ({ assert }) => {
    const admin = await signedUpClient('Admin')
    const member = await signedUpClient('Member')
    assert.equal((await member.client.get('/admin/signup')).status, 403)
    await member.client.get('/dashboard')
    assert.equal((await member.client.post('/admin/signup?_method=PUT', { mode: 'closed' })).status, 403)
    const bad = await admin.client.submit('/admin/signup', '/admin/signup?_method=PUT', { mode: 'everyone' })
    assert.equal(bad.status, 422)
    assert.match((await admin.client.get('/admin/signup')).text, /data-test="signup-mode">open</)
  })

  test('the first account of a self-hosted instance can be created even when sign-up is closed', async ({ assert }) => {
    await withConfig({ mode: 'closed' }, async () => {
      const first = await signedUpClient('Owner')
      assert.isTrue((await User.findByOrFail('email', first.email)).isAdmin)
      const second = await new WebClient().submit('/login', '/signup', { name: 'Late', email: uniqueEmail(), password: 'long enough password' })
      assert.equal(second.status, 403)
    })
  })

  test('invite: an admin adds an account, its owner chooses a password from the mail and logs in; closed refuses adding', async ({ assert }) => {
    const admin = await signedUpClient('Admin')
    await setModeAsAdmin(admin.client, 'invite')
    const email = uniqueEmail('invited')
    const added = await admin.client.submit('/admin/signup', '/admin/signup/accounts', { name: 'Invited Person', email })
    assert.equal(added.location, '/admin/signup')
    assert.include((await admin.client.follow(added)).text, `Account created for ${email}`)

    const mail = await db.from('captured_mails').where('to_address', email).orderBy('id', 'desc').first()
    assert.equal(mail.subject, 'Your xBasis account is ready')
    const token = String(mail.text_body).match(/\/reset-password\/([\w-]+)/)![1]
    const invited = new WebClient()
    await invited.get(`/reset-password/${token}`)
    const chosen = await invited.post('/reset-password', { token, password: 'my own password', password_confirmation: 'my own password' })
    assert.equal(chosen.location, '/login')
    assert.equal((await new WebClient().submit('/login', '/login', { email, password: 'my own password' })).location, '/dashboard')

    const member = await User.findByOrFail('email', email)
    assert.isFalse(member.isAdmin)
    assert.isNotNull(member.emailVerifiedAt, 'the mailed link proved the address')

    await setModeAsAdmin(admin.client, 'closed')
    const refused = await admin.client.submit('/admin/signup', '/admin/signup/accounts', { name: 'Nope', email: uniqueEmail() })
    assert.equal(refused.status, 403)
    assert.include(refused.text, 'Sign-up is closed')
  })

  test('on a self-hosted instance the admin dashboard says when sign-up is open to anyone', async ({ assert }) => {
    const admin = await signedUpClient('Admin')
    const member = await signedUpClient('Member')
    assert.include((await admin.client.get('/dashboard')).text, 'data-test="signup-open-notice"')
    assert.notInclude((await member.client.get('/dashboard')).text, 'data-test="signup-open-notice"')
    await setModeAsAdmin(admin.client, 'invite')
    assert.notInclude((await admin.client.get('/dashboard')).text, 'data-test="signup-open-notice"')
    await withConfig({ edition: 'saas' }, async () => {
      await setModeAsAdmin(admin.client, 'open')
      assert.notInclude((await admin.client.get('/dashboard')).text, 'data-test="signup-open-notice"', 'SaaS is meant to be open')
    })
  })
})

test.group('Sign-up: e-mail verification on SaaS', (group) => {
  group.each.setup(() => truncateAll())

  const balanceOf = async (email: string) => {
    const user = await User.findByOrFail('email', email)
    return (await user.personalWorkspace()).tokensBalance
  }

  test('the Free allowance is granted only once the e-mail address is verified, and only once', async ({ assert }) => {
    await withConfig({ edition: 'saas' }, async () => {
      const { client, email } = await signedUpClient('Saas User')
      assert.equal(await balanceOf(email), 0)
      const user = await User.findByOrFail('email', email)
      assert.lengthOf(await db.from('transactions').where('workspace_id', (await user.personalWorkspace()).id), 0)
      const dashboard = await client.get('/dashboard')
      assert.include(dashboard.text, 'data-test="verify-notice"')

      await backgroundTasksSettled()
      const mail = await db.from('captured_mails').where('to_address', email).orderBy('id', 'desc').first()
      assert.equal(mail.subject, 'Confirm your e-mail address for xBasis')
      const link = String(mail.text_body).match(/https?:\/\/\S+(\/verify-email\/\S+)/)![1]

      // A tampered link does nothing.
      const forged = await new WebClient().get(link.replace(/signature=([^&]+)/, 'signature=x$1'))
      assert.equal(forged.status, 410)
      const otherUser = await new WebClient().get(link.replace(`/verify-email/${user.id}/`, `/verify-email/${user.id + 1}/`))
      assert.equal(otherUser.status, 410)
      assert.equal(await balanceOf(email), 0)

      // Any browser can follow the real one.
      const followed = await new WebClient().get(link)
      assert.equal(followed.location, '/dashboard')
      assert.equal(await balanceOf(email), 10_000)
      await new WebClient().get(link)
      assert.equal(await balanceOf(email), 10_000, 'following it again grants nothing more')
      const grants = await db.from('transactions').where({ workspace_id: (await user.personalWorkspace()).id, type: 'grant' })
      assert.lengthOf(grants, 1)
      assert.notInclude((await client.get('/dashboard')).text, 'data-test="verify-notice"')
    })
  })

  test('API sign-ups on SaaS start unverified with no allowance; self-hosted ones get it at once', async ({ assert }) => {
    await signedUpClient('Admin')
    await withConfig({ edition: 'saas' }, async () => {
      const saas = await apiRegister(freshAddress())
      assert.equal(saas.status, 201)
      assert.equal(saas.body.user.tokens_balance, 0)
      assert.isFalse(saas.body.user.email_verified)
      const page = await new WebClient().get('/signup')
      assert.include(page.text, 'Your free tokens arrive once you confirm your e-mail address.')
      assert.notInclude(page.text, '@if', 'no template tag leaks into the page')
    })
    const selfhosted = await apiRegister(freshAddress())
    assert.equal(selfhosted.body.user.tokens_balance, 10_000)
  })

  test('the verification link can be sent again, a few times an hour', async ({ assert }) => {
    await withConfig({ edition: 'saas' }, async () => {
      const { client, email } = await signedUpClient('Resender')
      await backgroundTasksSettled()
      for (let i = 0; i < 3; i++) {
        const again = await client.submit('/dashboard', '/verify-email/resend', {})
        assert.include((await client.follow(again)).text, 'A new confirmation link is on its way')
      }
      const refused = await client.submit('/dashboard', '/verify-email/resend', {})
      assert.include((await client.follow(refused)).text, 'Try again in an hour')
      await backgroundTasksSettled()
      const [{ total }] = await db.from('captured_mails').where('to_address', email).count('* as total')
      assert.equal(Number(total), 1 + 3)
    })
  })
})
