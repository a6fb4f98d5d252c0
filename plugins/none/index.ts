import { definePlugin } from '#plugins/definition'
import { BillingProviderError, WebhookSignatureError, type BillingProvider } from '#billing/contract'

/**
 * Self-hosted billing: no payments at all. No checkout, no portal, no
 * webhook; the platform shows no payment page or route, and an admin grants
 * balance by hand (a ledger entry with a reason).
 */
export default definePlugin<BillingProvider>({
  id: 'none',
  kind: 'billing',
  name: 'No billing (self-hosted)',
  description: 'No payments: admins grant balance by hand. Plan limits are off unless BILLING_LIMITS=true.',
  version: '1.0.0',
  hostApi: '^1.0.0',
  settings: [],
  create() {
    return {
      payments: false,
      async checkout() {
        throw new BillingProviderError('Payments are not enabled on this instance: ask an administrator for balance')
      },
      async portalUrl() {
        return null
      },
      async parseWebhook() {
        throw new WebhookSignatureError('This instance takes no payments: no webhook is accepted')
      },
    }
  },
})
