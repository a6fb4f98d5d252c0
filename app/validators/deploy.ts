import vine from '@vinejs/vine'

export const createDeploymentValidator = vine.compile(
  vine.object({
    environment: vine.enum(['preview', 'production'] as const).optional(),
    target: vine.string().trim().regex(/^[a-z][a-z0-9-]{1,40}$/).optional(),
    version: vine.string().trim().regex(/^[0-9a-f]{7,64}$/).optional(),
    /** Deploy an app that keeps data to a target that does not keep it (Vercel, Railway) all the same. */
    accept_data_loss: vine.boolean().optional(),
  })
)

export const rollbackDeploymentValidator = vine.compile(
  vine.object({
    accept_data_loss: vine.boolean().optional(),
  })
)
