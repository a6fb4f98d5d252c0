import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The chat of a project (seed: AISession(tokens_used, messages)) and the
 * ledger (seed: Transaction(type, amount, tokens)).
 *
 * Units: `workspaces.tokens_balance` and `transactions.tokens` count xBasis
 * balance tokens (1 token = $0.0001); `transactions.amount` and the message
 * costs are micro-dollars (1/1,000,000 $). `tokens_reserved` holds the
 * estimates of turns in flight so concurrent turns cannot overspend.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('workspaces', (table) => {
      table.bigInteger('tokens_reserved').notNullable().defaultTo(0)
    })

    this.schema.createTable('ai_sessions', (table) => {
      table.increments('id')
      table.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE')
      table.bigInteger('tokens_used').notNullable().defaultTo(0)
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.index(['project_id'])
    })

    this.schema.createTable('ai_messages', (table) => {
      table.increments('id')
      table.integer('ai_session_id').unsigned().notNullable().references('id').inTable('ai_sessions').onDelete('CASCADE')
      table.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL')
      table.string('role', 16).notNullable()
      table.text('content').notNullable()
      // complete | streaming | partial (stream broke after tokens) | error | stopped
      table.string('status', 16).notNullable().defaultTo('complete')
      table.string('provider', 64).nullable()
      table.string('model', 128).nullable()
      table.integer('input_tokens').notNullable().defaultTo(0)
      table.integer('output_tokens').notNullable().defaultTo(0)
      table.bigInteger('cost_micros').notNullable().defaultTo(0)
      table.bigInteger('charged_micros').notNullable().defaultTo(0)
      table.bigInteger('charged_tokens').notNullable().defaultTo(0)
      // Balance held for this turn while it streams (released or settled at its end).
      table.bigInteger('reserved_tokens').notNullable().defaultTo(0)
      table.string('error', 2000).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.index(['ai_session_id', 'id'])
    })

    this.schema.createTable('transactions', (table) => {
      table.increments('id')
      table.integer('workspace_id').unsigned().notNullable().references('id').inTable('workspaces').onDelete('CASCADE')
      table.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL')
      table.integer('project_id').unsigned().nullable().references('id').inTable('projects').onDelete('SET NULL')
      table.string('type', 32).notNullable()
      table.bigInteger('amount').notNullable().defaultTo(0)
      table.bigInteger('tokens').notNullable().defaultTo(0)
      table.string('description', 500).nullable()
      table.string('provider', 64).nullable()
      table.string('model', 128).nullable()
      table.integer('input_tokens').nullable()
      table.integer('output_tokens').nullable()
      table.bigInteger('cost_micros').nullable()
      table.integer('ai_message_id').unsigned().nullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.index(['workspace_id', 'created_at'])
    })

    this.schema.createTable('plugin_settings', (table) => {
      table.increments('id')
      table.string('plugin_id', 64).notNullable()
      table.integer('workspace_id').unsigned().nullable().references('id').inTable('workspaces').onDelete('CASCADE')
      table.string('key', 64).notNullable()
      table.text('value').notNullable()
      table.boolean('secret').notNullable().defaultTo(false)
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.unique(['plugin_id', 'workspace_id', 'key'])
    })
  }

  async down() {
    this.schema.dropTable('plugin_settings')
    this.schema.dropTable('transactions')
    this.schema.dropTable('ai_messages')
    this.schema.dropTable('ai_sessions')
    this.schema.alterTable('workspaces', (table) => {
      table.dropColumn('tokens_reserved')
    })
  }
}
