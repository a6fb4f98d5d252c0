import { test } from '@japa/runner'
import { createHmac } from 'node:crypto'
import plugin from './index.js'
import { validateDefinition } from '#plugins/validate_definition'
import billingConfig from '#config/billing'
import { BillingProviderError, WebhookSignatureError, type BillingProvider } from '#billing/contract'
import { FakePaddleServer, paddleEvent, signPaddleWebhook, subscriptionData, transactionData } from '#tests/fakes/paddle_server'
import { API_KEY, PRICES, WEBHOOK_SECRET, paddleProvider } from '#tests/helpers/billing'

const fake = new FakePaddleServer({
  apiKey: API_KEY,
  prices: {
    [PRICES.pro]: { amount: 2900, interval: 'month' },
    [PRICES.m]: { amount: 5000 },
  },
  customers: ['ctm_01existing000000000000000'],
})

const expectError = async <E extends Error>(promise: Promise<unknown>, type: new (...args: any[]) => E): Promise<E> => {
  try {
    await promise
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected a ${type.name}`)
}

test.group('Paddle billing plugin', (group) => {
  let provider: BillingProvider
  const saved = { pro: billingConfig.plans.pro.priceId, team: billingConfig.plans.team.priceId, m: billingConfig.packs.m.priceId }
  group.setup(async () => {
    await fake.start()
    billingConfig.plans.pro.priceId = PRICES.pro
    billingConfig.plans.team.priceId = null
    billingConfig.packs.m.priceId = PRICES.m
    provider = await paddleProvider(fake)
    return async () => {
      billingConfig.plans.pro.priceId = saved.pro
      billingConfig.plans.team.priceId = saved.team
      billingConfig.packs.m.priceId = saved.m
      await fake.close()
    }
  })
  group.each.setup(() => fake.reset())

  test('is a valid billing plugin: secret key and webhook secret from env, environment and API URL', async ({ assert }) => {
    await validateDefinition(plugin, 'paddle')
    assert.equal(plugin.kind, 'billing')
    const byName = Object.fromEntries(plugin.settings.map((s) => [s.name, s]))
    assert.include(byName.api_key, { env: 'PADDLE_API_KEY', secret: true, required: true })
    assert.include(byName.webhook_secret, { env: 'PADDLE_WEBHOOK_SECRET', secret: true, required: true })
    assert.include(byName.environment, { env: 'PADDLE_ENVIRONMENT', default: 'sandbox' })
    assert.include(byName.api_url, { env: 'PADDLE_API_URL', type: 'url' })
    assert.isTrue(provider.payments)
  })

  test('checkout of a plan creates a Paddle transaction with the price and the workspace, and answers its checkout URL', async ({ assert }) => {
    const session = await provider.checkout({
      workspaceId: 42,
      email: 'owner@example.com',
      customerId: null,
      item: { kind: 'plan', plan: 'pro' },
      returnUrl: 'http://localhost/billing',
    })
    assert.match(session.id, /^txn_[a-z0-9]{26}$/)
    assert.equal(session.url, `https://pay.example.test/checkout?_ptxn=${session.id}`)
    const [request] = fake.requests
    assert.equal(request.method, 'POST')
    assert.equal(request.path, '/transactions')
    assert.equal(request.headers.authorization, `bearer ${API_KEY}`)
    assert.deepEqual(request.body, { items: [{ price_id: PRICES.pro, quantity: 1 }], custom_data: { workspace_id: 42, item: 'plan:pro' } })
  })

  test('checkout of a pack reuses the stored Paddle customer', async ({ assert }) => {
    const session = await provider.checkout({
      workspaceId: 7,
      email: 'owner@example.com',
      customerId: 'ctm_01existing000000000000000',
      item: { kind: 'pack', pack: 'm' },
      returnUrl: 'http://localhost/billing',
    })
    assert.equal(fake.transactions.get(session.id)?.customer_id, 'ctm_01existing000000000000000')
    assert.equal(fake.transactions.get(session.id)?.status, 'ready')
    assert.deepEqual((fake.requests[0].body as any).items, [{ price_id: PRICES.m, quantity: 1 }])
  })

  test('Paddle errors reach the user in words: bad key, unknown price, no payment link, price id not set', async ({ assert }) => {
    const input = { workspaceId: 1, email: 'a@example.com', customerId: null, returnUrl: 'http://x/billing' }
    const badKey = await paddleProvider(fake, { api_key: 'pdl_sdbx_apikey_wrong' })
    const denied = await expectError(badKey.checkout({ ...input, item: { kind: 'plan', plan: 'pro' } }), BillingProviderError)
    assert.equal(denied.message, 'Paddle could not start the checkout: Invalid or revoked API key. (invalid_token). Check PADDLE_API_KEY (and that it belongs to the PADDLE_ENVIRONMENT it is used with).')

    billingConfig.packs.m.priceId = 'pri_01archived0000000000000000'
    try {
      const unknown = await expectError(provider.checkout({ ...input, item: { kind: 'pack', pack: 'm' } }), BillingProviderError)
      assert.include(unknown.message, 'One or more provided price_ids could not be found, provided: pri_01archived0000000000000000')
      assert.include(unknown.message, '(transaction_price_not_found)')
    } finally {
      billingConfig.packs.m.priceId = PRICES.m
    }

    fake.checkoutUrl = null
    try {
      const noLink = await expectError(provider.checkout({ ...input, item: { kind: 'plan', plan: 'pro' } }), BillingProviderError)
      assert.include(noLink.message, 'set a default payment link in Paddle')
    } finally {
      fake.checkoutUrl = 'https://pay.example.test/checkout'
    }

    const notSold = await expectError(provider.checkout({ ...input, item: { kind: 'plan', plan: 'team' } }), BillingProviderError)
    assert.equal(notSold.message, 'Team is not for sale yet: its Paddle price id (PADDLE_PRICE_TEAM) is not set')

    const unreachable = await paddleProvider(fake, { api_url: 'http://127.0.0.1:9' })
    const down = await expectError(unreachable.checkout({ ...input, item: { kind: 'plan', plan: 'pro' } }), BillingProviderError)
    assert.match(down.message, /^Paddle could not start the checkout: /)
  })

  test('customer portal: a session for the stored customer and subscription; none without a customer', async ({ assert }) => {
    assert.isNull(await provider.portalUrl({ customerId: null, subscriptionId: null }))
    assert.lengthOf(fake.requests, 0)
    const url = await provider.portalUrl({ customerId: 'ctm_01existing000000000000000', subscriptionId: 'sub_01abc' })
    assert.match(url!, /^https:\/\/customer-portal\.paddle\.example\.test\/cpl_.*action=overview&token=/)
    assert.equal(fake.requests[0].path, '/customers/ctm_01existing000000000000000/portal-sessions')
    assert.deepEqual(fake.requests[0].body, { subscription_ids: ['sub_01abc'] })
    const missing = await expectError(provider.portalUrl({ customerId: 'ctm_01gone', subscriptionId: null }), BillingProviderError)
    assert.equal(missing.message, 'Paddle could not open the customer portal: Entity ctm_01gone not found (not_found).')
  })

  test('changePlan replaces the subscription’s price, prorated; Paddle’s refusal is readable', async ({ assert }) => {
    fake.subscriptions.set('sub_01live', { id: 'sub_01live', customer_id: 'ctm_01existing000000000000000', status: 'active', items: [{ price_id: PRICES.pro, quantity: 1 }], custom_data: null })
    billingConfig.plans.team.priceId = PRICES.pro
    try {
      await provider.changePlan!({ subscriptionId: 'sub_01live', plan: 'team' })
    } finally {
      billingConfig.plans.team.priceId = null
    }
    assert.equal(fake.requests[0].method, 'PATCH')
    assert.equal(fake.requests[0].path, '/subscriptions/sub_01live')
    assert.deepEqual(fake.requests[0].body, { items: [{ price_id: PRICES.pro, quantity: 1 }], proration_billing_mode: 'prorated_immediately' })

    fake.subscriptions.get('sub_01live')!.status = 'canceled'
    const canceled = await expectError(provider.changePlan!({ subscriptionId: 'sub_01live', plan: 'pro' }), BillingProviderError)
    assert.equal(canceled.message, 'Paddle could not change the plan: cannot update subscription, as subscription is canceled (subscription_update_when_canceled).')
    const notSold = await expectError(provider.changePlan!({ subscriptionId: 'sub_01live', plan: 'team' }), BillingProviderError)
    assert.include(notSold.message, 'PADDLE_PRICE_TEAM')
  })

  test('webhooks: a signed subscription event maps to the contract event (plan by price id)', async ({ assert }) => {
    const occurredAt = new Date('2026-03-01T10:00:00.123Z')
    const periodEnd = new Date('2026-04-01T10:00:00.000Z')
    const body = JSON.stringify(
      paddleEvent(
        'subscription.created',
        subscriptionData({ id: 'sub_01x', customerId: 'ctm_01y', status: 'active', items: [{ priceId: PRICES.pro, amount: 2900 }], customData: { workspace_id: 42 }, periodEnd }),
        { eventId: 'evt_01created', occurredAt }
      )
    )
    const event = await provider.parseWebhook(body, { 'paddle-signature': signPaddleWebhook(body, WEBHOOK_SECRET) })
    assert.deepEqual(event, {
      kind: 'subscription',
      id: 'evt_01created',
      type: 'subscription.created',
      occurredAt,
      workspaceId: 42,
      subscriptionId: 'sub_01x',
      customerId: 'ctm_01y',
      status: 'active',
      plan: 'pro',
      renewsAt: periodEnd,
    })
  })

  test('webhooks: transaction.completed maps packs and the money paid before tax', async ({ assert }) => {
    const body = JSON.stringify(
      paddleEvent(
        'transaction.completed',
        transactionData({ id: 'txn_01paid', customerId: 'ctm_01y', subscriptionId: null, customData: { workspace_id: '9' }, items: [{ priceId: PRICES.m, amount: 5000, quantity: 2 }], tax: 950 }),
        { eventId: 'evt_01paid' }
      )
    )
    const event = await provider.parseWebhook(body, { 'paddle-signature': signPaddleWebhook(body, WEBHOOK_SECRET) })
    assert.containsSubset(event, { kind: 'transaction_completed', transactionId: 'txn_01paid', workspaceId: 9, packs: ['m', 'm'], plan: null, reason: 'purchase', totalCents: 10000, currency: 'USD' })
  })

  test('webhooks: a signature dated in the future is refused beyond a 5 s clock skew', async ({ assert }) => {
    const body = JSON.stringify(paddleEvent('subscription.created', { id: 'sub_1' }))
    const future = (ms: number) => ({ 'paddle-signature': signPaddleWebhook(body, WEBHOOK_SECRET, new Date(Date.now() + ms)) })
    // A replay window that never closes: signed for next year, accepted today and every day until then.
    for (const ms of [6000, 60_000, 365 * 24 * 3600_000]) {
      const error = await expectError(provider.parseWebhook(body, future(ms)), WebhookSignatureError)
      assert.match(error.message, /in the future/)
    }
    // A clock a few seconds ahead of ours is normal skew.
    assert.equal((await provider.parseWebhook(body, future(3000))).type, 'subscription.created')
    // A timestamp the SDK would read as a number but that is not one (parseInt stops at the first non-digit).
    const ts = Math.floor(Date.now() / 1000) + 365 * 24 * 3600
    const h1 = createHmac('sha256', WEBHOOK_SECRET).update(`${ts}:${body}`).digest('hex')
    await expectError(provider.parseWebhook(body, { 'paddle-signature': `ts=${ts}x;h1=${h1}` }), WebhookSignatureError)
  })

  test('webhooks: a wrong, stale, missing or malformed signature is refused before the body is read', async ({ assert }) => {
    const body = JSON.stringify(paddleEvent('subscription.created', { id: 'sub_1' }))
    const refuse = (headers: Record<string, string>) => expectError(provider.parseWebhook(body, headers), WebhookSignatureError)
    await refuse({ 'paddle-signature': signPaddleWebhook(body, 'another secret') })
    await refuse({ 'paddle-signature': signPaddleWebhook(body, WEBHOOK_SECRET, new Date(Date.now() - 6000)) })
    await refuse({ 'paddle-signature': signPaddleWebhook(body + ' ', WEBHOOK_SECRET) })
    await refuse({ 'paddle-signature': 'garbage' })
    const missing = await refuse({})
    assert.equal(missing.message, 'The request has no Paddle-Signature header')
    // Not JSON, but signed: the signature is checked first, then the body.
    await expectError(provider.parseWebhook('not json', { 'paddle-signature': signPaddleWebhook('not json', 'wrong') }), WebhookSignatureError)
    await expectError(provider.parseWebhook('not json', { 'paddle-signature': signPaddleWebhook('not json', WEBHOOK_SECRET) }), BillingProviderError)
  })
})

test.group('Paddle fake', (group) => {
  group.setup(async () => {
    await fake.start()
    return () => fake.close()
  })

  test('speaks Paddle’s auth and error envelopes', async ({ assert }) => {
    const call = async (headers: Record<string, string>) => {
      const response = await fetch(`${fake.url}/transactions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' })
      return { status: response.status, body: (await response.json()) as any }
    }
    const missing = await call({})
    assert.equal(missing.status, 403)
    assert.containsSubset(missing.body, { error: { type: 'request_error', code: 'authentication_missing', documentation_url: 'https://developer.paddle.com/errors/shared/authentication_missing' } })
    assert.match(missing.body.meta.request_id, /^[0-9a-f-]{36}$/)
    assert.equal((await call({ authorization: 'Basic abc' })).body.error.code, 'authentication_malformed')
    assert.equal((await call({ authorization: 'Bearer nope' })).body.error.code, 'invalid_token')
    const invalid = await call({ authorization: `Bearer ${API_KEY}` })
    assert.equal(invalid.status, 400)
    assert.containsSubset(invalid.body.error, { code: 'invalid_field', errors: [{ field: 'items' }] })
  })

  test('its webhook payloads are what the SDK itself parses', async ({ assert }) => {
    const { Paddle } = await import('@paddle/paddle-node-sdk')
    const sdk = new Paddle('unused')
    const events = [
      paddleEvent('subscription.created', subscriptionData({ id: 'sub_01a', customerId: 'ctm_01b', status: 'active', items: [{ priceId: PRICES.pro, amount: 2900 }], customData: { workspace_id: 1 } })),
      paddleEvent('subscription.canceled', subscriptionData({ id: 'sub_01a', customerId: 'ctm_01b', status: 'canceled', items: [{ priceId: PRICES.pro, amount: 2900 }], canceledAt: new Date() })),
      paddleEvent('transaction.completed', transactionData({ id: 'txn_01c', customerId: 'ctm_01b', subscriptionId: null, items: [{ priceId: PRICES.m, amount: 5000 }] })),
    ]
    for (const event of events) {
      const body = JSON.stringify(event)
      const parsed: any = await sdk.webhooks.unmarshal(body, WEBHOOK_SECRET, signPaddleWebhook(body, WEBHOOK_SECRET))
      assert.equal(parsed.eventId, event.event_id)
      assert.equal(parsed.eventType, event.event_type)
      assert.equal(parsed.data.id, (event.data as any).id)
    }
  })

  test('signs webhooks as Paddle does', async ({ assert }) => {
    const { createHmac } = await import('node:crypto')
    const at = new Date('2026-01-01T00:00:00Z')
    const header = signPaddleWebhook('{"a":1}', 'secret', at)
    assert.equal(header, `ts=1767225600;h1=${createHmac('sha256', 'secret').update('1767225600:{"a":1}').digest('hex')}`)
  })
})
