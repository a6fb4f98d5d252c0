import vine from '@vinejs/vine'

/**
 * Shared field rules. Every limit is explicit: oversized input is refused
 * with a field message instead of reaching the database or the hasher.
 */
export const email = () => vine.string().trim().maxLength(254).email().normalizeEmail({ all_lowercase: true, gmail_remove_dots: false, gmail_remove_subaddress: false, outlookdotcom_remove_subaddress: false, yahoo_remove_subaddress: false, icloud_remove_subaddress: false })
const newPassword = () => vine.string().minLength(8).maxLength(128)
const anyPassword = () => vine.string().minLength(1).maxLength(128)

export const signupValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(100),
    email: email().unique(async (db, value) => {
      const row = await db.from('users').where('email', value).first()
      return !row
    }),
    password: newPassword(),
  })
)

export const loginValidator = vine.compile(
  vine.object({
    email: email(),
    password: anyPassword(),
    remember: vine.boolean().optional(),
  })
)

export const apiLoginValidator = vine.compile(
  vine.object({
    email: email(),
    password: anyPassword(),
    token_name: vine.string().trim().minLength(1).maxLength(100).optional(),
  })
)

export const forgotPasswordValidator = vine.compile(
  vine.object({
    email: email(),
  })
)

export const resetPasswordValidator = vine.compile(
  vine.object({
    token: vine.string().trim().minLength(20).maxLength(200),
    password: newPassword().confirmed(),
    keep_api_tokens: vine.boolean().optional(),
  })
)

export const changePasswordValidator = vine.compile(
  vine.object({
    current_password: anyPassword(),
    password: newPassword().confirmed(),
    keep_api_tokens: vine.boolean().optional(),
  })
)

export const deleteAccountValidator = vine.compile(
  vine.object({
    delete_password: anyPassword(),
  })
)

export const createAccessTokenValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(100),
    expires_in_days: vine.number().withoutDecimals().range([1, 365]).optional(),
  })
)
