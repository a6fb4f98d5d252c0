import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import xbasis from '#config/xbasis'
import ProjectService from '#services/project_service'

@inject()
export default class DashboardController {
  constructor(private projects: ProjectService) {}

  async show({ auth, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const [workspace, projects] = await Promise.all([user.personalWorkspace(), this.projects.list(user)])
    return view.render('pages/dashboard', {
      workspace,
      plan: xbasis.plans[workspace.plan],
      projects,
    })
  }
}
