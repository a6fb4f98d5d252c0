import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import billingConfig from '#config/billing'
import aiConfig from '#config/ai'
import LedgerService, { type PostedEntry } from '#services/ledger_service'

const MICROS_PER_CENT = 10_000
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/

export type DomainPrice = { domain: string; tld: string; cents: number; micros: number; tokens: number }

export class InvalidDomainError extends Error {
  constructor(domain: string) {
    super(`"${domain.slice(0, 100)}" is not a domain name`)
  }
}

/**
 * A custom domain's yearly fee from config/billing.ts `domains.yearlyCents`,
 * by top-level domain (`default` for the others), in cents, micro-dollars
 * (ledger `amount`) and balance tokens (ledger `tokens`).
 */
export function priceDomain(name: string): DomainPrice {
  const domain = name.trim().toLowerCase().replace(/\.$/, '')
  if (!DOMAIN.test(domain)) throw new InvalidDomainError(name)
  const tld = domain.slice(domain.lastIndexOf('.') + 1)
  const table = billingConfig.domains.yearlyCents
  const cents = table[tld] ?? table.default
  const micros = cents * MICROS_PER_CENT
  return { domain, tld, cents, micros, tokens: Math.ceil(micros / aiConfig.microsPerBalanceToken) }
}

/**
 * Charges custom domains to the workspace balance: one `domain` ledger
 * entry per domain and year (reference `domain:<name>:<year>`, so charging
 * the same year twice changes nothing). A balance that cannot cover the
 * fee refuses the charge (InsufficientFundsError), nothing is taken.
 * Used when custom domains are attached and at each yearly renewal.
 */
export default class DomainBillingService {
  constructor(private ledger = new LedgerService()) {}

  async charge(
    workspaceId: number,
    name: string,
    options: { userId?: number | null; projectId?: number | null; now?: DateTime } = {}
  ): Promise<PostedEntry & { price: DomainPrice }> {
    const price = priceDomain(name)
    const start = (options.now ?? DateTime.utc()).toUTC()
    const posted = await this.ledger.post({
      workspaceId,
      type: 'domain',
      tokens: -price.tokens,
      amount: -price.micros,
      userId: options.userId ?? null,
      projectId: options.projectId ?? null,
      reference: domainReference(price.domain, start.year),
      description: `Domain ${price.domain}: one year from ${start.toISODate()}`,
    })
    return { ...posted, price }
  }
}

/** `domain:<name>:<year>`; a name too long for the column (128) is hashed. */
function domainReference(domain: string, year: number) {
  const plain = `domain:${domain}:${year}`
  return plain.length <= 128 ? plain : `domain:${createHash('sha256').update(domain).digest('hex')}:${year}`
}
