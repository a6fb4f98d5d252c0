import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Mails of an instance without SMTP, listed on the "Captured mails" page.
 */
export default class extends BaseSchema {
  protected tableName = 'captured_mails'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('to_address', 1000).notNullable()
      table.string('from_address', 1000).notNullable()
      table.string('subject', 998).notNullable()
      table.text('text_body').nullable()
      table.text('html_body').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.index(['created_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
