import { DateTime } from 'luxon'
import { belongsTo, column, manyToMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, ManyToMany } from '@adonisjs/lucid/types/relations'
import AppModel from '#models/app_model'
import User from '#models/user'
import type { PlanId } from '#config/xbasis'

export type WorkspaceRole = 'owner' | 'admin' | 'member'

export default class Workspace extends AppModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare slug: string

  @column({ consume: (value) => Boolean(value) })
  declare personal: boolean

  @column()
  declare ownerId: number

  @column()
  declare plan: PlanId

  /**
   * Pay-as-you-go AI token balance. bigint columns come back as strings from
   * PostgreSQL: consume them as numbers (balances stay far below 2^53).
   */
  @column({ consume: (value) => Number(value) })
  declare tokensBalance: number

  /** Balance held by AI turns in flight. */
  @column({ consume: (value) => Number(value) })
  declare tokensReserved: number

  /** Billing (see config/billing.ts and the billing plugins). */
  @column()
  declare billingCustomerId: string | null

  @column()
  declare billingSubscriptionId: string | null

  @column()
  declare subscriptionStatus: string | null

  @column.dateTime()
  declare planRenewsAt: DateTime | null

  @column.dateTime()
  declare subscriptionStateAt: DateTime | null

  @column.dateTime()
  declare balanceWarnedAt: DateTime | null

  @column.dateTime()
  declare computeSuspendedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => User, { foreignKey: 'ownerId' })
  declare owner: BelongsTo<typeof User>

  @manyToMany(() => User, {
    pivotTable: 'workspace_members',
    pivotColumns: ['role'],
    pivotTimestamps: true,
  })
  declare members: ManyToMany<typeof User>
}
