import vine from '@vinejs/vine'

export const apiRegisterValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(100),
    email: vine
      .string()
      .trim()
      .maxLength(254)
      .email()
      .normalizeEmail({ all_lowercase: true, gmail_remove_dots: false, gmail_remove_subaddress: false, outlookdotcom_remove_subaddress: false, yahoo_remove_subaddress: false, icloud_remove_subaddress: false })
      .unique(async (db, value) => !(await db.from('users').where('email', value).first())),
    password: vine.string().minLength(8).maxLength(128),
    token_name: vine.string().trim().minLength(1).maxLength(100).optional(),
  })
)
