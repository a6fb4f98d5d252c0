import { test } from '@japa/runner'
import { dbTime } from '#lib/db_time'
import db from '@adonisjs/lucid/services/db'
import { apiAccount, readSse, useFakeProviders } from '#tests/helpers/ai'
import { textScript } from '#tests/fakes/anthropic_server'


/**
 * Expected charge in balance tokens, computed independently of the
 * platform's code: list price ($/MTok) × tokens × 1.30, in $, at $0.0001 per
 * balance token, rounded up.
 */
function expectedCharge(inputPerMTok: number, outputPerMTok: number, input: number, output: number) {
  // Exact integer arithmetic in nano-dollars.
  const costNanos = BigInt(Math.round(inputPerMTok * 1000)) * BigInt(input) + BigInt(Math.round(outputPerMTok * 1000)) * BigInt(output)
  const chargedNanos = (costNanos * 130n + 99n) / 100n
  return Number((chargedNanos + 99_999n) / 100_000n)
}

async function balanceOf(workspaceId: number) {
  const row = await db.from('workspaces').where('id', workspaceId).first()
  return { balance: Number(row.tokens_balance), reserved: Number(row.tokens_reserved) }
}

async function ledgerSum(workspaceId: number) {
  const [{ total }] = await db.from('transactions').where('workspace_id', workspaceId).sum('tokens as total')
  return Number(total)
}

test.group('Chat: streaming through real SDKs and fake providers', (group) => {
  const fakes = useFakeProviders(group)

  test('Anthropic, JSON: the answer is stored and the balance drops by usage × list price × 1.30', async ({ assert }) => {
    const account = await apiAccount()
    fakes().anthropic.enqueue(textScript('Here is your landing page with a waitlist.', { inputTokens: 1234, outputTokens: 567 }))
    const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, {
      content: 'Build me a landing page with a waitlist',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
    })
    assert.equal(status, 201, JSON.stringify(body))
    assert.containsSubset(body.message, {
      role: 'assistant',
      content: 'Here is your landing page with a waitlist.',
      status: 'complete',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      input_tokens: 1234,
      output_tokens: 567,
    })

    const charge = expectedCharge(3, 15, 1234, 567)
    assert.equal(body.message.charged_tokens, charge)
    assert.deepEqual(await balanceOf(account.workspaceId), { balance: 10_000 - charge, reserved: 0 })
    assert.equal(await ledgerSum(account.workspaceId), 10_000 - charge)
    const usage = await db.from('transactions').where({ workspace_id: account.workspaceId, type: 'ai_usage' }).firstOrFail()
    assert.equal(Number(usage.cost_micros), Math.ceil(1234 * 3 + 567 * 15))
    assert.equal(Number(usage.tokens), -charge)

    // The request the provider got: the real SDK, with the key and the message.
    const sent = fakes().anthropic.requests.at(-1)!
    assert.equal(sent.path, '/v1/messages')
    assert.equal((sent.body as any).messages.at(-1).content, 'Build me a landing page with a waitlist')
    assert.isTrue((sent.body as any).stream)

    const history = await account.json('GET', `/api/v1/projects/${account.project.id}/messages`)
    assert.deepEqual(history.body.messages.map((m: any) => [m.role, m.status]), [['user', 'complete'], ['assistant', 'complete']])
  })

  test('Anthropic, SSE: events stream in order and the stored message equals the streamed text', async ({ assert }) => {
    const account = await apiAccount()
    const answer = 'Streaming **works**: one chunk at a time, as the model writes.'
    fakes().anthropic.enqueue(textScript(answer, { delayMs: 5 }))
    const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'Stream please', provider: 'anthropic' }, 'text/event-stream')
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /^text\/event-stream/)
    const events = await readSse(response)
    const kinds = events.map((e) => e.event)
    assert.equal(kinds[0], 'start')
    assert.equal(kinds.at(-1), 'end')
    const deltas = events.filter((e) => e.event === 'delta')
    assert.isAbove(deltas.length, 5)
    const streamed = deltas.map((e) => e.data.text).join('')
    assert.equal(streamed, answer)
    const stored = await db.from('ai_messages').where('id', events[0].data.message_id).firstOrFail()
    assert.equal(stored.content, streamed)
    assert.equal(stored.status, 'complete')
    assert.equal(events.at(-1)!.data.message.content, answer)
  })

  test('OpenAI-compatible, SSE: streamed with usage', async ({ assert }) => {
    const account = await apiAccount()
    fakes().useChain('openai')
    fakes().openai.enqueue(textScript('Hello from an OpenAI-compatible server.', { inputTokens: 100, outputTokens: 20 }))
    const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hi', provider: 'openai', model: 'gpt-4.1-mini' }, 'text/event-stream')
    const events = await readSse(response)
    assert.equal(events.filter((e) => e.event === 'delta').map((e) => e.data.text).join(''), 'Hello from an OpenAI-compatible server.')
    const end = events.at(-1)!
    assert.equal(end.event, 'end')
    assert.containsSubset(end.data.message, { provider: 'openai', model: 'gpt-4.1-mini', input_tokens: 100, output_tokens: 20, status: 'complete' })
    assert.equal(end.data.message.charged_tokens, expectedCharge(0.4, 1.6, 100, 20))
    const sent = fakes().openai.requests.at(-1)!
    assert.deepEqual((sent.body as any).stream_options, { include_usage: true })
  })

  for (const failure of [
    { status: 529, type: 'overloaded_error', message: 'Overloaded' },
    { status: 500, type: 'api_error', message: 'Internal server error' },
    { status: 429, type: 'rate_limit_error', message: 'Rate limited' },
  ]) {
    test(`a primary that fails before the first token (${failure.status}) falls back to the next provider`, async ({ assert }) => {
      const account = await apiAccount()
      fakes().anthropic.enqueue({ chunks: [], failBeforeFirstToken: failure })
      fakes().openai.enqueue(textScript('The fallback answered.'))
      const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hello' }, 'text/event-stream')
      const events = await readSse(response)
      const fallback = events.find((e) => e.event === 'fallback')
      assert.exists(fallback)
      assert.containsSubset(fallback!.data, { from: 'anthropic', to: 'openai' })
      assert.include(fallback!.data.reason, String(failure.status))
      assert.equal(events.at(-1)!.event, 'end')
      assert.containsSubset(events.at(-1)!.data.message, { provider: 'openai', content: 'The fallback answered.', status: 'complete' })
      const { reserved } = await balanceOf(account.workspaceId)
      assert.equal(reserved, 0)
    })
  }

  test('a network failure before the first token falls back too', async ({ assert }) => {
    const account = await apiAccount()
    process.env.ANTHROPIC_BASE_URL = 'http://127.0.0.1:9' // nothing listens on the discard port
    try {
      fakes().openai.enqueue(textScript('Network fallback.'))
      const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hello' })
      assert.equal(status, 201)
      assert.equal(body.message.provider, 'openai')
    } finally {
      process.env.ANTHROPIC_BASE_URL = fakes().anthropic.url
    }
  })

  test('a stream that dies after tokens ends the turn with a clear error; the partial answer is kept, marked and charged', async ({ assert }) => {
    const account = await apiAccount()
    fakes().anthropic.enqueue(textScript('one two three four five six seven eight', { failAfterChunks: 3 }))
    fakes().openai.enqueue(textScript('must not be used'))
    const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'go' }, 'text/event-stream')
    const events = await readSse(response)
    assert.notExists(events.find((e) => e.event === 'fallback'), 'no fallback once tokens have streamed')
    const error = events.at(-1)!
    assert.equal(error.event, 'error')
    assert.include(error.data.error, 'The answer was cut off')
    assert.equal(error.data.message.status, 'partial')
    assert.equal(error.data.message.content, 'one two three')
    const stored = await db.from('ai_messages').where('id', error.data.message.id).firstOrFail()
    assert.equal(stored.content, 'one two three')
    assert.equal(stored.status, 'partial')
    assert.lengthOf(fakes().openai.requests, 0)
    const { balance, reserved } = await balanceOf(account.workspaceId)
    assert.equal(reserved, 0)
    assert.isBelow(balance, 10_000)
    assert.equal(await ledgerSum(account.workspaceId), balance)
  })

  test('a non-retryable error (401 from the provider) is reported, not hidden by a fallback', async ({ assert }) => {
    const account = await apiAccount()
    process.env.ANTHROPIC_API_KEY = 'a wrong key'
    try {
      fakes().openai.enqueue(textScript('must not be used'))
      const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hello' })
      assert.equal(status, 502)
      assert.include(body.errors[0].message, '401')
      assert.equal(body.message.status, 'error')
      assert.lengthOf(fakes().openai.requests, 0)
      assert.deepEqual(await balanceOf(account.workspaceId), { balance: 10_000, reserved: 0 })
    } finally {
      process.env.ANTHROPIC_API_KEY = fakes().anthropic.apiKey
    }
  })

  test('the offline builder needs no key, answers deterministically and costs nothing', async ({ assert }) => {
    // The same conversation (here: one request, in two new projects) always gives the same answer.
    const account = await apiAccount()
    const other = await apiAccount()
    const ask = (a: typeof account) => a.json('POST', `/api/v1/projects/${a.project.id}/messages`, { content: 'a landing page with a waitlist and a blog', provider: 'offline' })
    const first = await ask(account)
    const second = await ask(other)
    assert.equal(first.status, 201)
    assert.include(first.body.message.content, '`waitlist`')
    assert.include(first.body.message.content, '`blog`')
    assert.include(first.body.message.content, '`landing-page`')
    assert.equal(first.body.message.content, second.body.message.content)
    assert.equal(first.body.message.charged_tokens, 0)
    assert.deepEqual(await balanceOf(account.workspaceId), { balance: 10_000, reserved: 0 })
  })
})

test.group('Chat: metering under concurrency', (group) => {
  const fakes = useFakeProviders(group)

  test('50 concurrent turns against a balance that covers 10: balance never below zero, ledger consistent', async ({ assert }) => {
    fakes().useChain('anthropic')
    const account = await apiAccount('Concurrent')
    // 50 projects of one workspace: each turn's context is the same size.
    const projects = [account.project]
    for (let i = 1; i < 50; i++) projects.push((await account.json('POST', '/api/v1/projects', { name: `p${i}` })).body.project)

    // Each turn uses its whole output budget, so it costs about what it
    // holds: the balance covers ten turns, whatever the order they finish in.
    const perTurn = expectedCharge(5, 25, 10, 8192)
    const adjustment = perTurn * 10 - (await balanceOf(account.workspaceId)).balance
    await db.from('workspaces').where('id', account.workspaceId).update({ tokens_balance: perTurn * 10 })
    await db.table('transactions').insert({ workspace_id: account.workspaceId, type: 'admin_adjustment', amount: 0, tokens: adjustment, created_at: dbTime() })

    fakes().anthropic.setDefault(textScript('concurrent answer', { inputTokens: 10, outputTokens: 8192, firstTokenDelayMs: 200 }))
    const results = await Promise.all(
      projects.map((p) => account.json('POST', `/api/v1/projects/${p.id}/messages`, { content: 'same prompt', provider: 'anthropic', model: 'claude-opus-4-5' }))
    )
    const statuses = results.map((r) => r.status)
    const ok = statuses.filter((s) => s === 201).length
    assert.isTrue(statuses.every((s) => s === 201 || s === 402), statuses.join(','))
    assert.isAtLeast(ok, 1)
    assert.isAtMost(ok, 10)
    const refused = results.find((r) => r.status === 402)!
    assert.equal(refused.body.errors[0].code, 'insufficient_balance')
    assert.match(refused.body.errors[0].message, /cannot cover this turn/)

    const { balance, reserved } = await balanceOf(account.workspaceId)
    assert.isAtLeast(balance, 0)
    assert.equal(reserved, 0)
    assert.equal(await ledgerSum(account.workspaceId), balance)
    const [{ n }] = await db.from('transactions').where({ workspace_id: account.workspaceId, type: 'ai_usage' }).count('* as n')
    assert.equal(Number(n), ok)
    // Refused turns stored nothing and never reached the provider.
    const [{ m }] = await db.from('ai_messages').where('role', 'assistant').count('* as m')
    assert.equal(Number(m), ok)
    assert.lengthOf(fakes().anthropic.requests, ok)
  }).timeout(60_000)
})

test.group('Chat: bad input is refused before anything is stored', (group) => {
  const fakes = useFakeProviders(group)

  test('empty, huge, ill-typed messages; unknown provider or model; another workspace\'s project', async ({ assert }) => {
    const alice = await apiAccount('Alice')
    const bob = await apiAccount('Bob')
    const url = `/api/v1/projects/${alice.project.id}/messages`
    const cases: [unknown, number, string, string][] = [
      [{ content: '' }, 422, 'content', 'required'],
      [{ content: '   ' }, 422, 'content', 'minLength'],
      [{ content: 'x'.repeat(20_001) }, 422, 'content', 'maxLength'],
      [{ content: 42 }, 422, 'content', 'string'],
      [{}, 422, 'content', 'required'],
      [{ content: 'hi', provider: 'nope' }, 422, 'provider', 'unknown_provider'],
      [{ content: 'hi', provider: 'anthropic', model: 'gpt-4.1' }, 422, 'model', 'unknown_model'],
      [{ content: 'hi', provider: '../etc' }, 422, 'provider', 'regex'],
    ]
    for (const [payload, status, field, code] of cases) {
      const { status: got, body } = await alice.json('POST', url, payload)
      assert.equal(got, status, JSON.stringify(payload).slice(0, 60))
      const error = body.errors.find((e: any) => e.field === field)
      assert.exists(error, `${field} in ${JSON.stringify(body)}`)
      assert.equal(error.code, code)
    }
    // Bob cannot read or write Alice's project: it does not exist for him.
    assert.equal((await bob.json('POST', url, { content: 'hi' })).status, 404)
    assert.equal((await bob.json('GET', url)).status, 404)
    assert.equal((await bob.json('GET', `/api/v1/projects/${alice.project.id}`)).status, 404)
    assert.equal((await bob.json('PATCH', `/api/v1/projects/${alice.project.id}`, { name: 'mine' })).status, 404)
    assert.equal((await bob.json('DELETE', `/api/v1/projects/${alice.project.id}`)).status, 404)

    const [{ n }] = await db.from('ai_messages').count('* as n')
    assert.equal(Number(n), 0)
    assert.lengthOf(fakes().anthropic.requests, 0)
    assert.deepEqual(await balanceOf(alice.workspaceId), { balance: 10_000, reserved: 0 })
  })

  test('a turn the balance cannot cover is refused with 402 before the provider is called', async ({ assert }) => {
    const account = await apiAccount()
    await db.from('workspaces').where('id', account.workspaceId).update({ tokens_balance: 5 })
    const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hi', provider: 'anthropic', model: 'claude-opus-4-5' })
    assert.equal(status, 402)
    assert.match(body.errors[0].message, /Your balance of 5 tokens cannot cover this turn \(up to [\d,]+ tokens/)
    assert.lengthOf(fakes().anthropic.requests, 0)
    const [{ n }] = await db.from('ai_messages').count('* as n')
    assert.equal(Number(n), 0)
  })

  test('an unconfigured provider is a clear 503', async ({ assert }) => {
    const account = await apiAccount()
    const saved = process.env.ANTHROPIC_API_KEY
    delete process.env.ANTHROPIC_API_KEY
    fakes().useChain('anthropic')
    try {
      const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hi', provider: 'anthropic' })
      assert.equal(status, 503)
      assert.include(body.errors[0].message, 'not configured')
    } finally {
      process.env.ANTHROPIC_API_KEY = saved
    }
  })
})

test.group('AI catalogue and usage', (group) => {
  const fakes = useFakeProviders(group)

  test('GET /api/v1/ai/models lists configured providers with prices; GET /api/v1/ai/usage sums the ledger', async ({ assert }) => {
    fakes().useChain('anthropic', 'openai')
    const account = await apiAccount()
    const models = await account.json('GET', '/api/v1/ai/models')
    assert.equal(models.status, 200)
    const ids = models.body.models.map((m: any) => `${m.provider}/${m.id}`)
    assert.includeMembers(ids, ['anthropic/claude-sonnet-4-6', 'openai/gpt-4.1-mini', 'offline/offline-builder'])
    assert.containsSubset(models.body.models.find((m: any) => m.id === 'claude-sonnet-4-6'), { input_usd_per_mtok: 3, output_usd_per_mtok: 15 })

    fakes().anthropic.enqueue(textScript('a', { inputTokens: 1000, outputTokens: 100 }), textScript('b', { inputTokens: 2000, outputTokens: 200 }))
    await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'one', provider: 'anthropic' })
    await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'two', provider: 'anthropic' })
    const usage = await account.json('GET', '/api/v1/ai/usage?days=7')
    assert.equal(usage.status, 200)
    assert.containsSubset(usage.body.total, { turns: 2, input_tokens: 3000, output_tokens: 300 })
    assert.equal(usage.body.total.charged_tokens, expectedCharge(3, 15, 1000, 100) + expectedCharge(3, 15, 2000, 200))
    assert.lengthOf(usage.body.per_day, 1)
    assert.containsSubset(usage.body.per_model[0], { provider: 'anthropic', model: 'claude-sonnet-4-6', turns: 2 })
    assert.containsSubset(usage.body.per_project[0], { project_id: account.project.id, turns: 2 })

    const other = await apiAccount('Other')
    const otherUsage = await other.json('GET', '/api/v1/ai/usage')
    assert.equal(otherUsage.body.total.turns, 0)
  })
})
