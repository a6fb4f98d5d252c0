import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { createAccessTokenValidator } from '#validators/auth'
import AccessTokenService from '#services/access_token_service'
import { validateForm } from '#lib/forms'

@inject()
export default class AccessTokensController {
  constructor(private tokens: AccessTokenService) {}

  async index({ view, auth, session }: HttpContext) {
    const tokens = await this.tokens.list(auth.getUserOrFail())
    return view.render('pages/settings/tokens', {
      tokens,
      newToken: session.flashMessages.get('new_token'),
    })
  }

  async store(ctx: HttpContext) {
    const { auth, response, session } = ctx
    const input = await validateForm(ctx, createAccessTokenValidator, 'pages/settings/tokens', {
      tokens: await this.tokens.list(auth.getUserOrFail()),
    })
    const { secret } = await this.tokens.create(auth.getUserOrFail(), input.name, input.expires_in_days)
    // Shown once, on the next page only; never stored in clear.
    session.flash('new_token', secret)
    session.flash('success', `Token "${input.name}" created. Copy it now: it will not be shown again.`)
    return response.redirect('/settings/tokens')
  }

  async destroy({ params, auth, response, session }: HttpContext) {
    const revoked = await this.tokens.revoke(auth.getUserOrFail(), Number(params.id))
    session.flash(revoked ? 'success' : 'error', revoked ? 'Token revoked' : 'Token not found')
    return response.redirect('/settings/tokens')
  }
}
