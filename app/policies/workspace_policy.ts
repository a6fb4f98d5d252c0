import User from '#models/user'
import Workspace from '#models/workspace'
import db from '@adonisjs/lucid/services/db'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Workspace ownership and membership. Every resource that belongs to a
 * workspace (projects, deployments…) is authorized through it.
 */
export default class WorkspacePolicy extends BasePolicy {
  private async role(user: User, workspace: Workspace): Promise<string | null> {
    const row = await db
      .from('workspace_members')
      .where('workspace_id', workspace.id)
      .where('user_id', user.id)
      .select('role')
      .first()
    return row?.role ?? null
  }

  async view(user: User, workspace: Workspace): Promise<AuthorizerResponse> {
    return (await this.role(user, workspace)) !== null
  }

  async manage(user: User, workspace: Workspace): Promise<AuthorizerResponse> {
    const role = await this.role(user, workspace)
    return role === 'owner' || role === 'admin'
  }
}
