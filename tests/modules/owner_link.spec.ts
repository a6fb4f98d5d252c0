import { test } from '@japa/runner'
import { compose, startApp, stopCleanly, writeApp } from './harness.js'
import { rmSync } from 'node:fs'
import { signOwnerToken } from '#services/owner_access_service'
import { ownerPages } from '#modules/owner_pages'

const APP = 'shop-7'

async function start(cleanup: (fn: () => void) => void) {
  const composed = await compose(['admin-page', 'contact-form', { id: 'crud-resource', params: { entity: 'books', singular: 'book', title: 'Books' } }])
  const dir = writeApp(composed)
  cleanup(() => rmSync(dir, { recursive: true, force: true }))
  const app = await startApp(dir, composed, { XBASIS_APP: APP })
  cleanup(() => app.dispose())
  return { app, password: composed.env.ADMIN_PASSWORD, composed }
}

const inAMinute = () => Math.floor(Date.now() / 1000) + 60

function ownerCookie(response: Response) {
  return response.headers.getSetCookie().find((c) => c.startsWith('xb_owner='))
}

test.group('Owner link (app-base admin check)', () => {
  test('the composed app lists its owner pages from the manifests, labels filled in', async ({ assert }) => {
    const composed = await compose(['admin-page', 'contact-form', 'waitlist', 'blog', { id: 'crud-resource', params: { entity: 'books', singular: 'book', title: 'Books' } }])
    const pages = ownerPages(composed.routes)
    assert.deepInclude(pages, { path: '/admin', label: 'Admin: everything stored', module: 'admin-page' })
    assert.deepInclude(pages, { path: '/contact/submissions', label: 'Contact messages', module: 'contact-form' })
    assert.deepInclude(pages, { path: '/books/new', label: 'New book', module: 'crud-resource' })
    assert.deepInclude(pages, { path: '/blog/new', label: 'New post', module: 'blog' })
    assert.deepInclude(pages, { path: '/waitlist/entries', label: 'Waitlist entries', module: 'waitlist' })
    assert.lengthOf(new Set(pages.map((p) => p.path)), pages.length)
  })

  test('a signed link signs the owner in once, sets the owner cookie and leads to the owner page', async ({ assert, cleanup }) => {
    const { app, password } = await start(cleanup)
    assert.equal((await app.request('/contact/submissions')).status, 401)

    const token = signOwnerToken(password, { app: APP, next: '/contact/submissions', exp: inAMinute() })
    const opened = await app.request(`/__owner?token=${token}`)
    assert.equal(opened.status, 303)
    assert.equal(opened.headers.get('location'), '/contact/submissions')
    assert.equal(opened.headers.get('cache-control'), 'no-store')
    const setCookie = ownerCookie(opened)!
    assert.include(setCookie, 'HttpOnly')
    assert.include(setCookie, 'SameSite=Lax')
    const cookie = setCookie.split(';')[0]
    assert.notInclude(cookie, password)

    // Signed in: every module's owner pages and actions accept the cookie.
    assert.equal((await app.request('/contact/submissions', { headers: { cookie } })).status, 200)
    assert.equal((await app.request('/admin', { headers: { cookie } })).status, 200)
    assert.equal((await app.request('/books/new', { headers: { cookie } })).status, 200)
    const created = await app.request('/books', { method: 'POST', headers: { cookie }, form: { title: 'Dune' } })
    assert.equal(created.status, 303)

    // Once only: the same link again is refused and sets nothing.
    const again = await app.request(`/__owner?token=${token}`)
    assert.equal(again.status, 403)
    assert.include(await again.text(), 'owner link')
    assert.isUndefined(ownerCookie(again))

    // Signing out clears the cookie.
    const logout = await app.request('/__owner/logout', { method: 'POST', headers: { cookie } })
    assert.include(ownerCookie(logout)!, 'Max-Age=0')
    await stopCleanly(app, assert)
  })

  test('tampered, expired, foreign and wrongly keyed links are refused; forged cookies are no session', async ({ assert, cleanup }) => {
    const { app, password } = await start(cleanup)
    const refused = async (token: string, why: string) => {
      const response = await app.request(`/__owner?token=${encodeURIComponent(token)}`)
      assert.equal(response.status, 403, why)
      assert.isUndefined(ownerCookie(response), why)
    }
    const good = signOwnerToken(password, { app: APP, next: '/admin', exp: inAMinute() })
    const [payload, signature] = good.split('.')
    // The claims changed (another page, a later expiry) under the old signature.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    await refused(`${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 30 })).toString('base64url')}.${signature}`, 'tampered claims')
    await refused(`${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`, 'tampered signature')
    await refused(signOwnerToken(password, { app: APP, next: '/admin', exp: Math.floor(Date.now() / 1000) - 1 }), 'expired')
    await refused(signOwnerToken(password, { app: APP, next: '/admin', exp: Math.floor(Date.now() / 1000) + 86_400 }), 'lives too long')
    await refused(signOwnerToken(password, { app: 'other-8', next: '/admin', exp: inAMinute() }), 'another app')
    await refused(signOwnerToken('not the password', { app: APP, next: '/admin', exp: inAMinute() }), 'another key')
    await refused('', 'empty')
    await refused('garbage', 'garbage')

    // The link itself was not spent by the refusals.
    const opened = await app.request(`/__owner?token=${good}`)
    assert.equal(opened.status, 303)
    const [, exp] = ownerCookie(opened)!.split(';')[0].match(/^xb_owner=(\d+)\./)!
    for (const forged of [`xb_owner=${exp}.${'A'.repeat(43)}`, `xb_owner=${Number(exp) + 1000}.${ownerCookie(opened)!.split(';')[0].split('.')[1]}`]) {
      assert.equal((await app.request('/admin', { headers: { cookie: forged } })).status, 401, forged)
    }

    // A link can only lead to a page of the app itself.
    const offsite = await app.request(`/__owner?token=${signOwnerToken(password, { app: APP, next: '//evil.example/x', exp: inAMinute() })}`)
    assert.equal(offsite.status, 303)
    assert.equal(offsite.headers.get('location'), '/')
    await stopCleanly(app, assert)
  })
})
