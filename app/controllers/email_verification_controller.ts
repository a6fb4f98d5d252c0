import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import limiter from '@adonisjs/limiter/services/main'
import EmailVerificationService from '#services/email_verification_service'
import { afterResponse } from '#lib/after_response'

@inject()
export default class EmailVerificationController {
  constructor(private verification: EmailVerificationService) {}

  /**
   * GET /verify-email/:id/:digest?signature=… — works in any browser (the
   * signature is the proof), signed in or not.
   */
  async verify({ request, params, response, session, view }: HttpContext) {
    const result = request.hasValidSignature('verify-email')
      ? await this.verification.verify(Number(params.id), String(params.digest))
      : null
    if (!result) {
      response.status(410)
      return view.render('pages/auth/verify_email', { invalid: true })
    }
    session.flash(
      'success',
      result.granted && EmailVerificationService.required()
        ? 'Your e-mail address is confirmed. Your free tokens are in your workspace.'
        : 'Your e-mail address is confirmed.'
    )
    return response.redirect('/dashboard')
  }

  /**
   * POST /verify-email/resend — a new link for the signed-in user, 3 an hour.
   */
  async resend(ctx: HttpContext) {
    const { auth, response, session } = ctx
    const user = auth.getUserOrFail()
    if (user.emailVerifiedAt) {
      session.flash('success', 'Your e-mail address is already confirmed.')
      return response.redirect('/dashboard')
    }
    const limit = limiter.use({ requests: 3, duration: '1 hour', blockDuration: '1 hour' })
    const allowed = await limit.consume(`verify-resend:${user.id}`).then(() => true, () => false)
    if (!allowed) {
      session.flash('error', 'A confirmation link was sent several times already. Try again in an hour.')
      return response.redirect('/dashboard')
    }
    afterResponse(ctx, 'e-mail verification mail', () => this.verification.send(user))
    session.flash('success', `A new confirmation link is on its way to ${user.email}.`)
    return response.redirect('/dashboard')
  }
}
