import { DateTime } from 'luxon'
import { belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import AppModel from '#models/app_model'
import Workspace from '#models/workspace'
import AiSession from '#models/ai_session'

export const PROJECT_STATUSES = ['draft', 'building', 'live', 'failed', 'stopped', 'archived'] as const
export type ProjectStatus = (typeof PROJECT_STATUSES)[number]

export default class Project extends AppModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare workspaceId: number

  @column()
  declare createdBy: number | null

  @column()
  declare name: string

  @column()
  declare slug: string

  @column()
  declare description: string | null

  @column()
  declare status: ProjectStatus

  @column()
  declare repoUrl: string | null

  @column()
  declare deployUrl: string | null

  /** The git remote the user connected (push target). */
  @column()
  declare remoteUrl: string | null

  /** Its token, encrypted with the app key; never serialized. */
  @column({ serializeAs: null })
  declare remoteToken: string | null

  /** Compute size class, charged daily while a production deployment runs (config/billing.ts). */
  @column()
  declare computeSize: string

  /** Names the project's app data on the deploy targets (#deploy/data_persistence); set on its first deployment. */
  @column({ serializeAs: null })
  declare dataToken: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Workspace)
  declare workspace: BelongsTo<typeof Workspace>

  @hasMany(() => AiSession)
  declare aiSessions: HasMany<typeof AiSession>
}
