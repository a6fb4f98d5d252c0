import vine from '@vinejs/vine'

export const saveFileValidator = vine.compile(
  vine.object({
    // 1 MiB of text, the repository's per-file limit.
    content: vine.string().maxLength(1024 * 1024),
  })
)

export const lockValidator = vine.compile(
  vine.object({
    path: vine.string().trim().minLength(1).maxLength(255),
  })
)

export const pushValidator = vine.compile(
  vine.object({
    url: vine.string().trim().maxLength(2048).url({ require_tld: false, protocols: ['http', 'https'] }),
    // Kept (encrypted) for the next pushes; omit to reuse the saved one.
    token: vine.string().trim().maxLength(500).optional(),
    branch: vine.string().trim().regex(/^[A-Za-z0-9._/-]{1,100}$/).optional(),
  })
)
