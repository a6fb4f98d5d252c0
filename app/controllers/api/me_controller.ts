import type { HttpContext } from '@adonisjs/core/http'
import { presentUser } from '#lib/presenters'

export default class MeController {
  /**
   * GET /api/v1/me
   */
  async show({ auth }: HttpContext) {
    const user = auth.use('api').getUserOrFail()
    return { user: presentUser(user, await user.personalWorkspace()) }
  }
}
