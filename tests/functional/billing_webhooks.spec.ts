import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import billingConfig from '#config/billing'
import { fromDbTime } from '#lib/db_time'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { PRICES, WEBHOOK_SECRET, deliver, paddleEvent, usePaddle } from '#tests/helpers/billing'
import { signPaddleWebhook, subscriptionData, transactionData } from '#tests/fakes/paddle_server'
import billing from '#billing/billing_manager'
import type { BillingProvider } from '#billing/contract'
import LedgerService from '#services/ledger_service'
import BillingWebhookService from '#services/billing_webhook_service'

const workspaceRow = (id: number) => db.from('workspaces').where('id', id).first()
const ledger = (workspaceId: number) => db.from('transactions').where('workspace_id', workspaceId).orderBy('id')

const t0 = Date.now() - 3600_000
const at = (minutes: number) => new Date(t0 + minutes * 60_000)

function subscriptionEvent(
  type: string,
  workspaceId: number,
  options: { status?: 'active' | 'past_due' | 'canceled' | 'paused'; price?: string; minute: number; eventId?: string; periodEnd?: Date }
) {
  return paddleEvent(
    type,
    subscriptionData({
      id: 'sub_01hv8y5ehszzq0yv20ttx3166y',
      customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
      status: options.status ?? 'active',
      items: [{ priceId: options.price ?? PRICES.pro, amount: 2900 }],
      customData: { workspace_id: workspaceId },
      periodStart: at(options.minute),
      periodEnd: options.periodEnd ?? new Date(at(options.minute).getTime() + 30 * 24 * 3600_000),
    }),
    { occurredAt: at(options.minute), eventId: options.eventId }
  )
}

function packPayment(workspaceId: number, options: { txn?: string; eventId?: string; pack?: 's' | 'm' | 'l' } = {}) {
  const pack = options.pack ?? 'm'
  return paddleEvent(
    'transaction.completed',
    transactionData({
      id: options.txn ?? 'txn_01hv8wptq8987qeep44cyrewp9',
      customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
      subscriptionId: null,
      customData: { workspace_id: workspaceId },
      items: [{ priceId: PRICES[pack], amount: billingConfig.packs[pack].priceCents }],
      tax: 1000,
    }),
    { eventId: options.eventId }
  )
}

test.group('Paddle webhooks', (group) => {
  const paddle = usePaddle(group)
  let paddleDriver: BillingProvider
  group.setup(async () => {
    paddleDriver = await billing.use('paddle')
  })
  group.each.setup(() => truncateAll())

  test('a signed subscription.created upgrades the workspace and is stored as received', async ({ assert }) => {
    const account = await apiAccount('Subscriber')
    const periodEnd = new Date('2031-05-01T00:00:00.000Z')
    const event = subscriptionEvent('subscription.created', account.workspaceId, { minute: 1, periodEnd })
    const response = await deliver(event)
    assert.equal(response.status, 200)
    assert.deepEqual(response.body, { received: true, status: 'processed', event_id: event.event_id })

    const workspace = await workspaceRow(account.workspaceId)
    assert.equal(workspace.plan, 'pro')
    assert.equal(workspace.subscription_status, 'active')
    assert.equal(workspace.billing_subscription_id, 'sub_01hv8y5ehszzq0yv20ttx3166y')
    assert.equal(workspace.billing_customer_id, 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4')
    assert.equal(fromDbTime(workspace.plan_renews_at).toISOString(), periodEnd.toISOString())
    assert.equal(fromDbTime(workspace.subscription_state_at).getTime(), at(1).getTime())

    const [stored] = await db.from('billing_events')
    assert.containsSubset(stored, { provider: 'paddle', event_id: event.event_id, event_type: 'subscription.created', status: 'processed', workspace_id: account.workspaceId })
    assert.equal(stored.payload, JSON.stringify(event), 'the raw body, byte for byte')
  })

  test('the signature is checked over the body exactly as sent (whitespace, non-ASCII)', async ({ assert }) => {
    const account = await apiAccount('Zoë')
    const event = subscriptionEvent('subscription.created', account.workspaceId, { minute: 1 })
    ;(event.data.custom_data as any).note = 'Zoë’s café 🚀 "quoted" \\ back'
    const body = JSON.stringify(event, null, 2) + '\n'
    const response = await deliver(body)
    assert.equal(response.status, 200)
    assert.equal(response.body.status, 'processed')
    assert.equal((await db.from('billing_events').first()).payload, body)
  })

  test('a bad, stale or missing signature is refused and changes nothing', async ({ assert }) => {
    const account = await apiAccount('Forged')
    const before = await workspaceRow(account.workspaceId)
    const event = subscriptionEvent('subscription.created', account.workspaceId, { minute: 1 })

    const forged = await deliver(event, { secret: 'not the secret' })
    assert.equal(forged.status, 401)
    assert.equal(forged.body.errors[0].code, 'invalid_signature')
    assert.equal((await deliver(event, { signedAt: new Date(Date.now() - 6000) })).status, 401, 'older than 5 seconds')
    const future = await deliver(event, { signedAt: new Date(Date.now() + 60_000) })
    assert.equal(future.status, 401, 'dated a minute ahead')
    assert.equal(future.body.errors[0].code, 'invalid_signature')
    assert.equal((await deliver(event, { signature: null })).status, 401)
    // Signed, then changed on the way: the body no longer matches.
    const body = JSON.stringify(event)
    const tampered = await deliver(body.replace('"active"', '"trialing"'), { signature: signPaddleWebhook(body, WEBHOOK_SECRET) })
    assert.equal(tampered.status, 401)

    assert.lengthOf(await db.from('billing_events'), 0)
    const after = await workspaceRow(account.workspaceId)
    assert.deepEqual(
      { plan: after.plan, status: after.subscription_status, sub: after.billing_subscription_id, balance: after.tokens_balance },
      { plan: before.plan, status: before.subscription_status, sub: before.billing_subscription_id, balance: before.tokens_balance }
    )
    assert.equal(after.plan, 'free')
  })

  test('the same event delivered 10 times, also at once, applies once', async ({ assert }) => {
    const account = await apiAccount('Redelivered')
    const balance = Number((await workspaceRow(account.workspaceId)).tokens_balance)
    const created = subscriptionEvent('subscription.created', account.workspaceId, { minute: 1 })
    const payment = packPayment(account.workspaceId)

    const atOnce = await Promise.all(Array.from({ length: 10 }, () => deliver(created)))
    const sequential = []
    for (let i = 0; i < 10; i++) sequential.push(await deliver(created))
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => deliver(payment)))
    const sequentialPayments = []
    for (let i = 0; i < 10; i++) sequentialPayments.push(await deliver(payment))

    for (const response of [...atOnce, ...sequential, ...concurrent, ...sequentialPayments]) assert.equal(response.status, 200)
    assert.deepEqual(atOnce.map((r) => r.body.status).sort(), ['processed', ...Array(9).fill('duplicate')].sort())
    assert.isTrue(sequential.every((r) => r.body.status === 'duplicate'))
    assert.deepEqual(concurrent.map((r) => r.body.status).sort(), ['processed', ...Array(9).fill('duplicate')].sort())
    assert.isTrue(sequentialPayments.every((r) => r.body.status === 'duplicate'))

    assert.lengthOf(await db.from('billing_events'), 2)
    const entries = await ledger(account.workspaceId).where('type', 'top_up')
    assert.lengthOf(entries, 1)
    const workspace = await workspaceRow(account.workspaceId)
    assert.equal(Number(workspace.tokens_balance), balance + billingConfig.packs.m.tokens)
    assert.equal(workspace.plan, 'pro')
  })

  test('a second event for the same Paddle transaction posts nothing more', async ({ assert }) => {
    const account = await apiAccount('Twice paid')
    const first = await deliver(packPayment(account.workspaceId, { pack: 's' }))
    const second = await deliver(packPayment(account.workspaceId, { pack: 's' }))
    assert.equal(first.body.status, 'processed')
    assert.equal(second.body.status, 'processed', 'a new event id')
    assert.lengthOf(await ledger(account.workspaceId).where('type', 'top_up'), 1)
  })

  test('events out of order: an older event never overwrites a newer state', async ({ assert }) => {
    const account = await apiAccount('Unordered')
    const id = account.workspaceId

    // updated (team, minute 2) arrives before created (pro, minute 1).
    await deliver(subscriptionEvent('subscription.updated', id, { minute: 2, price: PRICES.team }))
    const late = await deliver(subscriptionEvent('subscription.created', id, { minute: 1 }))
    assert.equal(late.body.status, 'ignored')
    let workspace = await workspaceRow(id)
    assert.equal(workspace.plan, 'team')
    assert.equal(fromDbTime(workspace.subscription_state_at).getTime(), at(2).getTime())

    // canceled (minute 5) arrives before an update of minute 4: the workspace stays canceled, on Free.
    await deliver(subscriptionEvent('subscription.canceled', id, { minute: 5, status: 'canceled', price: PRICES.team }))
    const stale = await deliver(subscriptionEvent('subscription.updated', id, { minute: 4, price: PRICES.pro }))
    assert.equal(stale.body.status, 'ignored')
    workspace = await workspaceRow(id)
    assert.equal(workspace.plan, 'free')
    assert.equal(workspace.subscription_status, 'canceled')
    assert.isNull(workspace.plan_renews_at)
    const events = await db.from('billing_events').orderBy('id').select('event_type', 'status')
    assert.deepEqual(
      events.map((e) => `${e.event_type}:${e.status}`),
      ['subscription.updated:processed', 'subscription.created:ignored', 'subscription.canceled:processed', 'subscription.updated:ignored']
    )
  })

  test('events within the same second are still ordered by their milliseconds', async ({ assert }) => {
    const account = await apiAccount('Quick changes')
    const second = Math.floor(Date.now() / 1000) * 1000 - 60_000
    const event = (type: string, price: string, ms: number) =>
      paddleEvent(type, subscriptionData({ id: 'sub_01quick', customerId: 'ctm_01quick', status: 'active', items: [{ priceId: price }], customData: { workspace_id: account.workspaceId } }), { occurredAt: new Date(second + ms) })
    assert.equal((await deliver(event('subscription.created', PRICES.pro, 200))).body.status, 'processed')
    assert.equal((await deliver(event('subscription.updated', PRICES.team, 700))).body.status, 'processed', '0.5 s later: newer')
    assert.equal((await deliver(event('subscription.updated', PRICES.pro, 450))).body.status, 'ignored', 'between the two: older')
    assert.equal((await workspaceRow(account.workspaceId)).plan, 'team')
  })

  test('another subscription naming a workspace with a live one does not take it over', async ({ assert }) => {
    const account = await apiAccount('Owned')
    const id = account.workspaceId
    await deliver(subscriptionEvent('subscription.created', id, { minute: 1, price: PRICES.team }))
    const intruder = paddleEvent(
      'subscription.created',
      subscriptionData({ id: 'sub_01someoneelse', customerId: 'ctm_01someoneelse', status: 'active', items: [{ priceId: PRICES.pro }], customData: { workspace_id: id } }),
      { occurredAt: at(2) }
    )
    assert.equal((await deliver(intruder)).body.status, 'ignored')
    const canceled = paddleEvent('subscription.canceled', subscriptionData({ id: 'sub_01someoneelse', customerId: 'ctm_01someoneelse', status: 'canceled', items: [{ priceId: PRICES.pro }], customData: { workspace_id: id } }), { occurredAt: at(3) })
    assert.equal((await deliver(canceled)).body.status, 'ignored')
    const workspace = await workspaceRow(id)
    assert.deepEqual([workspace.plan, workspace.subscription_status, workspace.billing_subscription_id], ['team', 'active', 'sub_01hv8y5ehszzq0yv20ttx3166y'])

    // Once its own subscription has ended, a new one is the workspace's.
    await deliver(subscriptionEvent('subscription.canceled', id, { minute: 4, status: 'canceled', price: PRICES.team }))
    const next = paddleEvent('subscription.created', subscriptionData({ id: 'sub_01next', customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4', status: 'active', items: [{ priceId: PRICES.pro }], customData: { workspace_id: id } }), { occurredAt: at(5) })
    assert.equal((await deliver(next)).body.status, 'processed')
    assert.deepEqual([(await workspaceRow(id)).plan, (await workspaceRow(id)).billing_subscription_id], ['pro', 'sub_01next'])
  })

  test('past_due keeps the plan and marks the status; a later active clears it', async ({ assert }) => {
    const account = await apiAccount('Late payer')
    const id = account.workspaceId
    await deliver(subscriptionEvent('subscription.created', id, { minute: 1 }))
    await deliver(subscriptionEvent('subscription.past_due', id, { minute: 2, status: 'past_due' }))
    let workspace = await workspaceRow(id)
    assert.deepEqual([workspace.plan, workspace.subscription_status], ['pro', 'past_due'])
    await deliver(subscriptionEvent('subscription.updated', id, { minute: 3 }))
    workspace = await workspaceRow(id)
    assert.deepEqual([workspace.plan, workspace.subscription_status], ['pro', 'active'])
  })

  test('transaction.completed: a top-up adds the pack’s tokens once; a subscription payment grants the plan’s tokens', async ({ assert }) => {
    const account = await apiAccount('Buyer')
    const id = account.workspaceId
    const start = Number((await workspaceRow(id)).tokens_balance)

    const topUp = await deliver(packPayment(id, { pack: 'l', txn: 'txn_01topup00000000000000000000' }))
    assert.equal(topUp.body.status, 'processed')
    const [entry] = await ledger(id).where('type', 'top_up')
    assert.containsSubset(entry, { reference: 'txn_01topup00000000000000000000', type: 'top_up' })
    assert.equal(Number(entry.tokens), billingConfig.packs.l.tokens)
    assert.equal(Number(entry.amount), billingConfig.packs.l.priceCents * 10_000, 'micro-dollars paid, tax excluded')
    assert.equal(Number((await workspaceRow(id)).tokens_balance), start + billingConfig.packs.l.tokens)
    assert.equal((await workspaceRow(id)).billing_customer_id, 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4', 'the portal works after a first pack')

    const renewal = paddleEvent(
      'transaction.completed',
      transactionData({
        id: 'txn_01renewal000000000000000000',
        customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
        subscriptionId: 'sub_01hv8y5ehszzq0yv20ttx3166y',
        origin: 'subscription_recurring',
        customData: { workspace_id: id },
        items: [{ priceId: PRICES.pro, amount: 2900, interval: 'month' }],
      })
    )
    await deliver(renewal)
    await deliver(renewal)
    const [plan] = await ledger(id).where('type', 'plan_payment')
    assert.equal(Number(plan.tokens), billingConfig.plans.pro.monthlyTokens)
    assert.equal(Number(plan.amount), 2900 * 10_000)
    assert.equal(plan.reference, 'txn_01renewal000000000000000000')
    assert.lengthOf(await ledger(id).where('type', 'plan_payment'), 1)
    assert.equal(Number((await workspaceRow(id)).tokens_balance), start + billingConfig.packs.l.tokens + billingConfig.plans.pro.monthlyTokens)

    // An upgrade mid-period: Paddle charges the prorated difference; it buys that share of the month's tokens.
    const upgrade = paddleEvent(
      'transaction.completed',
      transactionData({
        id: 'txn_01upgrade000000000000000000',
        customerId: 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4',
        subscriptionId: 'sub_01hv8y5ehszzq0yv20ttx3166y',
        origin: 'subscription_update',
        items: [{ priceId: PRICES.team, amount: 7000, interval: 'month' }],
      })
    )
    await deliver(upgrade)
    const change = await ledger(id).where('reference', 'txn_01upgrade000000000000000000').first()
    assert.equal(Number(change.tokens), Math.round((billingConfig.plans.team.monthlyTokens * 7000) / billingConfig.plans.team.priceCents))
    assert.include(change.description, 'Team plan change, prorated')
  })

  test('checkout through the API, paid at Paddle: the completed transaction finds its workspace', async ({ assert }) => {
    const account = await apiAccount('End to end')
    const checkout = await account.json('POST', '/api/v1/billing/checkout', { pack: 's' })
    assert.equal(checkout.status, 201)
    assert.equal(checkout.body.url, `https://pay.example.test/checkout?_ptxn=${checkout.body.id}`)
    assert.deepEqual(paddle.transactions.get(checkout.body.id)?.custom_data, { workspace_id: account.workspaceId, item: 'pack:s' })

    const before = Number((await workspaceRow(account.workspaceId)).tokens_balance)
    const response = await deliver(paddle.completedEvent(checkout.body.id))
    assert.equal(response.body.status, 'processed')
    assert.equal(Number((await workspaceRow(account.workspaceId)).tokens_balance), before + billingConfig.packs.s.tokens)
  })

  test('a failure while applying rolls back, is recorded as failed, and Paddle’s retry applies it', async ({ assert }) => {
    const account = await apiAccount('Retried')
    const ledgerService = new LedgerService()
    let failures = 1
    const flaky = {
      post: async (...args: Parameters<LedgerService['post']>) => {
        if (failures-- > 0) throw new Error('the database went away')
        return ledgerService.post(...args)
      },
    }
    const event = packPayment(account.workspaceId)
    const body = JSON.stringify(event)
    const service = new BillingWebhookService(flaky as unknown as LedgerService)
    await assert.rejects(
      () => service.handle('paddle', paddleDriver, body, { 'paddle-signature': signPaddleWebhook(body, WEBHOOK_SECRET) }),
      'the database went away'
    )
    const [failed] = await db.from('billing_events')
    assert.containsSubset(failed, { event_id: event.event_id, status: 'failed', error: 'the database went away' })
    assert.lengthOf(await ledger(account.workspaceId).where('type', 'top_up'), 0)

    const retry = await deliver(event)
    assert.equal(retry.body.status, 'processed')
    assert.lengthOf(await ledger(account.workspaceId).where('type', 'top_up'), 1)
    assert.equal((await db.from('billing_events').first()).status, 'processed')
    assert.equal((await deliver(event)).body.status, 'duplicate')
  })

  test('an event for no known workspace is stored and acknowledged, and changes nothing', async ({ assert }) => {
    const response = await deliver(subscriptionEvent('subscription.created', 999_999, { minute: 1 }))
    assert.equal(response.status, 200)
    assert.equal(response.body.status, 'ignored')
    const [stored] = await db.from('billing_events')
    assert.equal(stored.error, 'no workspace for this subscription')
    const other = await deliver(paddleEvent('customer.created', { id: 'ctm_01new' }))
    assert.equal(other.body.status, 'ignored')
  })
})
