import vine from '@vinejs/vine'

export const createProjectValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(80),
    description: vine.string().trim().maxLength(2000).optional().nullable(),
    workspace_id: vine.number().withoutDecimals().positive().optional(),
  })
)

/**
 * The project settings form: the name stays required there.
 */
export const projectFormValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(80),
    description: vine.string().trim().maxLength(2000).optional().nullable(),
  })
)

export const updateProjectValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(80).optional(),
    description: vine.string().trim().maxLength(2000).optional().nullable(),
    // Other statuses (building, live, failed…) are set by the platform.
    status: vine.enum(['draft', 'archived'] as const).optional(),
  })
)

export const chatMessageValidator = vine.compile(
  vine.object({
    content: vine.string().trim().minLength(1).maxLength(20_000),
    provider: vine.string().trim().regex(/^[a-z][a-z0-9-]{1,40}$/).optional(),
    model: vine.string().trim().minLength(1).maxLength(128).optional(),
  })
)
