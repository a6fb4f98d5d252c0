import User from '#models/user'
import Project from '#models/project'
import db from '@adonisjs/lucid/services/db'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Members of a project's workspace may open it and chat in it; deleting it
 * takes its workspace's owner or an admin.
 */
export default class ProjectPolicy extends BasePolicy {
  private async role(user: User, project: Project): Promise<string | null> {
    const row = await db
      .from('workspace_members')
      .where({ workspace_id: project.workspaceId, user_id: user.id })
      .select('role')
      .first()
    return row?.role ?? null
  }

  async view(user: User, project: Project): Promise<AuthorizerResponse> {
    return (await this.role(user, project)) !== null
  }

  async edit(user: User, project: Project): Promise<AuthorizerResponse> {
    return (await this.role(user, project)) !== null
  }

  async delete(user: User, project: Project): Promise<AuthorizerResponse> {
    const role = await this.role(user, project)
    return role === 'owner' || role === 'admin'
  }
}
