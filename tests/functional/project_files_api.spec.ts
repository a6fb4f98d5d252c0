import { request } from 'node:http'
import { test } from '@japa/runner'
import Project from '#models/project'
import ProjectFilesService from '#services/project_files_service'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { WebClient } from '#tests/helpers/web_client'

const MIB = 1024 * 1024

/** Files as a model writes them (an AI turn), names spelled as they are. */
async function modelWrites(projectId: number, files: Record<string, string>) {
  const project = await Project.findOrFail(projectId)
  await new ProjectFilesService().applyOperations(
    project,
    null,
    Object.entries(files).map(([path, content]) => ({ op: 'write' as const, path, content })),
    { message: 'model turn', turn: 'test-turn' }
  )
}

/**
 * A request whose path is sent exactly as written: fetch() would resolve
 * `%2e%2e` segments itself (WHATWG URL), a hostile client does not.
 */
function rawRequest(token: string, method: string, path: string, payload?: unknown): Promise<{ status: number; body: any }> {
  const base = new URL(new WebClient().baseUrl)
  const body = payload === undefined ? undefined : JSON.stringify(payload)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: { 'authorization': `Bearer ${token}`, 'accept': 'application/json', ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null })
        })
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** The URL of a file as the editor builds it: every segment percent-encoded. */
const fileUrl = (projectId: number, path: string) =>
  `/api/v1/projects/${projectId}/files/${path.split('/').map(encodeURIComponent).join('/')}`

test.group('Project files API | paths in URLs', (group) => {
  group.each.setup(() => truncateAll())

  test('names with spaces, accents and % open and save; the URL is decoded exactly once', async ({ assert }) => {
    const account = await apiAccount()
    const id = account.project.id
    await modelWrites(id, { 'my page.html': '<p>spaces</p>', 'café.md': '# accents', 'docs/100%.txt': 'percent', 'a%20b.txt': 'literal' })

    for (const [path, content] of [['my page.html', '<p>spaces</p>'], ['café.md', '# accents'], ['docs/100%.txt', 'percent'], ['a%20b.txt', 'literal']]) {
      const shown = await account.json('GET', fileUrl(id, path))
      assert.equal(shown.status, 200, `${path}: ${JSON.stringify(shown.body)}`)
      assert.equal(shown.body.path, path)
      assert.equal(shown.body.content, content)
      const saved = await account.json('PUT', fileUrl(id, path), { content: `${content} (edited)` })
      assert.equal(saved.status, 200, `${path}: ${JSON.stringify(saved.body)}`)
      assert.isTrue(saved.body.committed)
    }

    // What the issue saw: a%20/b created a file literally named "a%20/b".
    assert.equal((await account.json('PUT', `/api/v1/projects/${id}/files/a%20/b`, { content: 'x' })).status, 200)
    // %2F decodes to a folder separator: the same canonical path as a real one.
    assert.equal((await account.json('PUT', `/api/v1/projects/${id}/files/sub%2Fdeep.txt`, { content: 'y' })).status, 200)
    const listing = (await account.json('GET', `/api/v1/projects/${id}/files`)).body.files.map((f: any) => f.path).sort()
    assert.deepEqual(listing, ['a /b', 'a%20b.txt', 'café.md', 'docs/100%.txt', 'my page.html', 'sub/deep.txt'])
    const edited = await account.json('GET', fileUrl(id, 'my page.html'))
    assert.equal(edited.body.content, '<p>spaces</p> (edited)')
  })

  test('decoded paths are validated: encoded traversal and malformed escapes are refused with a 422', async ({ assert }) => {
    const account = await apiAccount()
    const id = account.project.id
    const cases: Array<[string, RegExp]> = [
      ['%2e%2e/%2e%2e/etc/passwd', /\. or \.\. segments/],
      ['..%2F..%2Fescape.txt', /\. or \.\. segments/],
      ['%2Fetc%2Fpasswd', /relative|empty folder/],
      ['%2egit/config', /\.git is reserved/],
      ['bad%zz.txt', /percent-encod/],
      ['half%C3.txt', /percent-encod/],
      ['nul%00.txt', /control character/],
      ['back%5Cslash.txt', /backslash/],
    ]
    for (const [raw, reason] of cases) {
      for (const method of ['GET', 'PUT'] as const) {
        const response = await rawRequest(account.token, method, `/api/v1/projects/${id}/files/${raw}`, method === 'PUT' ? { content: 'x' } : undefined)
        assert.equal(response.status, 422, `${method} ${raw}: ${JSON.stringify(response.body)}`)
        assert.equal(response.body.errors[0].code, 'invalid_path', raw)
        assert.match(response.body.errors[0].message, reason, raw)
      }
    }
    assert.deepEqual((await account.json('GET', `/api/v1/projects/${id}/files`)).body.files, [])
  })
})

test.group('Project files API | the 1 MiB file limit', (group) => {
  group.each.setup(() => truncateAll())

  test('a file of exactly 1 MiB saves, in plain text and in text whose JSON escaping is 6 times longer', async ({ assert }) => {
    const account = await apiAccount()
    const id = account.project.id
    const contents: Record<string, string> = {
      'plain.txt': 'a'.repeat(MIB),
      // Each U+0001 is one byte in the file and six ("\u0001") in the JSON body: the worst case.
      'controls.txt': '\u0001'.repeat(MIB),
      'quotes.txt': '"\\\n'.repeat(MIB / 4) + 'abcd'.repeat(MIB / 16),
      'accents.txt': 'é'.repeat(MIB / 2),
    }
    for (const [path, content] of Object.entries(contents)) {
      assert.equal(Buffer.byteLength(content), MIB, path)
      const saved = await account.json('PUT', fileUrl(id, path), { content })
      assert.equal(saved.status, 200, `${path}: ${JSON.stringify(saved.body).slice(0, 300)}`)
      const shown = await account.json('GET', fileUrl(id, path))
      assert.equal(shown.body.size, MIB, path)
      assert.isTrue(shown.body.content === content, `${path} comes back unchanged`)
    }
    // A client that escapes every non-ASCII character (\u00e9): still within the body limit.
    const escaped = JSON.stringify({ content: 'é'.repeat(MIB / 2) }).replace(/é/g, '\\u00e9')
    const sent = await fetch(new WebClient().baseUrl + fileUrl(id, 'ascii-escaped.txt'), {
      method: 'PUT',
      headers: { 'authorization': `Bearer ${account.token}`, 'content-type': 'application/json', 'accept': 'application/json' },
      body: escaped,
    })
    assert.equal(sent.status, 200, await sent.text())
  }).timeout(60_000)

  test('1 MiB + 1 byte is refused with a 413 that names the limit, however the content is spelled', async ({ assert }) => {
    const account = await apiAccount()
    const id = account.project.id
    for (const [path, content] of [
      ['plain.txt', 'a'.repeat(MIB + 1)],
      ['controls.txt', '\u0001'.repeat(MIB + 1)],
      ['accents.txt', 'é'.repeat(MIB / 2) + 'a'],
    ] as const) {
      const refused = await account.json('PUT', fileUrl(id, path), { content })
      assert.equal(refused.status, 413, path)
      assert.equal(refused.body.errors[0].code, 'file_too_large', path)
      assert.equal(refused.body.errors[0].message, 'A file may hold at most 1 MiB (1048576 bytes); this one is 1048577 bytes', path)
    }
    // A body beyond what any 1 MiB file can need (6 MiB of escapes plus the envelope) is not even read.
    const huge = await account.json('PUT', fileUrl(id, 'huge.txt'), { content: '\u0001'.repeat(MIB + 64 * 1024) })
    assert.equal(huge.status, 413)
    assert.equal(huge.body.errors[0].code, 'file_too_large')
    assert.match(huge.body.errors[0].message, /request body is larger than any file can need \(6 MiB once JSON-escaped, plus 64 KiB\): a file may hold at most 1 MiB/)
    assert.deepEqual((await account.json('GET', `/api/v1/projects/${id}/files`)).body.files, [])
  }).timeout(60_000)
})
