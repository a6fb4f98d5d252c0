import { DateTime } from 'luxon'
import { afterSave, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import AppModel from '#models/app_model'
import Project from '#models/project'
import type { DeployHandle, DeployState } from '#deploy/contract'
import { deployEvents } from '#services/deploy_events'

export default class Deployment extends AppModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column()
  declare triggeredBy: number | null

  @column()
  declare environment: 'preview' | 'production'

  @column()
  declare status: DeployState

  @column()
  declare target: string

  @column()
  declare version: string

  @column()
  declare url: string | null

  /** The target's handle of the running app (JSON); never serialized. */
  @column({
    serializeAs: null,
    prepare: (value) => (value ? JSON.stringify(value) : null),
    consume: (value) => (value ? JSON.parse(value) : null),
  })
  declare handle: DeployHandle | null

  @column()
  declare reason: string | null

  /** Stopped because the workspace's balance ran out; started again on top-up. */
  @column({ consume: (value) => Boolean(value) })
  declare suspendedForBilling: boolean

  /** Log lines of this deployment that were not kept (rate limit, caps): see DeployLogWriter. */
  @column({ consume: (value) => Number(value ?? 0) })
  declare logLinesDropped: number

  /** When housekeeping deleted this deployment's logs (DeployLogRetention). */
  @column.dateTime()
  declare logsDeletedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @column.dateTime()
  declare startedAt: DateTime | null

  @column.dateTime()
  declare finishedAt: DateTime | null

  @belongsTo(() => Project)
  declare project: BelongsTo<typeof Project>

  /** A new status wakes whoever follows the deployment live (logs stream). */
  @afterSave()
  static notifyFollowers(deployment: Deployment) {
    deployEvents.notify(deployment.id)
  }
}
