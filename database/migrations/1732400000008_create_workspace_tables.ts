import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Project files live in a git repository per project (DATA_DIR/projects);
 * the database keeps what is not part of the files: locks, the version an
 * AI turn produced, and the git remote the user connected.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('project_file_locks', (table) => {
      table.increments('id')
      table.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE')
      table.string('path', 255).notNullable()
      table.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL')
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.unique(['project_id', 'path'])
    })

    // Environment variables of a project's app (generated secrets of its
    // modules, and later the user's own): encrypted, never in the git history.
    this.schema.createTable('project_env_vars', (table) => {
      table.increments('id')
      table.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE')
      table.string('key', 128).notNullable()
      table.text('value').notNullable()
      table.boolean('secret').notNullable().defaultTo(true)
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.unique(['project_id', 'key'])
    })

    this.schema.alterTable('ai_messages', (table) => {
      // The commit this turn made, and what it changed or refused (JSON).
      table.string('version', 64).nullable()
      table.text('changes').nullable()
    })

    this.schema.alterTable('projects', (table) => {
      table.string('remote_url', 2048).nullable()
      // Encrypted with the app key; never rendered back.
      table.text('remote_token').nullable()
    })
  }

  async down() {
    this.schema.alterTable('projects', (table) => {
      table.dropColumn('remote_url')
      table.dropColumn('remote_token')
    })
    this.schema.alterTable('ai_messages', (table) => {
      table.dropColumn('version')
      table.dropColumn('changes')
    })
    this.schema.dropTable('project_env_vars')
    this.schema.dropTable('project_file_locks')
  }
}
