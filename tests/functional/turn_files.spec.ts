import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiAccount, readSse, useFakeProviders } from '#tests/helpers/ai'
import { textScript, toolCallScript } from '#tests/fakes/anthropic_server'

const write = (path: string, content: string) => `<xb-write path="${path}">${content}</xb-write>`

test.group('AI turns that change files', (group) => {
  const fakes = useFakeProviders(group, ['anthropic'])

  async function turn(account: Awaited<ReturnType<typeof apiAccount>>, answer: string, options: Parameters<typeof textScript>[1] = {}) {
    fakes().anthropic.enqueue({ ...textScript(answer, options), chunks: options && 'chunks' in options ? (options as any).chunks : [answer] })
    const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'change it', provider: 'anthropic' }, 'text/event-stream')
    return readSse(response)
  }

  async function files(account: Awaited<ReturnType<typeof apiAccount>>) {
    const listing = await account.json('GET', `/api/v1/projects/${account.project.id}/files`)
    return listing.body
  }

  test('three turns make three versions; files, diff and restore through the API', async ({ assert }) => {
    const account = await apiAccount()
    await turn(account, `Creating it.\n${write('index.html', '<h1>v1</h1>\n')}`)
    await turn(account, `<xb-edit path="index.html"><search>v1</search><replace>v2</replace></xb-edit>`)
    const events = await turn(account, `${write('about.html', 'about\n')}\n<xb-rename from="index.html" to="home.html" />`)
    const changes = events.find((e) => e.event === 'changes')!.data.changes
    assert.match(changes.version, /^[0-9a-f]{40}$/)
    assert.deepEqual(changes.problems, [])

    const versions = (await account.json('GET', `/api/v1/projects/${account.project.id}/versions`)).body.versions
    assert.lengthOf(versions, 3)
    assert.isTrue(versions.every((v: any) => v.kind === 'ai-turn' && /^message-\d+$/.test(v.turn)))
    const messages = (await account.json('GET', `/api/v1/projects/${account.project.id}/messages`)).body.messages
    assert.equal(messages.at(-1).version, versions[0].version, 'the message links its version')

    assert.deepEqual((await files(account)).files.map((f: any) => f.path).sort(), ['about.html', 'home.html'])
    const home = await account.json('GET', `/api/v1/projects/${account.project.id}/files/home.html`)
    assert.equal(home.body.content, '<h1>v2</h1>\n')

    const diff = await account.json('GET', `/api/v1/projects/${account.project.id}/versions/${versions[1].version}/diff`)
    assert.equal(diff.body.files[0].path, 'index.html')
    assert.include(diff.body.files[0].diff, '-<h1>v1</h1>')
    assert.include(diff.body.files[0].diff, '+<h1>v2</h1>')

    const restored = await account.json('POST', `/api/v1/projects/${account.project.id}/versions/${versions[2].version}/restore`)
    assert.equal(restored.status, 201)
    assert.deepEqual((await files(account)).files.map((f: any) => f.path), ['index.html'])
    assert.lengthOf((await account.json('GET', `/api/v1/projects/${account.project.id}/versions`)).body.versions, 4, 'history kept')

    const saved = await account.json('PUT', `/api/v1/projects/${account.project.id}/files/index.html`, { content: 'by hand\n' })
    assert.match(saved.body.version, /^[0-9a-f]{40}$/)
    const zip = await account.call('GET', `/api/v1/projects/${account.project.id}/export.zip`)
    assert.equal(zip.headers.get('content-type'), 'application/zip')
    const bytes = Buffer.from(await zip.arrayBuffer())
    assert.equal(bytes.subarray(0, 2).toString(), 'PK')
    assert.isTrue(bytes.includes(Buffer.from('index.html')))
  })

  test('malformed model output never corrupts the project; every problem is reported in the chat', async ({ assert }) => {
    const account = await apiAccount()
    const events0 = await turn(account, 'Start:\n<xb-write path="app.js">\n```js\nconsole.log("fenced")\n```\n</xb-write>')
    const v1 = events0.find((e) => e.event === 'changes')!.data.changes.version
    assert.exists(v1)
    assert.equal((await account.json('GET', `/api/v1/projects/${account.project.id}/files/app.js`)).body.content, 'console.log("fenced")', 'code fences around content are removed')

    await account.json('POST', `/api/v1/projects/${account.project.id}/locks`, { path: 'app.js' })

    const cases: [string, string, RegExp][] = [
      ['path traversal', `${write('ok.txt', 'fine')}${write('../../etc/passwd', 'root::0:0')}`, /\.\.\/\.\.\/etc\/passwd/],
      ['absolute path', write('/etc/passwd', 'x'), /\/etc\/passwd/],
      ['git internals', write('.git/hooks/post-commit', '#!/bin/sh'), /\.git/],
      ['locked file', write('app.js', 'overwritten'), /locked/i],
      ['edit that does not match', '<xb-edit path="app.js2"><search>nope</search><replace>x</replace></xb-edit>', /app\.js2/],
      ['unknown module', '<xb-module id="teleporter"></xb-module>', /unknown module/],
    ]
    for (const [name, answer, expected] of cases) {
      const events = await turn(account, answer)
      const changes = events.find((e) => e.event === 'changes')?.data.changes
      assert.exists(changes, name)
      assert.isNull(changes.version, `${name}: nothing applied`)
      const reported = [...changes.problems, ...changes.refused.map((r: any) => `${r.path}: ${r.reason}`)].join('\n')
      assert.match(reported, expected, name)
      assert.include(reported, 'None of the changes', name)
    }

    // A stream cut off in the middle of a file: that answer applies nothing.
    fakes().anthropic.enqueue({ ...textScript(''), chunks: ['<xb-write path="half.txt">', 'first half', ' second half', '</xb-write>'], failAfterChunks: 2 })
    const cut = await readSse(await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'x', provider: 'anthropic' }, 'text/event-stream'))
    assert.match(cut.find((e) => e.event === 'changes')!.data.changes.problems[0], /did not finish/)

    // A 50 MB "file": the answer is stopped at the size limit, nothing is applied.
    const huge = 'x'.repeat(1024 * 1024)
    fakes().anthropic.enqueue({ ...textScript(''), chunks: ['<xb-write path="big.bin">', ...Array.from({ length: 50 }, () => huge), '</xb-write>'] })
    const big = await readSse(await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'x', provider: 'anthropic' }, 'text/event-stream'))
    const bigError = big.find((e) => e.event === 'error')!
    assert.match(bigError.data.error, /exceeded 2 MB/)

    // The project is exactly as it was after the first turn.
    const versions = (await account.json('GET', `/api/v1/projects/${account.project.id}/versions`)).body.versions
    assert.lengthOf(versions, 1)
    assert.equal(versions[0].version, v1)
    assert.deepEqual((await files(account)).files.map((f: any) => f.path), ['app.js'])
    const stored = await db.from('ai_messages').where('role', 'assistant').orderBy('id', 'desc').first()
    assert.isBelow(stored.content.length, 4 * 1024 * 1024, 'a runaway answer is not stored whole')
  }).timeout(120_000)

  test('an instruction shown in a code block is an example; a nested one applies nothing', async ({ assert }) => {
    const account = await apiAccount()
    const example = 'To remove it you would write:\n```\n<xb-delete path="index.html" />\n```\n'
    const first = await turn(account, `${example}${write('index.html', 'kept\n')}`)
    assert.deepEqual(first.find((e) => e.event === 'changes')!.data.changes.applied, ['write index.html'])

    const onlyExample = (await turn(account, example)).find((e) => e.event === 'changes')!.data.changes
    assert.isNull(onlyExample.version)
    assert.match(onlyExample.problems[0], /1 instruction\(s\) inside a code block; those are examples/)

    const nested = (await turn(account, `<xb-write path="index.html">a <xb-write path="b.txt">b</xb-write> c</xb-write>`)).find((e) => e.event === 'changes')!.data.changes
    assert.isNull(nested.version)
    assert.match(nested.problems.join('\n'), /instructions cannot be nested[\s\S]*None of the changes/)
    assert.deepEqual((await files(account)).files.map((f: any) => f.path), ['index.html'])
    assert.equal((await account.json('GET', `/api/v1/projects/${account.project.id}/files/index.html`)).body.content, 'kept\n')
  })

  test('the chat shows which files are being written while the answer streams', async ({ assert }) => {
    const account = await apiAccount()
    fakes().anthropic.enqueue({ ...textScript(''), chunks: ['Writing:\n', '<xb-write path="a.txt">', 'aaa', '</xb-write>', '<xb-write path="b.txt">', 'bbb', '</xb-write>'] })
    const events = await readSse(await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'x', provider: 'anthropic' }, 'text/event-stream'))
    const writing = events.filter((e) => e.event === 'writing').map((e) => e.data.files)
    assert.deepEqual(writing, [['a.txt'], [], ['b.txt'], []])
  })
})

test.group('Native tool calls', (group) => {
  const fakes = useFakeProviders(group, ['anthropic'])

  test('Anthropic and OpenAI tool calls change files like the tagged text does', async ({ assert }) => {
    const account = await apiAccount()
    const url = `/api/v1/projects/${account.project.id}/messages`
    fakes().anthropic.enqueue(
      toolCallScript('Adding a waitlist and a note.', [
        { name: 'xb_add_module', input: { id: 'waitlist', params: {} } },
        { name: 'xb_write_file', input: { path: 'NOTES.md', content: '# Notes\n' } },
      ])
    )
    const first = await account.json('POST', url, { content: 'add a waitlist', provider: 'anthropic' })
    assert.equal(first.status, 201)
    assert.exists(first.body.message.changes.version, JSON.stringify(first.body.message.changes))
    const sent = fakes().anthropic.requests.at(-1)!.body as any
    assert.includeMembers(sent.tools.map((t: any) => t.name), ['xb_add_module', 'xb_write_file', 'xb_edit_file'])

    fakes().useChain('openai')
    fakes().openai.enqueue(toolCallScript('', [{ name: 'xb_edit_file', input: { path: 'NOTES.md', search: '# Notes', replace: '# Project notes' } }]))
    const second = await account.json('POST', url, { content: 'rename the notes title', provider: 'openai', model: 'gpt-4.1-mini' })
    assert.exists(second.body.message.changes.version, JSON.stringify(second.body.message.changes))
    const notes = await account.json('GET', `/api/v1/projects/${account.project.id}/files/NOTES.md`)
    assert.equal(notes.body.content, '# Project notes\n')
    const files = (await account.json('GET', `/api/v1/projects/${account.project.id}/files`)).body.files.map((f: any) => f.path)
    assert.includeMembers(files, ['routes/waitlist.js', 'server.js', 'NOTES.md'])
  })

  test('a malformed tool call is reported and the turn applies nothing', async ({ assert }) => {
    const account = await apiAccount()
    fakes().anthropic.enqueue(toolCallScript('', [{ name: 'xb_write_file', input: { path: 'a.txt' } }, { name: 'xb_write_file', input: { path: 'b.txt', content: 'ok' } }]))
    const { body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'x', provider: 'anthropic' })
    assert.isNull(body.message.changes.version)
    assert.match(body.message.changes.problems.join('\n'), /needs a path and a content/)
    assert.lengthOf((await account.json('GET', `/api/v1/projects/${account.project.id}/files`)).body.files, 0)
  })
})
