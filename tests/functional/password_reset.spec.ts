import { truncateAll } from '#tests/helpers/services'
import { dbTime, fromDbTime } from '#lib/db_time'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { WebClient, signedUpClient, uniqueEmail } from '#tests/helpers/web_client'
import { backgroundTasksSettled } from '#lib/after_response'

/**
 * The reset link from the newest mail captured for `email` (no SMTP is
 * configured in tests, so mails land in captured_mails, as on a fresh
 * instance).
 */
async function resetLinkFor(email: string) {
  const mail = await db.from('captured_mails').where('to_address', email).orderBy('id', 'desc').first()
  if (!mail) return null
  const link = String(mail.text_body).match(/https?:\/\/\S+\/reset-password\/([\w-]+)/)
  return link ? { path: `/reset-password/${link[1]}`, token: link[1], mail } : null
}

async function requestReset(email: string) {
  const client = new WebClient()
  const response = await client.submit('/forgot-password', '/forgot-password', { email })
  // The lookup and the mail run after the answer (off the request path).
  await backgroundTasksSettled()
  return { client, response }
}

test.group('Password reset', (group) => {
  group.each.setup(() => truncateAll())

  test('end to end: request, mail captured, link followed, new password works, old does not, link works once', async ({ assert }) => {
    const { email, password } = await signedUpClient('Reset Me')

    const { client, response } = await requestReset(email)
    assert.equal(response.location, '/login')
    assert.include((await client.follow(response)).text, 'If an account exists for that address')

    const link = await resetLinkFor(email)
    assert.exists(link, 'a mail with a reset link was captured')
    assert.equal(link!.mail.subject, 'Reset your xBasis password')
    assert.include(link!.mail.html_body, link!.token)
    // Only a hash of the token is stored.
    const stored = await db.from('password_reset_tokens').first()
    assert.notEqual(stored.token_hash, link!.token)
    assert.lengthOf(stored.token_hash, 64)

    // The captured mail is listed on the dev page (open outside production).
    const mails = await client.get('/dev/mails')
    assert.include(mails.text, 'Reset your xBasis password')
    assert.include((await client.get(`/dev/mails/${link!.mail.id}`)).text, link!.token)

    const form = await client.get(link!.path)
    assert.equal(form.status, 200)
    assert.include(form.text, 'Choose a new password')

    const mismatch = await client.post('/reset-password', { token: link!.token, password: 'my new password', password_confirmation: 'typo' })
    assert.equal(mismatch.status, 422)
    assert.include(mismatch.text, 'The password confirmation does not match')

    const done = await client.post('/reset-password', { token: link!.token, password: 'my new password', password_confirmation: 'my new password' })
    assert.equal(done.location, '/login')
    assert.include((await client.follow(done)).text, 'Your password was changed')

    assert.equal((await new WebClient().submit('/login', '/login', { email, password })).location, '/login')
    assert.equal((await new WebClient().submit('/login', '/login', { email, password: 'my new password' })).location, '/dashboard')

    // Used once: the link is dead, on the page and on submit.
    const reused = await client.get(link!.path)
    assert.equal(reused.status, 410)
    assert.include(reused.text, 'The reset link is invalid, has expired or was already used')
    const replay = await client.post('/reset-password', { token: link!.token, password: 'attacker password', password_confirmation: 'attacker password' })
    assert.equal(replay.location, '/forgot-password')
    assert.equal((await new WebClient().submit('/login', '/login', { email, password: 'attacker password' })).location, '/login')
  })

  test('links expire', async ({ assert }) => {
    const { email, password } = await signedUpClient()
    await requestReset(email)
    const link = await resetLinkFor(email)
    await db.from('password_reset_tokens').update({ expires_at: dbTime(new Date(Date.now() - 1000)) })

    const client = new WebClient()
    assert.equal((await client.get(link!.path)).status, 410)
    await client.get('/forgot-password')
    const submit = await client.post('/reset-password', { token: link!.token, password: 'new password 1', password_confirmation: 'new password 1' })
    assert.equal(submit.location, '/forgot-password')
    assert.equal((await new WebClient().submit('/login', '/login', { email, password })).location, '/dashboard')
  })

  test('a valid link expires after an hour by default', async ({ assert }) => {
    const { email } = await signedUpClient()
    const before = Date.now()
    await requestReset(email)
    const row = await db.from('password_reset_tokens').first()
    const ttl = fromDbTime(row.expires_at).getTime() - before
    assert.isAbove(ttl, 59 * 60 * 1000)
    assert.isBelow(ttl, 61 * 60 * 1000)
  })

  test('an unknown address gets the same answer and no mail (no account enumeration)', async ({ assert }) => {
    const { client, response } = await requestReset(uniqueEmail('nobody'))
    assert.equal(response.location, '/login')
    assert.include((await client.follow(response)).text, 'If an account exists for that address')
    const [{ total }] = await db.from('captured_mails').count('* as total')
    assert.equal(Number(total), 0)
  })

  test('requests are rate-limited per address', async ({ assert }) => {
    const { email } = await signedUpClient()
    for (let i = 0; i < 5; i++) {
      assert.equal((await requestReset(email)).response.status, 302)
    }
    const blocked = await requestReset(email)
    assert.equal(blocked.response.status, 429)
    assert.include(blocked.response.text, 'Too many reset requests')
    const [{ total }] = await db.from('captured_mails').count('* as total')
    assert.equal(Number(total), 5)
  })

  test('bad input is refused with 422 and field messages', async ({ assert }) => {
    const client = new WebClient()
    const missing = await client.submit('/forgot-password', '/forgot-password', { email: '' })
    assert.equal(missing.status, 422)
    assert.match(missing.text, /data-error-for="email">The e-mail field is required/)
    const oversized = await client.submit('/forgot-password', '/forgot-password', { email: 'x'.repeat(300) + '@example.com' })
    assert.equal(oversized.status, 422)
    const shortPassword = await client.post('/reset-password', { token: 'x'.repeat(43), password: 'short', password_confirmation: 'short' })
    assert.equal(shortPassword.status, 422)
    assert.match(shortPassword.text, /data-error-for="password">[^<]*at least 8/)
  })

  test('the reset mail is sent off the request path: a mail server that hangs does not delay the answer', async ({ assert }) => {
    const { email } = await signedUpClient()
    const { default: mail } = await import('@adonisjs/mail/services/main')
    const originalSend = mail.send.bind(mail)
    // A mail server that does not answer until the test lets it.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    ;(mail as any).send = async (...args: Parameters<typeof mail.send>) => {
      await held
      return originalSend(...args)
    }
    const client = new WebClient()
    try {
      await client.get('/forgot-password')
      const answer = client.post('/forgot-password', { email })
      const first = await Promise.race([answer, new Promise<null>((r) => setTimeout(() => r(null), 3000))])
      assert.isNotNull(first, 'the answer did not wait for the mail server')
      assert.equal(first!.location, '/login')
      release()
      await answer
    } finally {
      release()
      ;(mail as any).send = originalSend
    }
    await backgroundTasksSettled()
    assert.exists(await resetLinkFor(email), 'the mail went out once the server answered')
  })

  test('a failing mail server is logged, and the visitor gets the usual answer', async ({ assert }) => {
    const { email } = await signedUpClient()
    const { default: mail } = await import('@adonisjs/mail/services/main')
    const { default: logger } = await import('@adonisjs/core/services/logger')
    const logged: string[] = []
    const originalSend = mail.send.bind(mail)
    const originalError = logger.error.bind(logger)
    ;(mail as any).send = async () => {
      throw new Error('SMTP 421 service not available')
    }
    ;(logger as any).error = (_: unknown, message: string) => logged.push(message)
    try {
      const { response } = await requestReset(email)
      assert.equal(response.location, '/login')
    } finally {
      ;(mail as any).send = originalSend
      ;(logger as any).error = originalError
    }
    assert.include(logged, 'could not send the password reset mail')
  })
})
