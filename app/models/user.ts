import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { column, hasMany, manyToMany } from '@adonisjs/lucid/orm'
import type { HasMany, ManyToMany } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import { DbRememberMeTokensProvider } from '@adonisjs/auth/session'
import AppModel from '#models/app_model'
import Workspace from '#models/workspace'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

export default class User extends compose(AppModel, AuthFinder) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare email: string

  @column()
  declare fullName: string

  @column({ serializeAs: null })
  declare password: string

  @column({ consume: (value) => Boolean(value) })
  declare isAdmin: boolean

  /**
   * When the user followed the link of the verification mail (null: not
   * yet). On SaaS the Free allowance waits for it.
   */
  @column.dateTime()
  declare emailVerifiedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @hasMany(() => Workspace, { foreignKey: 'ownerId' })
  declare ownedWorkspaces: HasMany<typeof Workspace>

  @manyToMany(() => Workspace, {
    pivotTable: 'workspace_members',
    pivotColumns: ['role'],
    pivotTimestamps: true,
  })
  declare workspaces: ManyToMany<typeof Workspace>

  static accessTokens = DbAccessTokensProvider.forModel(User, {
    prefix: 'xb_',
    table: 'auth_access_tokens',
    type: 'auth_token',
    tokenSecretLength: 40,
  })

  static rememberMeTokens = DbRememberMeTokensProvider.forModel(User)

  /**
   * The workspace every user gets at sign-up. Plan and token balance live
   * on it (see README "Workspaces").
   */
  async personalWorkspace(): Promise<Workspace> {
    return Workspace.query().where('owner_id', this.id).where('personal', true).firstOrFail()
  }
}
