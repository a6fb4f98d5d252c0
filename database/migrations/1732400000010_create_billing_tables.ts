import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Billing: the subscription state of a workspace, the webhook events of the
 * billing provider (stored for audit and for idempotency), an idempotency
 * reference on ledger entries, and the compute state of projects and
 * deployments (size class, suspension for an exhausted balance).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('workspaces', (table) => {
      table.string('billing_customer_id', 64).nullable()
      table.string('billing_subscription_id', 64).nullable()
      /** The provider's subscription status: active, trialing, past_due, paused, canceled. */
      table.string('subscription_status', 16).nullable()
      /** When the current period ends (the next renewal). */
      table.timestamp('plan_renews_at', { useTz: true }).nullable()
      /**
       * When the provider produced the subscription state applied last
       * (its event's occurred_at): an older event never overwrites it.
       */
      table.timestamp('subscription_state_at', { useTz: true }).nullable()
      /** Compute: when the owner was warned that the balance is exhausted. */
      table.timestamp('balance_warned_at', { useTz: true }).nullable()
      /** Compute: when production apps were stopped for the exhausted balance. */
      table.timestamp('compute_suspended_at', { useTz: true }).nullable()
      table.index(['billing_subscription_id'])
      table.index(['billing_customer_id'])
    })

    this.schema.alterTable('transactions', (table) => {
      /**
       * What the entry is for, unique per workspace when set (a provider's
       * transaction id, `compute:<deployment>:<day>`…): posting the same
       * reference twice changes nothing.
       */
      table.string('reference', 128).nullable()
      table.unique(['workspace_id', 'reference'])
    })

    this.schema.createTable('billing_events', (table) => {
      table.increments('id')
      table.string('provider', 32).notNullable()
      table.string('event_id', 128).notNullable()
      table.string('event_type', 64).notNullable()
      table.timestamp('occurred_at', { useTz: true }).notNullable()
      table.integer('workspace_id').unsigned().nullable().references('id').inTable('workspaces').onDelete('SET NULL')
      /** The raw body as received (verified before it was stored). */
      table.text('payload').notNullable()
      /** processed | ignored | failed */
      table.string('status', 16).notNullable()
      table.string('error', 2000).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('processed_at', { useTz: true }).nullable()
      table.unique(['provider', 'event_id'])
      table.index(['workspace_id', 'occurred_at'])
    })

    this.schema.alterTable('projects', (table) => {
      /** Compute size class (config/billing.ts compute.sizes). */
      table.string('compute_size', 16).notNullable().defaultTo('small')
    })

    this.schema.alterTable('deployments', (table) => {
      /** Stopped because the workspace's balance ran out: started again on top-up. */
      table.boolean('suspended_for_billing').notNullable().defaultTo(false)
    })
  }

  async down() {
    this.schema.alterTable('deployments', (table) => {
      table.dropColumn('suspended_for_billing')
    })
    this.schema.alterTable('projects', (table) => {
      table.dropColumn('compute_size')
    })
    this.schema.dropTable('billing_events')
    this.schema.alterTable('transactions', (table) => {
      table.dropUnique(['workspace_id', 'reference'])
      table.dropColumn('reference')
    })
    this.schema.alterTable('workspaces', (table) => {
      table.dropIndex(['billing_subscription_id'])
      table.dropIndex(['billing_customer_id'])
      for (const column of ['billing_customer_id', 'billing_subscription_id', 'subscription_status', 'plan_renews_at', 'subscription_state_at', 'balance_warned_at', 'compute_suspended_at']) {
        table.dropColumn(column)
      }
    })
  }
}
