import registry from '#plugins/registry'
import { PluginManager } from '#plugins/plugin_manager'
import billingConfig from '#config/billing'
import type { BillingProvider } from '#billing/contract'

/**
 * The manager of billing plugins: `billing.use()` (the provider selected
 * with BILLING, default `none`), `billing.use('paddle')`,
 * `billing.fake(id, driver)`, `billing.restore()`.
 */
class BillingManager extends PluginManager<BillingProvider> {
  /** The configured provider's id. */
  get current(): string {
    return billingConfig.provider
  }

  override use(id: string = this.current, options: { workspaceId?: number | null } = {}) {
    return super.use(id, options)
  }
}

const billing = new BillingManager('billing', registry)
export default billing
