import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import billing from '#billing/billing_manager'
import { BillingProviderError, WebhookSignatureError } from '#billing/contract'
import BillingWebhookService from '#services/billing_webhook_service'

/**
 * The billing provider's webhooks. Outside CSRF (config/shield.ts) and
 * authenticated by the provider's signature over the raw body, which the
 * body parser keeps as received (`request.raw()`).
 */
@inject()
export default class WebhooksController {
  constructor(private webhooks: BillingWebhookService) {}

  /** POST /webhooks/paddle */
  async paddle({ request, response }: HttpContext) {
    if (billing.current !== 'paddle') return response.notFound({ errors: [{ message: 'Route not found', code: 'E_ROUTE_NOT_FOUND' }] })
    const provider = await billing.use('paddle')
    try {
      const outcome = await this.webhooks.handle('paddle', provider, request.raw() ?? '', request.headers())
      return response.ok({ received: true, status: outcome.status, event_id: outcome.eventId })
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        return response.unauthorized({ errors: [{ message: error.message, code: 'invalid_signature' }] })
      }
      if (error instanceof BillingProviderError) {
        return response.badRequest({ errors: [{ message: error.message, code: 'invalid_event' }] })
      }
      throw error
    }
  }
}
