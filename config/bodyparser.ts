import { defineConfig } from '@adonisjs/core/bodyparser'
import { DEFAULT_LIMITS } from '#workspace/paths'

/** The largest file a project may hold (the repository's limit). */
export const MAX_FILE_BYTES = DEFAULT_LIMITS.maxFileBytes

/**
 * The JSON body limit of a file save (PUT …/files/*, editor and API; every
 * other JSON body keeps `json.limit` below). A file of exactly MAX_FILE_BYTES
 * must fit once JSON-escaped, and escaping grows a byte at most 6× (a control
 * character such as U+0001 is sent as `\u0001`; a multi-byte character at most
 * 3×, as `\uXXXX`), plus 64 KiB for the envelope. The file itself is then held
 * to MAX_FILE_BYTES of UTF-8 by the files service (413 `file_too_large`).
 */
export const FILE_SAVE_BODY_LIMIT = 6 * MAX_FILE_BYTES + 64 * 1024

const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],

  form: {
    convertEmptyStringsToNull: true,
    types: ['application/x-www-form-urlencoded'],
    limit: '256kb',
  },

  json: {
    convertEmptyStringsToNull: true,
    types: [
      'application/json',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/csp-report',
    ],
    limit: '1mb',
  },

  /**
   * Never read here: only routes that take uploads read multipart bodies,
   * after auth and CSRF, through the `uploads` middleware
   * (app/middleware/uploads_middleware.ts), which removes the temp files
   * when the response ends. An unauthenticated multipart POST writes nothing.
   */
  multipart: {
    autoProcess: false,
    convertEmptyStringsToNull: true,
    processManually: [],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
