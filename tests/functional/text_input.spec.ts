import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiAccount } from '#tests/helpers/ai'
import { truncateAll } from '#tests/helpers/services'
import { WebClient, uniqueEmail } from '#tests/helpers/web_client'

/**
 * NUL characters and lone UTF-16 surrogates cannot be stored (PostgreSQL
 * refuses NUL, a lone surrogate is not a character): input that carries them
 * is refused with a 422 naming the field, on every route, instead of a 500
 * from deep inside (issue 10 item 15).
 */
const NUL = 'bad\u0000name'
const SURROGATE = 'bad\uD800name'

async function post(path: string, payload: unknown, token?: string) {
  // JSON.stringify writes a lone surrogate as the escape \ud800, as a client would send it.
  const response = await fetch(`${new WebClient().baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(payload),
  })
  return { status: response.status, body: (await response.json()) as any }
}

test.group('Text input: NUL and lone surrogates are refused with 422', (group) => {
  group.each.setup(() => truncateAll())

  test('sign-up: e-mail and name', async ({ assert }) => {
    for (const [field, payload] of [
      ['email', { name: 'Ok', email: `a\uDC00${uniqueEmail()}`, password: 'a good password' }],
      ['email', { name: 'Ok', email: `a\u0000${uniqueEmail()}`, password: 'a good password' }],
      ['name', { name: NUL, email: uniqueEmail(), password: 'a good password' }],
      ['name', { name: SURROGATE, email: uniqueEmail(), password: 'a good password' }],
    ] as const) {
      const { status, body } = await post('/api/v1/auth/register', payload)
      assert.equal(status, 422, JSON.stringify(body))
      assert.deepEqual(body.errors.map((e: any) => [e.field, e.code]), [[field, 'text']])
    }
    assert.lengthOf(await db.from('users'), 0, 'nothing was stored')
    // Login too: the e-mail never reaches the database query.
    const login = await post('/api/v1/auth/login', { email: `x\uD800@example.com`, password: 'whatever' })
    assert.equal(login.status, 422)
  })

  test('projects, chat messages and push tokens', async ({ assert }) => {
    const account = await apiAccount()
    for (const payload of [{ name: NUL }, { name: 'Fine', description: SURROGATE }, { name: 'Fine', description: `x\u0000` }]) {
      const { status, body } = await post('/api/v1/projects', payload, account.token)
      assert.equal(status, 422, JSON.stringify(payload))
      assert.equal(body.errors[0].code, 'text')
    }
    const before = (await db.from('ai_messages')).length
    for (const content of [`make it \u0000 now`, `make it \uD83D now`]) {
      const { status, body } = await post(`/api/v1/projects/${account.project.id}/messages`, { content, provider: 'offline' }, account.token)
      assert.equal(status, 422)
      assert.deepEqual([body.errors[0].field, body.errors[0].code], ['content', 'text'])
    }
    assert.lengthOf(await db.from('ai_messages'), before, 'no turn was started, none is left streaming')
    const push = await post(`/api/v1/projects/${account.project.id}/push`, { url: 'https://git.example.com/a.git', token: `tok\uDFFFen` }, account.token)
    assert.equal(push.status, 422)
    assert.equal(push.body.errors[0].field, 'token')
    // Keys and nested values count too.
    const nested = await post('/api/v1/projects', { name: 'Fine', extra: { [`k\u0000`]: 'v' } }, account.token)
    assert.equal(nested.status, 422)
    // A valid surrogate pair (an emoji) is text like any other.
    const emoji = await post('/api/v1/projects', { name: 'Rocket 🚀', description: 'café ✓' }, account.token)
    assert.equal(emoji.status, 201)
    assert.equal(emoji.body.project.name, 'Rocket 🚀')
  })

  test('an HTML form with a NUL is sent back with the error, not a 500', async ({ assert }) => {
    const client = new WebClient()
    await client.get('/signup')
    const form = { name: NUL, email: uniqueEmail(), password: 'a good password', _csrf: client.csrfToken! }
    // A browser sends the page it posted from: the answer sends it back there.
    const response = await client.request('POST', '/signup', { form, headers: { referer: `${client.baseUrl}/signup` } })
    assert.equal(response.status, 302)
    assert.equal(new URL(response.location!, client.baseUrl).pathname, '/signup')
    const page = await client.follow(response)
    assert.equal(page.status, 200)
    assert.include(page.text, 'cannot contain a NUL character')
    assert.lengthOf(await db.from('users'), 0)
  })
})
