import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * - `instance_settings`: settings an admin changes on a page (sign-up mode
 *   for now), one row per key; a row wins over the environment's value.
 * - `users.email_verified_at`: when the user followed the link of the
 *   verification mail. On SaaS the Free allowance is granted only then.
 *   Accounts made before this migration count as verified (they were
 *   granted their allowance already).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('instance_settings', (table) => {
      table.string('key', 64).primary()
      table.text('value').notNullable()
      table.integer('updated_by').nullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
    })
    this.schema.alterTable('users', (table) => {
      table.timestamp('email_verified_at', { useTz: true }).nullable()
    })
    this.defer(async (db) => {
      await db.rawQuery('update users set email_verified_at = created_at')
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => {
      table.dropColumn('email_verified_at')
    })
    this.schema.dropTable('instance_settings')
  }
}
