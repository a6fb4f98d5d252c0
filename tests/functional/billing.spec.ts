import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import billingConfig from '#config/billing'
import billing from '#billing/billing_manager'
import LedgerService from '#services/ledger_service'
import { dbTime } from '#lib/db_time'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { signedUpClient, WebClient } from '#tests/helpers/web_client'
import { deliver, paddleEvent, usePaddle } from '#tests/helpers/billing'

const CUSTOMER = 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4'

async function workspaceOf(email: string): Promise<number> {
  const row = await db.from('workspaces').join('users', 'users.id', 'workspaces.owner_id').where('users.email', email).where('workspaces.personal', true).select('workspaces.id').first()
  return Number(row.id)
}

/** Spending entries on given days (the ledger stamps "now"; the test moves them). */
async function spend(workspaceId: number, entries: Array<{ day: string; tokens: number; projectId?: number | null; type?: 'ai_usage' | 'compute' }>) {
  const ledger = new LedgerService()
  await ledger.post({ workspaceId, type: 'grant', tokens: 1_000_000, description: 'test balance' })
  for (const entry of entries) {
    const posted = await ledger.post({
      workspaceId,
      type: entry.type ?? 'ai_usage',
      tokens: -entry.tokens,
      amount: -entry.tokens * 100,
      projectId: entry.projectId ?? null,
      description: `spent on ${entry.day}, "quoted", =formula`,
    })
    await db.from('transactions').where('id', posted.id).update({ created_at: dbTime(new Date(`${entry.day}T12:00:00Z`)) })
  }
}

test.group('Billing API and page with Paddle', (group) => {
  const paddle = usePaddle(group)
  group.each.setup(() => truncateAll())

  test('plans and packs, with what is for sale and the workspace’s state', async ({ assert }) => {
    const account = await apiAccount('Plans')
    const { status, body } = await account.json('GET', '/api/v1/billing/plans')
    assert.equal(status, 200)
    assert.containsSubset(body, { provider: 'paddle', payments: true, workspace: { workspace_id: account.workspaceId, plan: 'free', has_portal: false } })
    assert.deepEqual(body.plans.map((p: any) => [p.id, p.for_sale, p.current]), [['free', false, true], ['pro', true, false], ['team', true, false]])
    assert.containsSubset(body.packs[0], { id: 's', price_usd: 10, tokens: billingConfig.packs.s.tokens, for_sale: true })
  })

  test('API checkout: a plan or a pack → the Paddle checkout URL; bad input 422; Paddle’s refusal readable', async ({ assert }) => {
    const account = await apiAccount('Checkout')
    const plan = await account.json('POST', '/api/v1/billing/checkout', { plan: 'team' })
    assert.equal(plan.status, 201)
    assert.match(plan.body.url, /^https:\/\/pay\.example\.test\/checkout\?_ptxn=txn_/)
    assert.deepEqual(paddle.transactions.get(plan.body.id)?.items, [{ price_id: billingConfig.plans.team.priceId!, quantity: 1 }])

    for (const payload of [{}, { plan: 'free' }, { plan: 'gold' }, { pack: 'xl' }]) {
      assert.equal((await account.json('POST', '/api/v1/billing/checkout', payload)).status, 422, JSON.stringify(payload))
    }
    paddle.failNext(403, 'forbidden', "You aren't permitted to perform this request.")
    const refused = await account.json('POST', '/api/v1/billing/checkout', { pack: 'l' })
    assert.equal(refused.status, 502)
    assert.equal(refused.body.errors[0].message, "Paddle could not start the checkout: You aren't permitted to perform this request. (forbidden).")
  })

  test('web: upgrade and top-up forms redirect to Paddle; the portal opens once there is a customer', async ({ assert }) => {
    const { client, email } = await signedUpClient('Web Payer')
    const workspaceId = await workspaceOf(email)
    const page = await client.get('/billing')
    assert.equal(page.status, 200)
    assert.include(page.text, 'data-test="upgrade-pro"')
    assert.include(page.text, 'data-test="topup-m"')
    assert.notInclude(page.text, 'data-test="billing-portal"', 'no customer yet')

    const upgrade = await client.post('/billing/checkout', { plan: 'pro' })
    assert.equal(upgrade.status, 302)
    const txn = [...paddle.transactions.values()][0]
    assert.equal(upgrade.location, `https://pay.example.test/checkout?_ptxn=${txn.id}`)
    assert.deepEqual(txn.custom_data, { workspace_id: workspaceId, item: 'plan:pro' })

    const noPortal = await client.get('/billing/portal')
    assert.equal(noPortal.location, '/billing')
    assert.include((await client.follow(noPortal)).text, 'the portal opens after a first purchase')

    paddle.customers.add(CUSTOMER)
    await db.from('workspaces').where('id', workspaceId).update({ billing_customer_id: CUSTOMER, billing_subscription_id: 'sub_01x' })
    assert.include((await client.get('/billing')).text, 'data-test="billing-portal"')
    const portal = await client.get('/billing/portal')
    assert.match(portal.location!, /^https:\/\/customer-portal\.paddle\.example\.test\//)
    assert.deepEqual(paddle.portalSessions[0], { id: paddle.portalSessions[0].id, customer_id: CUSTOMER, subscription_ids: ['sub_01x'] })

    paddle.failNext(400, 'bad_request', 'Invalid request.')
    const failed = await client.post('/billing/checkout', { pack: 's' })
    assert.equal(failed.location, '/billing')
    assert.include((await client.follow(failed)).text, 'Paddle could not start the checkout: Invalid request. (bad_request).')
  })

  test('a subscriber choosing another plan moves the subscription (prorated) instead of paying a second one', async ({ assert }) => {
    const account = await apiAccount('Switcher')
    const checkout = await account.json('POST', '/api/v1/billing/checkout', { plan: 'pro' })
    const paid = paddle.completedEvent(checkout.body.id)
    const subscriptionId = (paid.data as any).subscription_id as string
    await deliver(paid)
    await deliver(
      paddleEvent('subscription.created', {
        id: subscriptionId, status: 'active', customer_id: (paid.data as any).customer_id, custom_data: { workspace_id: account.workspaceId },
        items: [{ price: { id: billingConfig.plans.pro.priceId } }], current_billing_period: { starts_at: '2031-01-01T00:00:00Z', ends_at: '2031-02-01T00:00:00Z' },
      })
    )
    const transactions = paddle.transactions.size

    const same = await account.json('POST', '/api/v1/billing/checkout', { plan: 'pro' })
    assert.equal(same.status, 409)
    assert.equal(same.body.errors[0].message, 'This workspace is on the Pro plan already')

    const moved = await account.json('POST', '/api/v1/billing/checkout', { plan: 'team' })
    assert.equal(moved.status, 202)
    assert.deepEqual(moved.body, { changed: true, plan: 'team' })
    assert.equal(paddle.transactions.size, transactions, 'no second checkout')
    const patch = paddle.requests.find((r) => r.method === 'PATCH')!
    assert.equal(patch.path, `/subscriptions/${subscriptionId}`)
    assert.deepEqual(patch.body, { items: [{ price_id: billingConfig.plans.team.priceId, quantity: 1 }], proration_billing_mode: 'prorated_immediately' })
    assert.deepEqual(paddle.subscriptions.get(subscriptionId)?.items, [{ price_id: billingConfig.plans.team.priceId!, quantity: 1 }])
    assert.equal((await db.from('workspaces').where('id', account.workspaceId).first()).plan, 'pro', 'until Paddle’s webhook says so')

    // A pack is still a checkout of its own.
    const pack = await account.json('POST', '/api/v1/billing/checkout', { pack: 's' })
    assert.equal(pack.status, 201)
  })

  test('tenancy: only owners and admins of a workspace see or buy for it', async ({ assert }) => {
    const alice = await apiAccount('Alice')
    const bob = await apiAccount('Bob')
    const paths = ['/api/v1/billing/plans', '/api/v1/billing/usage', '/api/v1/billing/transactions']
    for (const path of paths) {
      assert.equal((await bob.json('GET', `${path}?workspace_id=${alice.workspaceId}`)).status, 404, path)
    }
    assert.equal((await bob.json('POST', '/api/v1/billing/checkout', { plan: 'pro', workspace_id: alice.workspaceId })).status, 404)
    assert.lengthOf(paddle.transactions, 0)

    // A plain member may not; an admin may.
    await db.table('workspace_members').insert({ workspace_id: alice.workspaceId, user_id: bob.user.id, role: 'member', created_at: dbTime(), updated_at: dbTime() })
    for (const path of paths) assert.equal((await bob.json('GET', `${path}?workspace_id=${alice.workspaceId}`)).status, 403, path)
    assert.equal((await bob.json('POST', '/api/v1/billing/checkout', { plan: 'pro', workspace_id: alice.workspaceId })).status, 403)
    await db.from('workspace_members').where({ workspace_id: alice.workspaceId, user_id: bob.user.id }).update({ role: 'admin' })
    const plans = await bob.json('GET', `/api/v1/billing/plans?workspace_id=${alice.workspaceId}`)
    assert.equal(plans.status, 200)
    assert.equal(plans.body.workspace.workspace_id, alice.workspaceId)

    const { client } = await signedUpClient('Carol')
    assert.equal((await client.get(`/billing?workspace_id=${alice.workspaceId}`)).status, 404)
    assert.equal((await client.get(`/billing/transactions.csv?workspace_id=${alice.workspaceId}`)).status, 404)
  })

  test('usage per day and project, and the ledger: filters, pages, CSV', async ({ assert }) => {
    const account = await apiAccount('Spender')
    const other = (await account.json('POST', '/api/v1/projects', { name: 'Second app' })).body.project
    await spend(account.workspaceId, [
      { day: '2026-03-01', tokens: 100, projectId: account.project.id },
      { day: '2026-03-01', tokens: 50, projectId: other.id },
      { day: '2026-03-03', tokens: 30, projectId: other.id, type: 'compute' },
      { day: '2026-02-20', tokens: 999, projectId: other.id },
    ])
    const usage = await account.json('GET', '/api/v1/billing/usage?from=2026-03-01&to=2026-03-03')
    assert.equal(usage.status, 200)
    assert.deepEqual(usage.body.total, { tokens: 180, usd: 0.018 })
    assert.deepEqual(usage.body.per_day.map((d: any) => [d.day, d.tokens, d.usd]), [['2026-03-01', 150, 0.015], ['2026-03-02', 0, 0], ['2026-03-03', 30, 0.003]])
    assert.deepEqual(usage.body.per_day[0].projects, [{ project_id: account.project.id, tokens: 100, usd: 0.01 }, { project_id: other.id, tokens: 50, usd: 0.005 }])
    assert.deepEqual(usage.body.per_project.map((p: any) => [p.project_name, p.tokens]), [["Spender's app", 100], ['Second app', 80]])

    const all = await account.json('GET', '/api/v1/billing/transactions?per_page=2')
    // The sign-up allowance, the test's grant, four spendings.
    assert.deepEqual(all.body.meta, { total: 6, page: 1, per_page: 2, last_page: 3 })
    assert.lengthOf(all.body.data, 2)
    const everything = (await account.json('GET', '/api/v1/billing/transactions')).body.data.map((t: any) => t.created_at)
    assert.deepEqual(everything, [...everything].sort().reverse(), 'newest first')
    assert.deepEqual(everything.slice(-4).map((d: string) => d.slice(0, 10)), ['2026-03-03', '2026-03-01', '2026-03-01', '2026-02-20'])
    const third = await account.json('GET', '/api/v1/billing/transactions?per_page=2&page=3')
    assert.deepEqual(third.body.data.map((t: any) => t.created_at), everything.slice(4))
    const grants = await account.json('GET', '/api/v1/billing/transactions?type=grant')
    assert.isTrue(grants.body.data.every((t: any) => t.type === 'grant'))
    assert.equal(grants.body.data[0].tokens, 1_000_000)
    assert.equal(grants.body.meta.total, 2)
    const ofProject = await account.json('GET', `/api/v1/billing/transactions?project_id=${other.id}&from=2026-03-01&to=2026-03-31`)
    assert.deepEqual(ofProject.body.data.map((t: any) => [t.type, t.tokens, t.project_name]), [['compute', -30, 'Second app'], ['ai_usage', -50, 'Second app']])
    assert.equal((await account.json('GET', '/api/v1/billing/transactions?type=bogus')).status, 422)
    assert.equal((await account.json('GET', '/api/v1/billing/transactions?from=03/01/2026')).status, 422)

    const csv = await account.call('GET', `/api/v1/billing/transactions?format=csv&project_id=${other.id}`)
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type')!, /^text\/csv/)
    const lines = (await csv.text()).trimEnd().split('\r\n')
    assert.equal(lines[0], 'id,created_at,type,description,project_id,project_name,tokens,usd,reference')
    assert.lengthOf(lines, 4)
    assert.include(lines[1], `,compute,"spent on 2026-03-03, ""quoted"", =formula",${other.id},Second app,-30,-0.003,`)
  })

  test('the page: plan, renewal, balance, chart, usage table and transactions', async ({ assert }) => {
    const { client, email } = await signedUpClient('Page Reader')
    const workspaceId = await workspaceOf(email)
    const day = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10)
    await spend(workspaceId, [{ day, tokens: 420 }])
    const event = paddleEvent('subscription.created', {
      id: 'sub_01page', status: 'active', customer_id: CUSTOMER, custom_data: { workspace_id: workspaceId },
      items: [{ price: { id: billingConfig.plans.pro.priceId } }],
      current_billing_period: { starts_at: '2031-01-01T00:00:00Z', ends_at: '2031-02-01T00:00:00Z' },
    })
    assert.equal((await deliver(event)).status, 200)

    const page = await client.get('/billing')
    assert.match(page.text, /data-test="billing-plan">Pro</)
    assert.match(page.text, /data-test="billing-renews">1 Feb 2031</)
    assert.match(page.text, /data-test="billing-balance">[\d,]+</)
    assert.include(page.text, '<svg xmlns="http://www.w3.org/2000/svg"')
    assert.match(page.text, new RegExp(`<rect [^>]*data-day="${day}"`))
    assert.match(page.text, new RegExp(`<tr [^>]*data-day="${day}"><td>${day}</td><td class="text-right">420</td>`))
    assert.include(page.text, 'data-test="transactions-table"')
    assert.include(page.text, 'spent on')
    assert.notInclude(page.text, 'data-test="upgrade-pro"', 'already on Pro')
    assert.match(page.text, /data-test="upgrade-team">Switch to Team</)

    const filtered = await client.get('/billing?type=grant')
    assert.include(filtered.text, 'test balance')
    assert.notInclude(filtered.text, 'spent on')
    const csv = await client.get('/billing/transactions.csv?type=grant')
    assert.equal(csv.status, 200)
    assert.include(csv.text, ',grant,test balance,')
  })
})

test.group('Billing without a payment provider (BILLING=none)', (group) => {
  group.setup(() => {
    const before = billingConfig.provider
    billingConfig.provider = 'none'
    billing.restore()
    return () => {
      billingConfig.provider = before
    }
  })
  group.each.setup(() => truncateAll())

  test('no payment route exists: checkout, portal, API checkout and the webhook answer 404', async ({ assert }) => {
    const { client } = await signedUpClient('Self Hoster')
    await client.get('/billing')
    assert.equal((await client.post('/billing/checkout', { plan: 'pro' })).status, 404)
    assert.equal((await client.get('/billing/portal')).status, 404)
    const account = await apiAccount('Self API')
    const checkout = await account.json('POST', '/api/v1/billing/checkout', { plan: 'pro' })
    assert.equal(checkout.status, 404)
    assert.equal(checkout.body.errors[0].code, 'E_ROUTE_NOT_FOUND')
    const webhook = await fetch(`${new WebClient().baseUrl}/webhooks/paddle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(webhook.status, 404)
    assert.lengthOf(await db.from('billing_events'), 0)
  })

  test('the billing page shows usage and the ledger, and no payment control', async ({ assert }) => {
    const { client } = await signedUpClient('Self Page')
    const page = await client.get('/billing')
    assert.equal(page.status, 200)
    assert.include(page.text, 'data-test="usage-chart"')
    assert.include(page.text, 'data-test="billing-balance"')
    for (const control of ['/billing/checkout', '/billing/portal', 'data-test="billing-plans"', 'data-test="billing-packs"', 'Upgrade', 'Top up']) {
      assert.notInclude(page.text, control)
    }
    const account = await apiAccount('Self Plans')
    const plans = await account.json('GET', '/api/v1/billing/plans')
    assert.containsSubset(plans.body, { provider: 'none', payments: false })
  })
})
