import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ProjectService from '#services/project_service'
import ProjectFilesService, { filePathFromUrl } from '#services/project_files_service'
import ProjectPolicy from '#policies/project_policy'
import { lockValidator, pushValidator, saveFileValidator } from '#validators/files'
import { wantsJson } from '#exceptions/handler'
import { validateForm } from '#lib/forms'

/**
 * A project's files and versions, for the editor page (session) and the
 * API (bearer token): same handlers, same JSON.
 */
@inject()
export default class ProjectFilesController {
  constructor(
    private projects: ProjectService,
    private files: ProjectFilesService
  ) {}

  async #project(ctx: HttpContext, ability: 'view' | 'edit' = 'view') {
    const project = await this.projects.find(ctx.auth.getUserOrFail(), Number(ctx.params.id))
    await ctx.bouncer.with(ProjectPolicy).authorize(ability, project)
    return project
  }

  #path(ctx: HttpContext): string {
    return filePathFromUrl(ctx.params['*'] as string[] | undefined)
  }

  async index(ctx: HttpContext) {
    const project = await this.#project(ctx)
    return this.files.listFiles(project)
  }

  async show(ctx: HttpContext) {
    const project = await this.#project(ctx)
    return this.files.readFile(project, this.#path(ctx))
  }

  async update(ctx: HttpContext) {
    const project = await this.#project(ctx, 'edit')
    const { content } = await ctx.request.validateUsing(saveFileValidator)
    return this.files.saveFile(project, ctx.auth.getUserOrFail(), this.#path(ctx), content)
  }

  async lock(ctx: HttpContext) {
    const project = await this.#project(ctx, 'edit')
    const { path } = await ctx.request.validateUsing(lockValidator)
    await this.files.setLock(project, ctx.auth.getUserOrFail(), path, ctx.request.method() !== 'DELETE')
    return ctx.response.noContent()
  }

  async versions(ctx: HttpContext) {
    const project = await this.#project(ctx)
    return { versions: await this.files.versions(project) }
  }

  async diff(ctx: HttpContext) {
    const project = await this.#project(ctx)
    return { version: ctx.params.version, files: await this.files.diff(project, String(ctx.params.version)) }
  }

  async restore(ctx: HttpContext) {
    const project = await this.#project(ctx, 'edit')
    return ctx.response.created(await this.files.restore(project, ctx.auth.getUserOrFail(), String(ctx.params.version)))
  }

  async exportZip(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const zip = await this.files.exportZip(project)
    ctx.response.header('content-type', 'application/zip')
    ctx.response.header('content-disposition', `attachment; filename="${project.slug}.zip"`)
    return ctx.response.stream(zip)
  }

  async push(ctx: HttpContext) {
    const project = await this.#project(ctx, 'edit')
    if (wantsJson(ctx)) {
      const input = await ctx.request.validateUsing(pushValidator)
      return this.files.push(project, input)
    }
    // The settings page's form: the outcome as a flash message.
    const input = await validateForm(ctx, pushValidator, 'pages/projects/edit', { project })
    try {
      const result = await this.files.push(project, input)
      ctx.session.flash('success', `Pushed version ${result.version.slice(0, 7)} to ${result.branch}`)
    } catch (error) {
      ctx.session.flash('error', `Push failed: ${(error as Error).message}`)
    }
    return ctx.response.redirect(`/projects/${project.id}/edit`)
  }
}
