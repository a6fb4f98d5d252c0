import { DateTime } from 'luxon'
import { column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import AppModel from '#models/app_model'
import AiMessage from '#models/ai_message'

/**
 * The chat of a project (seed: AISession(tokens_used, messages)).
 */
export default class AiSession extends AppModel {
  static table = 'ai_sessions'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column({ consume: (value) => Number(value) })
  declare tokensUsed: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @hasMany(() => AiMessage)
  declare messages: HasMany<typeof AiMessage>
}
