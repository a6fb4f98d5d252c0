import { mkdir, unlink } from 'node:fs/promises'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import xbasis from '#config/xbasis'

/**
 * Multipart bodies are read only on routes that take uploads, and only by
 * this middleware: config/bodyparser.ts turns multipart auto-processing off,
 * so on every other route (and before auth and CSRF, which run first) an
 * upload's bytes are never written anywhere. Put it after `auth()` on the
 * route: `.use([middleware.auth(), middleware.uploads()])`; a form's CSRF
 * token then comes in the X-CSRF-TOKEN header or the query string (shield
 * runs before the body is read).
 *
 * Files go to DATA_DIR/tmp/uploads and are removed when the response ends;
 * a controller that keeps a file moves it first (`file.move()`).
 */
export const UPLOADS_TMP_DIR = join(xbasis.dataDir, 'tmp', 'uploads')

export default class UploadsMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const multipart = ctx.request.multipart
    if (!ctx.request.is(['multipart/form-data']) || !multipart) return next()

    await mkdir(UPLOADS_TMP_DIR, { recursive: true })
    const written: string[] = []
    const cleanUp = () => {
      for (const path of written) unlink(path).catch(() => {})
    }
    ctx.response.response.once('close', cleanUp)

    multipart.onFile('*', { deferValidations: true }, async (part, reporter) => {
      const tmpPath = join(UPLOADS_TMP_DIR, randomUUID())
      written.push(tmpPath)
      try {
        part.pause()
        part.on('data', reporter)
        await pipeline(part, createWriteStream(tmpPath))
        return { tmpPath }
      } catch (error) {
        multipart.abort(error)
      }
    })
    try {
      await multipart.process()
    } catch (error) {
      cleanUp()
      throw error
    }
    return next()
  }
}
