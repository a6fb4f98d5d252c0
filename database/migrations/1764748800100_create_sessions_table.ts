import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Server-side web sessions of an instance without Redis, in the table the
 * session package's database store reads and writes (@adonisjs/session 7.7:
 * id, data, user_id, expires_at). `user_id` tags a signed-in session with
 * its user, so a user's sessions can be listed and revoked (logout, password
 * change and reset; "log out other sessions" later). Expired rows are
 * removed by the store's own garbage collection.
 */
export default class extends BaseSchema {
  protected tableName = 'sessions'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.string('id').primary()
      table.text('data').notNullable()
      table.string('user_id').nullable().index()
      table.timestamp('expires_at').notNullable().index()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
