import vine from '@vinejs/vine'

export const saveFileValidator = vine.compile(
  vine.object({
    // At most 1 MiB of UTF-8, the repository's per-file limit: counted in
    // bytes by the files service (413 file_too_large), not in characters here.
    content: vine.string(),
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
