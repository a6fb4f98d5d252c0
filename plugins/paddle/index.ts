import { definePlugin } from '#plugins/definition'
import type { BillingProvider } from '#billing/contract'

/**
 * Payments through Paddle Billing (paddle.com, merchant of record): hosted
 * checkout for plans and token packs, the customer portal, and signed
 * webhooks that the platform turns into plan changes and ledger entries.
 * The SDK (@paddle/paddle-node-sdk) is imported only when the plugin is
 * used. See `provider.ts`.
 */
export default definePlugin<BillingProvider>({
  id: 'paddle',
  kind: 'billing',
  name: 'Paddle',
  description:
    'Takes payments with Paddle Billing: plan subscriptions and token packs through Paddle’s hosted checkout, the customer portal, and signed webhooks (POST /webhooks/paddle).',
  version: '1.0.0',
  hostApi: '^1.0.0',
  settings: [
    {
      name: 'api_key',
      label: 'API key',
      help: 'A Paddle API key (Developer tools → Authentication), of the same environment as below.',
      required: true,
      secret: true,
      scopes: ['platform'],
      env: 'PADDLE_API_KEY',
    },
    {
      name: 'webhook_secret',
      label: 'Webhook secret key',
      help: 'The secret key of the notification destination that points at <APP_URL>/webhooks/paddle.',
      required: true,
      secret: true,
      scopes: ['platform'],
      env: 'PADDLE_WEBHOOK_SECRET',
    },
    {
      name: 'environment',
      label: 'Environment',
      help: '“sandbox” (test cards, sandbox-api.paddle.com) or “production”.',
      scopes: ['platform'],
      env: 'PADDLE_ENVIRONMENT',
      default: 'sandbox',
    },
    {
      name: 'api_url',
      label: 'API URL',
      type: 'url',
      help: 'Another address for the Paddle API (a proxy). Empty: the environment’s own.',
      scopes: ['platform'],
      env: 'PADDLE_API_URL',
    },
  ],
  async create({ settings }) {
    const { createPaddleProvider } = await import('./provider.js')
    return createPaddleProvider({
      apiKey: settings.api_key ?? '',
      webhookSecret: settings.webhook_secret ?? '',
      environment: settings.environment === 'production' ? 'production' : 'sandbox',
      apiUrl: settings.api_url || undefined,
    })
  },
})
