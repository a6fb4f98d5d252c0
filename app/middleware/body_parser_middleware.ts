import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import BodyParser from '@adonisjs/core/bodyparser_middleware'
import type { BodyParserConfig } from '@adonisjs/core/types/bodyparser'
import { FILE_SAVE_BODY_LIMIT, MAX_FILE_BYTES } from '#config/bodyparser'
import { FileRequestError } from '#services/project_files_service'

const MIB = (bytes: number) => +(bytes / (1024 * 1024)).toFixed(2)

/** PUT of a file (editor and API): `/projects/:id/files/*` under any prefix. */
const FILE_SAVE = /(^|\/)projects\/:id\/files\/\*$/

/**
 * The framework's body parser, with one exception: saving a file takes a
 * JSON body big enough for the documented per-file limit once JSON-escaped
 * (config/bodyparser.ts says why 6×), and a body beyond that is refused with
 * a message that names the file limit rather than "request entity too large".
 */
export default class BodyParserMiddleware {
  #default: BodyParser
  #fileSave: BodyParser

  constructor() {
    const config = app.config.get<BodyParserConfig>('bodyparser')
    this.#default = new BodyParser(config, app.experimentalFlags)
    this.#fileSave = new BodyParser({ ...config, json: { ...config.json, limit: FILE_SAVE_BODY_LIMIT } }, app.experimentalFlags)
  }

  async handle(ctx: HttpContext, next: NextFn) {
    if (ctx.request.method() !== 'PUT' || !FILE_SAVE.test(ctx.route?.pattern ?? '')) return this.#default.handle(ctx, next)
    let parsed = false
    try {
      return await this.#fileSave.handle(ctx, () => {
        parsed = true
        return next()
      })
    } catch (error) {
      if (!parsed && (error as { code?: string }).code === 'E_REQUEST_ENTITY_TOO_LARGE') {
        throw new FileRequestError(
          `The request body is larger than any file can need (${MIB(6 * MAX_FILE_BYTES)} MiB once JSON-escaped, plus 64 KiB): a file may hold at most ${MIB(MAX_FILE_BYTES)} MiB (${MAX_FILE_BYTES} bytes)`,
          413,
          'file_too_large'
        )
      }
      throw error
    }
  }
}
