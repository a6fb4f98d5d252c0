import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A project's env vars per environment: `all` (both), `preview` or
 * `production`; a value set for one environment overrides the `all` one.
 * `source` tells the generated secrets of modules (`module`) from the
 * user's own (`user`): every row before this migration was generated.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('project_env_vars', (table) => {
      table.string('environment', 16).notNullable().defaultTo('all')
      table.string('source', 16).notNullable().defaultTo('user')
    })
    this.defer(async (db) => {
      await db.from('project_env_vars').update({ source: 'module' })
    })
    this.schema.alterTable('project_env_vars', (table) => {
      table.dropUnique(['project_id', 'key'])
      table.unique(['project_id', 'environment', 'key'])
    })
  }

  async down() {
    this.defer(async (db) => {
      await db.from('project_env_vars').whereNot('environment', 'all').delete()
    })
    this.schema.alterTable('project_env_vars', (table) => {
      table.dropUnique(['project_id', 'environment', 'key'])
      table.unique(['project_id', 'key'])
    })
    this.schema.alterTable('project_env_vars', (table) => {
      table.dropColumn('environment')
      table.dropColumn('source')
    })
  }
}
