import type { HttpContext } from '@adonisjs/core/http'
import xbasis from '#config/xbasis'

export default class DashboardController {
  async show({ auth, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const workspace = await user.personalWorkspace()
    return view.render('pages/dashboard', {
      workspace,
      plan: xbasis.plans[workspace.plan],
      projects: [],
    })
  }
}
