import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ProjectService, { presentProject } from '#services/project_service'
import { createProjectValidator, updateProjectValidator } from '#validators/project'
import ProjectPolicy from '#policies/project_policy'

@inject()
export default class ProjectsController {
  constructor(private projects: ProjectService) {}

  async index({ auth, request }: HttpContext) {
    const workspaceId = Number(request.input('workspace_id')) || undefined
    const projects = await this.projects.list(auth.getUserOrFail(), workspaceId)
    return { projects: projects.map(presentProject) }
  }

  async store({ auth, request, response }: HttpContext) {
    const input = await request.validateUsing(createProjectValidator)
    const project = await this.projects.create(auth.getUserOrFail(), input)
    return response.created({ project: presentProject(project) })
  }

  async show({ auth, params }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    return { project: presentProject(project) }
  }

  async update({ auth, params, request, bouncer }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    const input = await request.validateUsing(updateProjectValidator)
    return { project: presentProject(await this.projects.update(project, input)) }
  }

  async destroy({ auth, params, response, bouncer }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    await bouncer.with(ProjectPolicy).authorize('delete', project)
    await this.projects.delete(project)
    return response.noContent()
  }
}
