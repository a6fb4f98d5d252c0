import { truncateAll } from '#tests/helpers/services'
import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import User from '#models/user'
import XbasisAdmin from '../../commands/xbasis_admin.js'
import { WebClient, signedUpClient } from '#tests/helpers/web_client'

test.group('Landing and dashboard', (group) => {
  group.each.setup(() => truncateAll())

  test('the landing page says what xBasis does and lists the three plans with prices', async ({ assert }) => {
    const page = await new WebClient().get('/')
    assert.equal(page.status, 200)
    assert.include(page.text, 'Describe an app. Get it live.')
    for (const [plan, price] of [['free', '$0'], ['pro', '$29'], ['team', '$99']]) {
      assert.match(page.text, new RegExp(`data-plan="${plan}"[\\s\\S]*?${price.replace('$', '\\$')}</span>`))
    }
    assert.include(page.text, 'provider cost + 30%')
  })

  test('strict security headers: CSP without inline scripts or eval, no framing, no sniffing', async ({ assert }) => {
    const page = await new WebClient().get('/')
    const csp = page.headers.get('content-security-policy')!
    assert.include(csp, "default-src 'self'")
    assert.include(csp, "frame-ancestors 'none'")
    assert.notMatch(csp, /script-src[^;]*unsafe-(inline|eval)/)
    assert.equal(page.headers.get('x-frame-options'), 'DENY')
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff')
  })

  test('the dashboard shows the plan, the balance and the (empty) projects list', async ({ assert }) => {
    const { client, email } = await signedUpClient('Dash Board')
    const user = await User.findByOrFail('email', email)
    const workspace = await user.personalWorkspace()
    workspace.tokensBalance = 1234567
    await workspace.save()
    const page = await client.get('/dashboard')
    assert.match(page.text, /data-test="plan">Free</)
    assert.match(page.text, /data-test="tokens-balance">1,234,567</)
    assert.include(page.text, 'data-test="projects-empty"')
  })
})

test.group('Instance admin', (group) => {
  group.each.setup(() => truncateAll())

  test('node ace xbasis:admin <email> promotes an account; an unknown e-mail fails', async ({ assert }) => {
    await signedUpClient('First')
    const { client, email } = await signedUpClient('Later')
    assert.equal((await client.get('/admin/users')).status, 403)

    const command = await ace.create(XbasisAdmin, [email.toUpperCase()])
    await command.exec()
    command.assertSucceeded()
    assert.isTrue((await User.findByOrFail('email', email)).isAdmin)
    assert.equal((await client.get('/admin/users')).status, 200)

    const unknown = await ace.create(XbasisAdmin, ['nobody@example.com'])
    await unknown.exec()
    unknown.assertFailed()
  })
})
