import { test } from '@japa/runner'
import { tmpdir } from 'node:os'
import { createServer } from 'node:http'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { HttpContextFactory, RequestFactory, ResponseFactory } from '@adonisjs/core/factories/http'
import BodyParserMiddleware from '@adonisjs/core/bodyparser_middleware'
import bodyParserConfig from '#config/bodyparser'
import UploadsMiddleware, { UPLOADS_TMP_DIR } from '#middleware/uploads_middleware'
import { WebClient } from '#tests/helpers/web_client'

/**
 * Files of exactly `size` bytes written to `folder` since `since` (ms).
 */
function leftovers(folder: string, size: number, since: number) {
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .map((name) => join(folder, name))
    .filter((path) => {
      try {
        const stat = statSync(path)
        return stat.isFile() && stat.size === size && stat.mtimeMs >= since - 1000
      } catch {
        return false
      }
    })
}

function multipartBody(size: number, fields: Record<string, string> = {}) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  form.append('upload', new Blob([Buffer.alloc(size, 7)]), 'big.bin')
  return form
}

test.group('Multipart uploads', () => {
  test('an unauthenticated multipart POST leaves nothing in the temp folder', async ({ assert }) => {
    const size = 1_234_567
    const since = Date.now()
    const base = new WebClient().baseUrl
    for (const path of ['/login', '/signup', '/api/v1/auth/login', '/projects']) {
      const response = await fetch(base + path, { method: 'POST', body: multipartBody(size, { email: 'x@example.com', password: 'whatever' }), redirect: 'manual' })
      await response.arrayBuffer()
      assert.isBelow(response.status, 500, path)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.lengthOf(leftovers(tmpdir(), size, since), 0, 'no upload in the system temp folder')
    assert.lengthOf(leftovers(UPLOADS_TMP_DIR, size, since), 0, 'no upload in the uploads temp folder')
  })

  test('the uploads middleware reads the files on its route and removes them when the response ends', async ({ assert }) => {
    const size = 345_678
    let seen: { tmpPath?: string; size: number; field: unknown } | null = null
    const server = createServer(async (req, res) => {
      const request = new RequestFactory().merge({ req, res }).create()
      const response = new ResponseFactory().merge({ req, res }).create()
      const ctx = new HttpContextFactory().merge({ request, response }).create()
      await new BodyParserMiddleware(bodyParserConfig).handle(ctx, async () => {
        await new UploadsMiddleware().handle(ctx, async () => {
          const file = ctx.request.file('upload')!
          seen = { tmpPath: file.tmpPath, size: file.size, field: ctx.request.input('note') }
          assert.isTrue(existsSync(file.tmpPath!), 'the file exists while the request runs')
          res.end('ok')
        })
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as { port: number }
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: multipartBody(size, { note: 'hello' }) })
      assert.equal(await response.text(), 'ok')
      await new Promise((resolve) => setTimeout(resolve, 200))
    } finally {
      server.close()
    }
    assert.exists(seen)
    assert.equal(seen!.size, size)
    assert.equal(seen!.field, 'hello')
    assert.isTrue(seen!.tmpPath!.startsWith(UPLOADS_TMP_DIR))
    assert.isFalse(existsSync(seen!.tmpPath!), 'removed when the response ended')
  })
})
