import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import xbasis from '#config/xbasis'
import db from '@adonisjs/lucid/services/db'
import { errors as lucidErrors } from '@adonisjs/lucid'
import Project, { type ProjectStatus } from '#models/project'
import User from '#models/user'
import Workspace from '#models/workspace'
import { slugify } from '#lib/slug'
import LimitsService from '#services/limits_service'


/**
 * Projects live in workspaces. Every read is scoped to the workspaces the
 * user belongs to, so another tenant's project is simply not found (404),
 * never revealed by a 403.
 */
export default class ProjectService {
  memberWorkspaceIds(user: User) {
    return db.from('workspace_members').where('user_id', user.id).select('workspace_id')
  }

  async list(user: User, workspaceId?: number) {
    const query = Project.query().whereIn('workspace_id', this.memberWorkspaceIds(user)).orderBy('updated_at', 'desc').orderBy('id', 'desc')
    if (workspaceId) query.where('workspace_id', workspaceId)
    return query
  }

  async find(user: User, id: number): Promise<Project> {
    if (!Number.isSafeInteger(id) || id <= 0) throw new lucidErrors.E_ROW_NOT_FOUND()
    return Project.query().where('id', id).whereIn('workspace_id', this.memberWorkspaceIds(user)).firstOrFail()
  }

  /**
   * The workspace a new project goes to: the one asked for if the user is a
   * member, else their personal workspace.
   */
  async targetWorkspace(user: User, workspaceId?: number): Promise<Workspace> {
    if (!workspaceId) return user.personalWorkspace()
    return Workspace.query().where('id', workspaceId).whereIn('id', this.memberWorkspaceIds(user)).firstOrFail()
  }

  async create(user: User, input: { name: string; description?: string | null; workspace_id?: number }) {
    const workspace = await this.targetWorkspace(user, input.workspace_id)
    const base = slugify(input.name, 48, 'project')
    return db.transaction(async (trx) => {
      // The plan's project limit, with the workspace locked until the insert.
      await new LimitsService().assertCanCreateProject(workspace.id, trx)
      // Slugs are unique per workspace: "shop", "shop-2", "shop-3"…
      const taken = new Set(
        (await trx.from('projects').where('workspace_id', workspace.id).where('slug', 'like', `${base}%`).select('slug')).map(
          (row) => row.slug
        )
      )
      let slug = base
      for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`
      return Project.create(
        {
          workspaceId: workspace.id,
          createdBy: user.id,
          name: input.name,
          slug,
          description: input.description ?? null,
          status: 'draft',
        },
        { client: trx }
      )
    })
  }

  async update(project: Project, input: { name?: string; description?: string | null; status?: ProjectStatus }) {
    if (input.name !== undefined) project.name = input.name
    if (input.description !== undefined) project.description = input.description
    if (input.status !== undefined) project.status = input.status
    await project.save()
    return project
  }

  /**
   * Deletes the project, then its files (the repository): the database row
   * first, so a failure never leaves a project without its files.
   */
  async delete(project: Project) {
    const { default: DeployService } = await import('#services/deploy_service')
    await new DeployService().destroyAll(project.id)
    await project.delete()
    await rm(join(xbasis.paths.projects, `${project.id}.git`), { recursive: true, force: true })
  }
}

export function presentProject(project: Project) {
  return {
    id: project.id,
    workspace_id: project.workspaceId,
    name: project.name,
    slug: project.slug,
    description: project.description,
    status: project.status,
    repo_url: project.repoUrl ?? null,
    deploy_url: project.deployUrl ?? null,
    created_at: project.createdAt.toISO(),
    updated_at: project.updatedAt.toISO(),
  }
}
