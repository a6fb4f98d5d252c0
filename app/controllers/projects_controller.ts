import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ai from '#ai/ai_manager'
import ProjectService from '#services/project_service'
import ChatService, { presentMessage } from '#services/chat_service'
import { createProjectValidator, projectFormValidator } from '#validators/project'
import { validateForm } from '#lib/forms'
import ProjectPolicy from '#policies/project_policy'
import { rememberEditorOrigin } from '#lib/app_urls'
import { dataPersistence } from '#deploy/data_persistence'
import { DEFAULT_DEPLOY_TARGET } from '#services/deploy_service'

/**
 * JSON embedded in a page for scripts to read: `<` is escaped so the text
 * can never close its <script type="application/json"> element.
 */
function embedJson(value: unknown) {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

@inject()
export default class ProjectsController {
  constructor(
    private projects: ProjectService,
    private chat: ChatService
  ) {}

  async create({ view }: HttpContext) {
    return view.render('pages/projects/new')
  }

  async store(ctx: HttpContext) {
    const { auth, response, session } = ctx
    const input = await validateForm(ctx, createProjectValidator, 'pages/projects/new')
    const project = await this.projects.create(auth.getUserOrFail(), input)
    session.flash('success', `Project "${project.name}" created. Describe what it should do.`)
    return response.redirect(`/projects/${project.id}`)
  }

  async show({ auth, params, view, request }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    // The editor frames the preview: the address it was opened on may frame it.
    rememberEditorOrigin(project.id, `${request.protocol()}://${request.host()}`)
    const [history, models, workspace] = await Promise.all([
      this.chat.history(project),
      ai.catalogue(project.workspaceId),
      auth.getUserOrFail().personalWorkspace(),
    ])
    const defaultProvider = ai.chain()[0]
    return view.render('pages/projects/show', {
      project,
      workspace,
      models,
      defaultChoice: models.find((m) => m.provider === defaultProvider) ?? models[0],
      historyJson: embedJson(history.map(presentMessage)),
      // What happens to the app's data on the target the editor's buttons deploy to.
      dataNote: dataPersistence(DEFAULT_DEPLOY_TARGET).note,
    })
  }

  async update(ctx: HttpContext) {
    const { auth, params, response, session, bouncer } = ctx
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    const input = await validateForm(ctx, projectFormValidator, 'pages/projects/edit', { project })
    // The form has an "archived" checkbox rather than a status: platform
    // statuses (building, live…) are kept unless the project is (un)archived.
    const archived = Boolean(ctx.request.input('archived'))
    const status = archived ? 'archived' : project.status === 'archived' ? 'draft' : undefined
    await this.projects.update(project, { name: input.name, description: input.description, status })
    session.flash('success', 'Project saved')
    return response.redirect(`/projects/${project.id}`)
  }

  async edit({ auth, params, view }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    return view.render('pages/projects/edit', { project })
  }

  async destroy({ auth, params, response, session, bouncer }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    await bouncer.with(ProjectPolicy).authorize('delete', project)
    await this.projects.delete(project)
    session.flash('success', `Project "${project.name}" deleted`)
    return response.redirect('/dashboard')
  }
}
