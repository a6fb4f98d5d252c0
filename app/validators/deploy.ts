import vine from '@vinejs/vine'

export const createDeploymentValidator = vine.compile(
  vine.object({
    environment: vine.enum(['preview', 'production'] as const).optional(),
    target: vine.string().trim().regex(/^[a-z][a-z0-9-]{1,40}$/).optional(),
    version: vine.string().trim().regex(/^[0-9a-f]{7,64}$/).optional(),
  })
)
