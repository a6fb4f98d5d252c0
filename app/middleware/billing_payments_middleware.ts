import { errors } from '@adonisjs/core/http'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import billing from '#billing/billing_manager'

/**
 * Payment routes (checkout, customer portal, the provider's webhook) exist
 * only when the configured billing plugin takes payments. They are
 * registered always and answer exactly what an unknown address answers
 * (404 E_ROUTE_NOT_FOUND) otherwise: the provider is configuration read at
 * request time (BILLING, config/billing.ts), so switching it needs no
 * different route table, and a self-hosted instance (`none`) exposes no
 * payment surface at all.
 */
export default class BillingPaymentsMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const provider = await billing.use()
    if (!provider.payments) throw new errors.E_ROUTE_NOT_FOUND([ctx.request.method(), ctx.request.url()])
    return next()
  }
}
