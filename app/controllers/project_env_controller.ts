import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ProjectService from '#services/project_service'
import ProjectEnvService, { EnvVarError, presentEnvVar } from '#services/project_env_service'
import ProjectPolicy from '#policies/project_policy'
import { removeEnvVarValidator, setEnvVarValidator } from '#validators/project_env'
import { validateForm } from '#lib/forms'

const PAGE = 'pages/projects/env'

/**
 * A project's env vars and secrets: the API (GET/PUT/DELETE
 * /api/v1/projects/:id/env) and the settings page
 * (/projects/:id/settings/env). Another workspace's project is not found.
 */
@inject()
export default class ProjectEnvController {
  constructor(
    private projects: ProjectService,
    private env: ProjectEnvService
  ) {}

  async #project(ctx: HttpContext) {
    const project = await this.projects.find(ctx.auth.getUserOrFail(), Number(ctx.params.id))
    await ctx.bouncer.with(ProjectPolicy).authorize('edit', project)
    return project
  }

  async index(ctx: HttpContext) {
    const project = await this.#project(ctx)
    return { env: (await this.env.list(project)).map(presentEnvVar) }
  }

  async update(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const input = await ctx.request.validateUsing(setEnvVarValidator)
    const { created, row } = await this.env.set(project, input)
    return ctx.response.status(created ? 201 : 200).send({ variable: presentEnvVar(row) })
  }

  async destroy(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const input = await ctx.request.validateUsing(removeEnvVarValidator, { data: { ...ctx.request.qs(), ...ctx.request.body() } })
    await this.env.remove(project, input)
    return ctx.response.noContent()
  }

  /**
   * The settings page: every variable, secrets as "•••• set".
   */
  async page(ctx: HttpContext) {
    const project = await this.#project(ctx)
    return ctx.view.render(PAGE, await this.#pageState(project))
  }

  async save(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const input = await validateForm(ctx, setEnvVarValidator, PAGE, await this.#pageState(project))
    // A checkbox left unticked is not sent: on the form it means "not secret".
    const secret = Boolean(ctx.request.input('secret'))
    try {
      const { row } = await this.env.set(project, { ...input, secret })
      ctx.session.flash('success', `${row.name} saved for ${row.environment === 'all' ? 'both environments' : row.environment}${row.secret ? ' (secret)' : ''}. It applies from the next deploy.`)
    } catch (error) {
      if (!(error instanceof EnvVarError)) throw error
      ctx.session.flash('error', error.message)
    }
    return ctx.response.redirect(`/projects/${project.id}/settings/env`)
  }

  async remove(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const input = await validateForm(ctx, removeEnvVarValidator, PAGE, await this.#pageState(project))
    try {
      await this.env.remove(project, input)
      ctx.session.flash('success', `${input.name} removed. It applies from the next deploy.`)
    } catch (error) {
      if (!(error instanceof EnvVarError)) throw error
      ctx.session.flash('error', error.message)
    }
    return ctx.response.redirect(`/projects/${project.id}/settings/env`)
  }

  async #pageState(project: Awaited<ReturnType<ProjectService['find']>>) {
    const variables = (await this.env.list(project)).map((row) => ({
      ...presentEnvVar(row),
      scope: row.environment === 'all' ? 'both' : row.environment,
    }))
    return { project, variables }
  }
}
