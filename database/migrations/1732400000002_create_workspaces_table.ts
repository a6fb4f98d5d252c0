import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Projects belong to a workspace, never to a user directly, so the Team plan
 * can add members without a data migration. Plan and token balance are
 * properties of the workspace (who pays), not of the person.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('workspaces', (table) => {
      table.increments('id').notNullable()
      table.string('name', 100).notNullable()
      table.string('slug', 64).notNullable().unique()
      table.boolean('personal').notNullable().defaultTo(false)
      table
        .integer('owner_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('plan', 16).notNullable().defaultTo('free')
      table.bigInteger('tokens_balance').notNullable().defaultTo(0)
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.index(['owner_id'])
    })

    this.schema.createTable('workspace_members', (table) => {
      table.increments('id').notNullable()
      table
        .integer('workspace_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('workspaces')
        .onDelete('CASCADE')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('role', 16).notNullable().defaultTo('member')
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.unique(['workspace_id', 'user_id'])
      table.index(['user_id'])
    })
  }

  async down() {
    this.schema.dropTable('workspace_members')
    this.schema.dropTable('workspaces')
  }
}
