import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import User from '#models/user'
import { apiLoginValidator } from '#validators/auth'
import { apiRegisterValidator } from '#validators/api'
import AccountService from '#services/account_service'
import AccessTokenService from '#services/access_token_service'
import AuthThrottle, { isThrottled } from '#services/auth_throttle'
import { presentUser } from '#lib/presenters'
import SignupPolicy, { SignupThrottledError } from '#services/signup_policy'
import EmailVerificationService from '#services/email_verification_service'
import { afterResponse } from '#lib/after_response'

@inject()
export default class AuthController {
  constructor(
    private accounts: AccountService,
    private tokens: AccessTokenService,
    private throttle: AuthThrottle,
    private policy: SignupPolicy,
    private verification: EmailVerificationService
  ) {}

  /**
   * POST /api/v1/auth/register → 201 { user, token }; 403 signup_closed
   * when the instance is invite-only or closed, 429 when one address signs
   * up too often.
   */
  async register(ctx: HttpContext) {
    const { request, response } = ctx
    await this.policy.assertPublicSignupAllowed()
    const input = await request.validateUsing(apiRegisterValidator)
    try {
      await this.policy.consume(ctx)
    } catch (error) {
      if (error instanceof SignupThrottledError) response.header('Retry-After', String(error.retryAfterSeconds))
      throw error
    }
    const { user, workspace } = await this.accounts.register(input)
    if (EmailVerificationService.required()) {
      afterResponse(ctx, 'e-mail verification mail', () => this.verification.send(user))
    }
    const { token, secret } = await this.tokens.create(user, input.token_name ?? 'API (register)')
    return response.created({
      user: presentUser(user, workspace),
      token: { type: 'bearer', value: secret, name: token.name, expires_at: token.expiresAt?.toISOString() ?? null },
    })
  }

  /**
   * POST /api/v1/auth/login → { token }
   */
  async login(ctx: HttpContext) {
    const { request, response } = ctx
    const input = await request.validateUsing(apiLoginValidator)
    const outcome = await this.throttle.login(ctx, input.email, () =>
      User.verifyCredentials(input.email, input.password)
    )
    if (isThrottled(outcome)) {
      response.header('Retry-After', String(outcome.retryAfterSeconds))
      return response.tooManyRequests({
        errors: [
          {
            message: `Too many failed attempts. Try again in ${outcome.retryAfterSeconds} seconds`,
            code: 'E_TOO_MANY_REQUESTS',
          },
        ],
      })
    }
    const { token, secret } = await this.tokens.create(outcome, input.token_name ?? 'API (login)')
    return {
      token: { type: 'bearer', value: secret, name: token.name, expires_at: token.expiresAt?.toISOString() ?? null },
    }
  }

  /**
   * DELETE /api/v1/auth/token: revokes the token the request was made with.
   */
  async logout({ auth, response }: HttpContext) {
    await auth.use('api').invalidateToken()
    return response.noContent()
  }
}
