import type { Group } from '@japa/runner/core'
import billingConfig, { PACK_IDS, PLAN_IDS } from '#config/billing'
import billing from '#billing/billing_manager'
import paddlePlugin from '../../plugins/paddle/index.js'
import { FakePaddleServer, paddleEvent, signPaddleWebhook, type PaddleEventEnvelope } from '#tests/fakes/paddle_server'
import { WebClient } from '#tests/helpers/web_client'

export const WEBHOOK_SECRET = 'pdl_ntfset_test_secret_0123456789'
export const API_KEY = 'pdl_sdbx_apikey_01abcdefghijklmnopqrstuvwx'

/** The price ids the tests sell at (config/billing.ts reads them from env otherwise). */
export const PRICES = {
  pro: 'pri_01pro000000000000000000000',
  team: 'pri_01team00000000000000000000',
  s: 'pri_01packs0000000000000000000',
  m: 'pri_01packm0000000000000000000',
  l: 'pri_01packl0000000000000000000',
} as const

/**
 * Selects Paddle as the billing provider for a test group: the real
 * plugin (SDK included) pointed at a local fake of the Paddle API, price
 * ids set in the billing config (config is data), everything put back at
 * teardown. Returns the fake.
 */
export function usePaddle(group: Group): FakePaddleServer {
  const fake = new FakePaddleServer({
    apiKey: API_KEY,
    prices: {
      [PRICES.pro]: { amount: billingConfig.plans.pro.priceCents, interval: 'month' },
      [PRICES.team]: { amount: billingConfig.plans.team.priceCents, interval: 'month' },
      [PRICES.s]: { amount: billingConfig.packs.s.priceCents },
      [PRICES.m]: { amount: billingConfig.packs.m.priceCents },
      [PRICES.l]: { amount: billingConfig.packs.l.priceCents },
    },
  })
  group.setup(async () => {
    await fake.start()
    const before = {
      provider: billingConfig.provider,
      plans: Object.fromEntries(PLAN_IDS.map((id) => [id, billingConfig.plans[id].priceId])),
      packs: Object.fromEntries(PACK_IDS.map((id) => [id, billingConfig.packs[id].priceId])),
    }
    billingConfig.provider = 'paddle'
    billingConfig.plans.pro.priceId = PRICES.pro
    billingConfig.plans.team.priceId = PRICES.team
    for (const id of PACK_IDS) billingConfig.packs[id].priceId = PRICES[id]
    billing.fake('paddle', await paddleProvider(fake))
    return async () => {
      billing.restore('paddle')
      billingConfig.provider = before.provider
      for (const id of PLAN_IDS) billingConfig.plans[id].priceId = before.plans[id]
      for (const id of PACK_IDS) billingConfig.packs[id].priceId = before.packs[id]
      await fake.close()
    }
  })
  group.each.setup(() => fake.reset())
  return fake
}

/** The Paddle plugin's driver, built from its definition with settings aimed at the fake. */
export function paddleProvider(fake: FakePaddleServer, settings: Record<string, string> = {}) {
  return paddlePlugin.create({
    settings: { api_key: fake.apiKey, webhook_secret: WEBHOOK_SECRET, environment: 'sandbox', api_url: fake.url, ...settings },
    logger: console as any,
  })
}

/** Posts a webhook to the platform as Paddle would: the exact body, signed. */
export async function deliver(
  event: PaddleEventEnvelope | string,
  options: { secret?: string; signedAt?: Date; signature?: string | null } = {}
) {
  const body = typeof event === 'string' ? event : JSON.stringify(event)
  const signature = options.signature === undefined ? signPaddleWebhook(body, options.secret ?? WEBHOOK_SECRET, options.signedAt) : options.signature
  const response = await fetch(`${new WebClient().baseUrl}/webhooks/paddle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'paddle-signature': signature }) },
    body,
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}

export { paddleEvent }
