import vine from '@vinejs/vine'

export const ownerLinkValidator = vine.compile(
  vine.object({
    environment: vine.enum(['preview', 'production'] as const).optional(),
    /** A path of the app (checked again by the service: no "//host"). */
    next: vine.string().trim().maxLength(500).startsWith('/').optional(),
  })
)

export const revealCredentialsValidator = vine.compile(
  vine.object({
    password: vine.string().minLength(1).maxLength(512),
  })
)
