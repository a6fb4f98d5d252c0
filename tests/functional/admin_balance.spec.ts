import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import Workspace from '#models/workspace'
import AccountService from '#services/account_service'
import LedgerService from '#services/ledger_service'
import { truncateAll } from '#tests/helpers/services'
import { signedUpClient, type WebClient } from '#tests/helpers/web_client'

async function adminClient() {
  const admin = await signedUpClient('Ada Admin')
  await new AccountService().promote(admin.email)
  return { ...admin, user: await User.findByOrFail('email', admin.email) }
}

async function customer() {
  const { client, email } = await signedUpClient('Cus Tomer')
  const user = await User.findByOrFail('email', email)
  return { client, user, workspace: await user.personalWorkspace() }
}

/** Loads the ledger page, then submits its grant/revoke form with the page's own one-time key. */
async function submitAdjustment(client: WebClient, workspaceId: number, fields: Record<string, string>, key?: string) {
  const page = await client.get(`/admin/workspaces/${workspaceId}/ledger`)
  const pageKey = page.text.match(/name="idempotency_key" value="([^"]+)"/)?.[1]
  const response = await client.post(`/admin/workspaces/${workspaceId}/balance`, { idempotency_key: key ?? pageKey!, ...fields })
  return { response, key: key ?? pageKey! }
}

async function balanceOf(workspaceId: number) {
  return (await Workspace.findOrFail(workspaceId)).tokensBalance
}

test.group('Admin: grant or revoke balance, see the ledger', (group) => {
  group.each.setup(() => truncateAll())

  test('a grant and a revoke with a reason are ledger entries with the admin recorded; a resubmitted form changes nothing', async ({ assert }) => {
    const admin = await adminClient()
    const { workspace } = await customer()
    const start = await balanceOf(workspace.id)

    const users = await admin.client.get('/admin/users')
    assert.include(users.text, `href="/admin/workspaces/${workspace.id}/ledger"`)

    const granted = await submitAdjustment(admin.client, workspace.id, { action: 'grant', tokens: '2500', reason: 'Conference credit' })
    assert.equal(granted.response.status, 302)
    assert.equal(granted.response.location, `/admin/workspaces/${workspace.id}/ledger`)
    const after = await admin.client.follow(granted.response)
    assert.include(after.text, `Granted 2,500 tokens. Balance: ${(start + 2500).toLocaleString('en-US')} tokens.`)
    assert.equal(await balanceOf(workspace.id), start + 2500)

    const entry = await db.from('transactions').where({ workspace_id: workspace.id, type: 'grant' }).where('tokens', 2500).firstOrFail()
    assert.equal(Number(entry.user_id), admin.user.id)
    assert.equal(Number(entry.amount), 2500 * 100, 'tokens of $0.0001 in micro-dollars')
    assert.include(entry.description, 'Conference credit')
    assert.include(entry.description, admin.email)

    // The same form sent twice (double click, browser retry): one entry.
    const again = await submitAdjustment(admin.client, workspace.id, { action: 'grant', tokens: '2500', reason: 'Conference credit' }, granted.key)
    assert.include((await admin.client.follow(again.response)).text, 'This form was already submitted: nothing changed.')
    assert.equal(await balanceOf(workspace.id), start + 2500)

    const revoked = await submitAdjustment(admin.client, workspace.id, { action: 'revoke', tokens: '700', reason: 'Granted by mistake' })
    assert.equal(revoked.response.status, 302)
    assert.equal(await balanceOf(workspace.id), start + 1800)
    const revoke = await db.from('transactions').where({ workspace_id: workspace.id, type: 'revoke' }).firstOrFail()
    assert.deepInclude({ tokens: Number(revoke.tokens), amount: Number(revoke.amount), user_id: Number(revoke.user_id) }, { tokens: -700, amount: -70_000, user_id: admin.user.id })

    // Never below zero: a revoke larger than the balance is refused whole.
    const tooMuch = await submitAdjustment(admin.client, workspace.id, { action: 'revoke', tokens: '999999', reason: 'Take it all' })
    const refusedPage = await admin.client.follow(tooMuch.response)
    assert.include(refusedPage.text, `Cannot revoke 999,999 tokens: the workspace has ${(start + 1800).toLocaleString('en-US')} tokens free.`)
    assert.equal(await balanceOf(workspace.id), start + 1800)

    // The ledger page lists every entry, newest first, and the check is clean.
    const ledger = await admin.client.get(`/admin/workspaces/${workspace.id}/ledger`)
    assert.equal(ledger.status, 200)
    const rows = [...ledger.text.matchAll(/data-entry-type="([a-z_]+)" data-entry-tokens="(-?\d+)"/g)].map((m) => `${m[1]}:${m[2]}`)
    assert.deepEqual(rows, ['revoke:-700', 'grant:2500', `grant:${start}`])
    assert.include(ledger.text, 'Granted by mistake')
    assert.match(ledger.text, /data-test="drift">Balance equals the ledger/)
    assert.deepEqual(await new LedgerService().check(), [])
  })

  test('bad input is refused with field messages and changes nothing', async ({ assert }) => {
    const admin = await adminClient()
    const { workspace } = await customer()
    const start = await balanceOf(workspace.id)
    for (const [field, fields] of [
      ['tokens', { action: 'grant', tokens: '0', reason: 'zero' }],
      ['tokens', { action: 'grant', tokens: '12.5', reason: 'fraction' }],
      ['reason', { action: 'grant', tokens: '100', reason: '' }],
      ['action', { action: 'steal', tokens: '100', reason: 'unknown action' }],
      ['reason', { action: 'grant', tokens: '100', reason: 'x'.repeat(301) }],
    ] as const) {
      const { response } = await submitAdjustment(admin.client, workspace.id, fields)
      assert.equal(response.status, 422, JSON.stringify(fields))
      assert.include(response.text, `data-error-for="${field}"`, JSON.stringify(fields))
    }
    const badKey = await submitAdjustment(admin.client, workspace.id, { action: 'grant', tokens: '5', reason: 'bad key' }, 'not-a-uuid')
    assert.equal(badKey.response.status, 422)
    assert.equal(await balanceOf(workspace.id), start)
    assert.equal((await admin.client.get('/admin/workspaces/999999/ledger')).status, 404)
  })

  test('only instance admins: a user cannot see or change a ledger, even their own', async ({ assert }) => {
    await adminClient()
    const { client, workspace } = await customer()
    const start = await balanceOf(workspace.id)
    assert.equal((await client.get(`/admin/workspaces/${workspace.id}/ledger`)).status, 403)
    await client.get('/dashboard')
    const post = await client.post(`/admin/workspaces/${workspace.id}/balance`, { action: 'grant', tokens: '100000', reason: 'Free money' })
    assert.equal(post.status, 403)
    assert.equal(await balanceOf(workspace.id), start)

    const { WebClient } = await import('#tests/helpers/web_client')
    const anonymous = await new WebClient().get(`/admin/workspaces/${workspace.id}/ledger`)
    assert.equal(anonymous.status, 302)
    assert.equal(anonymous.location, `/login?redirect=${encodeURIComponent(`/admin/workspaces/${workspace.id}/ledger`)}`)
  })
})
