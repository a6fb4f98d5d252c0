import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Projects belong to a workspace (seed: Project(name, status, repo_url,
 * deploy_url)). The slug is unique within its workspace.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('projects', (table) => {
      table.increments('id')
      table
        .integer('workspace_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('workspaces')
        .onDelete('CASCADE')
      table.integer('created_by').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL')
      table.string('name', 80).notNullable()
      table.string('slug', 64).notNullable()
      table.string('description', 2000).nullable()
      table.string('status', 16).notNullable().defaultTo('draft')
      table.string('repo_url', 2048).nullable()
      table.string('deploy_url', 2048).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.unique(['workspace_id', 'slug'])
    })
  }

  async down() {
    this.schema.dropTable('projects')
  }
}
