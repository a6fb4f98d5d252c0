import env from '#start/env'

/**
 * Billing: plans and their limits, top-up packs, compute and domain prices.
 * An operator changes them here (or the price ids through env) without
 * touching code.
 *
 * Units:
 * - prices a customer pays (`priceCents`) are US cents;
 * - the ledger (`transactions.amount`) counts micro-dollars ($0.000001) and
 *   `transactions.tokens` counts balance tokens of $0.0001 (100 micro-dollars,
 *   config/ai.ts `microsPerBalanceToken`); both are integers.
 *
 * `null` as a limit means "no limit".
 */
export type PlanLimits = {
  /** Projects in the workspace. */
  maxProjects: number | null
  /** Production deployments live at the same time. */
  maxProductionDeployments: number | null
  /** Custom domains attached to the workspace's apps. */
  customDomains: number | null
  /** Members of the workspace, the owner included. */
  seats: number | null
}

export type PlanDefinition = {
  name: string
  tagline: string
  /** Monthly price in cents. */
  priceCents: number
  /** The billing provider's price id (Paddle `pri_…`); null: not sold (free). */
  priceId: string | null
  /** Balance tokens granted at sign-up (free) or at each paid renewal. */
  monthlyTokens: number
  limits: PlanLimits
}

export type PackDefinition = {
  name: string
  priceCents: number
  priceId: string | null
  /** Balance tokens the pack adds. */
  tokens: number
}

export type ComputeSize = {
  name: string
  /** Price per month in cents; charged daily as ceil(monthly / 30). */
  monthlyCents: number
  memoryMb: number
}

const plans = {
  free: {
    name: 'Free',
    tagline: 'Try xBasis on a real project',
    priceCents: 0,
    priceId: null,
    monthlyTokens: 10_000,
    limits: { maxProjects: 3, maxProductionDeployments: 1, customDomains: 0, seats: 1 },
  },
  pro: {
    name: 'Pro',
    tagline: 'For builders shipping to production',
    priceCents: 2900,
    priceId: env.get('PADDLE_PRICE_PRO') ?? null,
    monthlyTokens: 200_000,
    limits: { maxProjects: 50, maxProductionDeployments: 10, customDomains: 10, seats: 1 },
  },
  team: {
    name: 'Team',
    tagline: 'Shared workspaces for small teams',
    priceCents: 9900,
    priceId: env.get('PADDLE_PRICE_TEAM') ?? null,
    monthlyTokens: 800_000,
    limits: { maxProjects: null, maxProductionDeployments: 50, customDomains: 50, seats: 10 },
  },
} satisfies Record<string, PlanDefinition>

export type PlanId = keyof typeof plans
export const PLAN_IDS = Object.keys(plans) as PlanId[]

const packs = {
  s: { name: '100k tokens', priceCents: 1000, priceId: env.get('PADDLE_PRICE_PACK_S') ?? null, tokens: 100_000 },
  m: { name: '500k tokens', priceCents: 5000, priceId: env.get('PADDLE_PRICE_PACK_M') ?? null, tokens: 500_000 },
  l: { name: '1.2M tokens', priceCents: 10000, priceId: env.get('PADDLE_PRICE_PACK_L') ?? null, tokens: 1_200_000 },
} satisfies Record<string, PackDefinition>

export type PackId = keyof typeof packs
export const PACK_IDS = Object.keys(packs) as PackId[]

const provider = env.get('BILLING', 'none')

const billingConfig = {
  /** The billing plugin: `none` (self-hosted) or `paddle`. */
  provider: provider as 'none' | 'paddle' | (string & {}),
  /**
   * Are plan limits enforced? Always with a payment provider; on-prem
   * (`none`) only when the operator asks for them.
   */
  limitsEnabled: provider !== 'none' || env.get('BILLING_LIMITS', false),
  plans: plans as Record<PlanId, PlanDefinition>,
  defaultPlan: 'free' as PlanId,
  packs: packs as Record<PackId, PackDefinition>,
  compute: {
    /**
     * Are running production apps charged (ComputeBillingService)? Not on a
     * self-hosted instance (`none`): the apps run on the operator's machines.
     */
    charged: provider !== 'none',
    /** Seed: $5–20 per project per month, by size class. */
    sizes: {
      small: { name: 'Small', monthlyCents: 500, memoryMb: 256 },
      medium: { name: 'Medium', monthlyCents: 1000, memoryMb: 512 },
      large: { name: 'Large', monthlyCents: 2000, memoryMb: 1024 },
    } as Record<string, ComputeSize>,
    defaultSize: 'small',
    /** Days between the "balance exhausted" warning and stopping production apps. */
    graceDays: env.get('COMPUTE_GRACE_DAYS', 3),
  },
  domains: {
    /** Seed: $12–15 per year; by top-level domain, `default` for the rest. */
    yearlyCents: { com: 1200, net: 1300, org: 1300, io: 1500, default: 1500 } as Record<string, number>,
  },
  paddle: {
    apiKey: env.get('PADDLE_API_KEY'),
    webhookSecret: env.get('PADDLE_WEBHOOK_SECRET'),
    environment: env.get('PADDLE_ENVIRONMENT', 'sandbox') as 'sandbox' | 'production',
    /** Overrides the SDK's API address (a proxy, or a local fake in tests). */
    apiUrl: env.get('PADDLE_API_URL'),
  },
}

export default billingConfig
