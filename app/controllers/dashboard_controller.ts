import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import xbasis from '#config/xbasis'
import ProjectService from '#services/project_service'
import SignupPolicy from '#services/signup_policy'
import EmailVerificationService from '#services/email_verification_service'

@inject()
export default class DashboardController {
  constructor(
    private projects: ProjectService,
    private signup: SignupPolicy
  ) {}

  async show({ auth, view }: HttpContext) {
    const user = auth.getUserOrFail()
    const [workspace, projects] = await Promise.all([user.personalWorkspace(), this.projects.list(user)])
    // A self-hosted instance open to anyone lets strangers run processes on
    // the host: its admins are told so on every visit until they choose.
    const signupOpenToAnyone =
      user.isAdmin && xbasis.edition === 'selfhosted' && (await this.signup.mode()).mode === 'open'
    return view.render('pages/dashboard', {
      workspace,
      plan: xbasis.plans[workspace.plan],
      projects,
      signupOpenToAnyone,
      awaitingVerification: EmailVerificationService.required() && !user.emailVerifiedAt,
    })
  }
}
