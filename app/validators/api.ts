import vine from '@vinejs/vine'
import { email } from '#validators/auth'

export const apiRegisterValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(100),
    email: email().unique(async (db, value) => !(await db.from('users').where('email', value).first())),
    password: vine.string().minLength(8).maxLength(128),
    token_name: vine.string().trim().minLength(1).maxLength(100).optional(),
  })
)
