import limiter from '@adonisjs/limiter/services/main'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * Rate limits of the sign-in and password reset paths, shared by the web
 * forms and the API. Counted in Redis when configured, else in memory.
 *
 * - Login: 10 wrong passwords in a row for one e-mail from one address
 *   block further attempts for 15 minutes (a correct password resets the
 *   count). A looser per-address limit stops spraying many e-mails.
 * - Password reset requests: 5 per hour per e-mail and address.
 */
export const LOGIN_FAILURES_ALLOWED = 10

const loginFailures = () =>
  limiter.use({ requests: LOGIN_FAILURES_ALLOWED, duration: '15 mins', blockDuration: '15 mins' })
const loginPerAddress = () =>
  limiter.use({ requests: 300, duration: '15 mins', blockDuration: '15 mins' })
const resetRequests = () => limiter.use({ requests: 5, duration: '1 hour', blockDuration: '1 hour' })

function key(kind: string, ctx: HttpContext, email?: string) {
  return `${kind}:${ctx.request.ip()}${email ? ':' + email.toLowerCase() : ''}`
}

export type Throttled = { retryAfterSeconds: number }

export default class AuthThrottle {
  /**
   * Runs `attempt` unless the caller is blocked. A thrown error (wrong
   * password) counts as a failure; success clears the failures.
   */
  async login<T>(ctx: HttpContext, email: string, attempt: () => Promise<T>): Promise<T | Throttled> {
    const perAddress = loginPerAddress()
    const addressKey = key('login-ip', ctx, undefined)
    const addressAllowed = await perAddress.consume(addressKey).then(
      () => true,
      () => false
    )
    if (!addressAllowed) {
      return { retryAfterSeconds: await perAddress.availableIn(addressKey) }
    }

    const failures = loginFailures()
    const failureKey = key('login', ctx, email)
    const [error, result] = await failures.penalize(failureKey, attempt)
    if (error) {
      return { retryAfterSeconds: error.response.availableIn }
    }
    return result
  }

  async resetRequest(ctx: HttpContext, email: string): Promise<Throttled | null> {
    const limit = resetRequests()
    const resetKey = key('reset', ctx, email)
    try {
      await limit.consume(resetKey)
      return null
    } catch {
      return { retryAfterSeconds: await limit.availableIn(resetKey) }
    }
  }
}

export function isThrottled(value: unknown): value is Throttled {
  return typeof value === 'object' && value !== null && 'retryAfterSeconds' in value
}
