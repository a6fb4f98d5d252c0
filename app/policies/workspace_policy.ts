import User from '#models/user'
import Workspace from '#models/workspace'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import { canManage, memberRole } from '#lib/membership'

/**
 * Workspace ownership and membership. Every resource that belongs to a
 * workspace (projects, deployments…) is authorized through it.
 */
export default class WorkspacePolicy extends BasePolicy {
  async view(user: User, workspace: Workspace): Promise<AuthorizerResponse> {
    return (await memberRole(user.id, workspace.id)) !== null
  }

  async manage(user: User, workspace: Workspace): Promise<AuthorizerResponse> {
    return canManage(await memberRole(user.id, workspace.id))
  }
}
