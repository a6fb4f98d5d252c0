import User from '#models/user'
import Project from '#models/project'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import { canManage, memberRole } from '#lib/membership'

/**
 * Members of a project's workspace may open it and chat in it; deleting it
 * takes its workspace's owner or an admin.
 */
export default class ProjectPolicy extends BasePolicy {
  async view(user: User, project: Project): Promise<AuthorizerResponse> {
    return (await memberRole(user.id, project.workspaceId)) !== null
  }

  async edit(user: User, project: Project): Promise<AuthorizerResponse> {
    return (await memberRole(user.id, project.workspaceId)) !== null
  }

  async delete(user: User, project: Project): Promise<AuthorizerResponse> {
    return canManage(await memberRole(user.id, project.workspaceId))
  }
}
