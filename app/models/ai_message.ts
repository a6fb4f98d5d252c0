import { DateTime } from 'luxon'
import { column } from '@adonisjs/lucid/orm'
import AppModel from '#models/app_model'

export type TurnChanges = {
  version: string | null
  applied: string[]
  refused: { path: string; reason: string }[]
  problems: string[]
  /** The owner pages of the app after this turn (new item, submissions…), listed in the chat. */
  owner_pages?: { path: string; label: string }[]
}

export type AiMessageStatus = 'complete' | 'streaming' | 'partial' | 'error' | 'stopped'

export default class AiMessage extends AppModel {
  static table = 'ai_messages'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare aiSessionId: number

  @column()
  declare userId: number | null

  @column()
  declare role: 'user' | 'assistant'

  @column()
  declare content: string

  @column()
  declare status: AiMessageStatus

  @column()
  declare provider: string | null

  @column()
  declare model: string | null

  @column()
  declare inputTokens: number

  @column()
  declare outputTokens: number

  @column({ consume: (value) => Number(value) })
  declare costMicros: number

  @column({ consume: (value) => Number(value) })
  declare chargedMicros: number

  @column({ consume: (value) => Number(value) })
  declare chargedTokens: number

  @column({ consume: (value) => Number(value) })
  declare reservedTokens: number

  @column()
  declare error: string | null

  /** The commit this turn made, if it changed files. */
  @column()
  declare version: string | null

  /** What the turn applied, refused and reported (JSON). */
  @column({
    prepare: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
    consume: (value) => (value ? JSON.parse(value) : null),
  })
  declare changes: TurnChanges | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
