import vine from '@vinejs/vine'
import { email } from '#validators/auth'

/**
 * Admin → Sign-up: the mode, or `env` to fall back to XBASIS_SIGNUP.
 */
export const signupModeValidator = vine.compile(
  vine.object({
    mode: vine.enum(['open', 'invite', 'closed', 'env'] as const),
  })
)

/**
 * Admin → Sign-up → Add an account.
 */
export const adminCreateAccountValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(100),
    email: email().unique(async (db, value) => !(await db.from('users').where('email', value).first())),
  })
)
