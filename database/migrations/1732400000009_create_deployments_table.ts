import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Deployments (seed: Deployment(environment, status, url)): a project
 * version running somewhere, through a deploy-target plugin. Their build
 * and runtime logs are kept in deployment_logs.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('deployments', (table) => {
      table.increments('id')
      table.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE')
      table.integer('triggered_by').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL')
      table.string('environment', 16).notNullable()
      // queued | building | deploying | live | failed | stopped
      table.string('status', 16).notNullable().defaultTo('queued')
      table.string('target', 64).notNullable()
      table.string('version', 64).notNullable()
      table.string('url', 2048).nullable()
      table.text('handle').nullable()
      table.string('reason', 2000).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.timestamp('started_at', { useTz: true }).nullable()
      table.timestamp('finished_at', { useTz: true }).nullable()
      table.index(['project_id', 'environment', 'status'])
    })

    this.schema.createTable('deployment_logs', (table) => {
      table.bigIncrements('id')
      table.integer('deployment_id').unsigned().notNullable().references('id').inTable('deployments').onDelete('CASCADE')
      table.string('stream', 16).notNullable()
      table.text('text').notNullable()
      table.timestamp('at', { useTz: true }).notNullable()
      table.index(['deployment_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable('deployment_logs')
    this.schema.dropTable('deployments')
  }
}
