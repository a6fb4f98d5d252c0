import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module file-uploads', () => {
  test('upload then download the same bytes; listing; deletion; uploads need the password', async ({ assert, cleanup }) => {
    const { app } = await startModule('file-uploads', assert, cleanup)
    const bytes = randomBytes(200_000)

    const raw = await app.request('/api/files?name=../../report%20%C3%A9t%C3%A9.bin', { admin: true, method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(raw.status, 201)
    const file = (await raw.json()) as { id: string; name: string; size: number; url: string }
    assert.equal(file.name, 'report été.bin')
    assert.equal(file.size, bytes.length)

    const download = await app.request(file.url)
    assert.equal(download.status, 200)
    assert.isTrue(Buffer.from(await download.arrayBuffer()).equals(bytes))
    assert.equal(download.headers.get('content-type'), 'application/octet-stream')
    assert.include(download.headers.get('content-disposition')!, "attachment; filename=\"report _t_.bin\"; filename*=UTF-8''report%20%C3%A9t%C3%A9.bin")

    // The form upload (multipart), an HTML file: served as an attachment, never as a page.
    const form = new FormData()
    form.append('file', new Blob(['<script>alert(1)</script>'], { type: 'text/html' }), 'page.html')
    const multipart = await app.request('/files', { admin: true, method: 'POST', body: form })
    assert.equal(multipart.status, 303)
    const list = (await (await app.request('/api/files')).json()) as { id: string; name: string }[]
    const html = list.find((f) => f.name === 'page.html')!
    const served = await app.request(`/files/${html.id}`)
    assert.equal(await served.text(), '<script>alert(1)</script>')
    assert.include(served.headers.get('content-disposition')!, 'attachment')
    assert.include(served.headers.get('content-security-policy')!, 'sandbox')
    assert.include(await (await app.request('/files')).text(), 'page.html')

    assert.equal((await app.request('/api/files?name=x', { method: 'POST', body: 'no password' })).status, 401)
    assert.equal((await app.request('/files/0000000000000000')).status, 404)
    assert.equal((await app.request(`/api/files/${html.id}`, { admin: true, method: 'DELETE' })).status, 204)
    assert.equal((await app.request(`/files/${html.id}`)).status, 404)

    await stopCleanly(app, assert)
  })

  test('oversized and unaccepted files are refused', async ({ assert, cleanup }) => {
    const app = await startModules(
      [{ id: 'file-uploads', params: { max_size_mb: 0.1, allowed_extensions: ['png', 'txt'], access: 'public' } }],
      cleanup,
      { install: false }
    )
    const limit = Math.round(0.1 * 1024 * 1024)
    assert.equal((await app.request('/api/files?name=ok.txt', { method: 'POST', body: Buffer.alloc(limit, 'a') })).status, 201)
    const tooBig = await app.request('/api/files?name=big.txt', { method: 'POST', body: Buffer.alloc(limit + 1, 'a') })
    assert.equal(tooBig.status, 413)
    const form = new FormData()
    form.append('file', new Blob([Buffer.alloc(limit + 1, 'b')]), 'big.txt')
    assert.equal((await app.request('/files', { method: 'POST', body: form })).status, 413)
    assert.equal((await app.request('/api/files?name=run.exe', { method: 'POST', body: 'MZ' })).status, 415)
    const list = (await (await app.request('/api/files')).json()) as { name: string }[]
    assert.deepEqual(list.map((f) => f.name), ['ok.txt'])
    await stopCleanly(app, assert)
  })
})
