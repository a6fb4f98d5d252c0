import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * `projects.data_token`: a random name part of the project's app data (its
 * folder under DATA_DIR/app-data, its Docker volume), set on its first
 * deployment (app/deploy/data_persistence.ts). Random rather than derived
 * from the id or a timestamp: a project that gets the id of a deleted one
 * (a database reset while DATA_DIR or the volumes stayed) never finds that
 * project's data, and changing the server's time zone never renames it.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('projects', (table) => {
      table.string('data_token', 32).nullable().unique()
    })
  }

  async down() {
    this.schema.alterTable('projects', (table) => {
      table.dropColumn('data_token')
    })
  }
}
