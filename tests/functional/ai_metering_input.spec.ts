import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import aiConfig from '#config/ai'
import { dbTime } from '#lib/db_time'
import TurnRecoveryService from '#services/turn_recovery_service'
import MeteringService from '#services/metering_service'
import { apiAccount, readSse, useFakeProviders } from '#tests/helpers/ai'
import { textScript, type LlmScript } from '#tests/fakes/openai_server'

/**
 * What providers report and how their streams end is untrusted input: a
 * turn's charge, its hold and its message must come out right whatever an
 * OpenAI-compatible or Anthropic server sends (issue 10 items 6, 7, 8, 15).
 */

type Account = Awaited<ReturnType<typeof apiAccount>>

async function workspaceOf(account: Account) {
  const row = await db.from('workspaces').where('id', account.workspaceId).first()
  return { balance: Number(row.tokens_balance), reserved: Number(row.tokens_reserved) }
}

async function ledgerSum(account: Account) {
  const [{ total }] = await db.from('transactions').where('workspace_id', account.workspaceId).sum('tokens as total')
  return Number(total)
}

async function usageEntries(account: Account) {
  return db.from('transactions').where({ workspace_id: account.workspaceId, type: 'ai_usage' })
}

const WRITE = '<xb-write path="index.html"><h1>Hello</h1></xb-write>'

test.group('AI metering: provider usage is validated', (group) => {
  const fakes = useFakeProviders(group, ['openai'])

  async function turnWith(provider: 'openai' | 'anthropic', script: LlmScript) {
    const account = await apiAccount()
    fakes().useChain(provider)
    fakes()[provider].enqueue(script)
    const model = provider === 'openai' ? 'gpt-4.1-mini' : 'claude-sonnet-4-6'
    const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'build it', provider, model }, 'application/json')
    const text = await response.text()
    return { account, status: response.status, body: JSON.parse(text) }
  }

  for (const provider of ['openai', 'anthropic'] as const) {
    test(`${provider}: negative usage never credits the workspace; an estimate is charged`, async ({ assert }) => {
      const { account, status, body } = await turnWith(provider, textScript(`Done. ${WRITE}`, { wireUsage: { input: -100_000, output: -95_000 } }))
      assert.equal(status, 201, JSON.stringify(body))
      const message = body.message
      assert.equal(message.status, 'complete')
      assert.isAbove(message.input_tokens, 0)
      assert.isAbove(message.output_tokens, 0)
      assert.isAbove(message.charged_tokens, 0)
      const { balance, reserved } = await workspaceOf(account)
      assert.equal(reserved, 0)
      assert.equal(balance, 10_000 - message.charged_tokens, 'the balance went down, never up')
      assert.equal(await ledgerSum(account), balance)
      const [entry] = await usageEntries(account)
      assert.include(entry.description, 'estimated')
      assert.equal(Number(entry.input_tokens), message.input_tokens)
    })

    test(`${provider}: non-numeric and null usage never 500s, is never free and never lands in integer columns`, async ({ assert }) => {
      for (const wireUsage of [{ input: '12abc', output: 'many' }, { input: null, output: null }, { input: 1.5, output: { n: 3 } }, { input: 9e15, output: 10 ** 9 }]) {
        const { account, status, body } = await turnWith(provider, textScript(`Answer. ${WRITE}`, { wireUsage }))
        const label = JSON.stringify(wireUsage)
        assert.equal(status, 201, `${label}: ${JSON.stringify(body)}`)
        assert.equal(body.message.status, 'complete', label)
        assert.isTrue(Number.isSafeInteger(body.message.input_tokens) && body.message.input_tokens > 0, label)
        assert.isTrue(Number.isSafeInteger(body.message.output_tokens) && body.message.output_tokens > 0, label)
        assert.isAtMost(body.message.output_tokens, 8192, `${label}: bounded by the turn's max_tokens`)
        assert.isAbove(body.message.charged_tokens, 0, label)
        const stored = await db.from('ai_messages').where('id', body.message.id).first()
        assert.equal(stored.status, 'complete', label)
        assert.strictEqual(Number(stored.input_tokens), body.message.input_tokens, label)
        assert.match(String(stored.output_tokens), /^\d+$/, label)
        assert.deepEqual(await workspaceOf(account), { balance: 10_000 - body.message.charged_tokens, reserved: 0 }, label)
        // The sweeper finds nothing to release afterwards: the hold went back once.
        assert.equal(await new TurnRecoveryService().sweep(0), 0, label)
        assert.equal((await workspaceOf(account)).reserved, 0, label)
      }
    }).timeout(60_000)
  }

  test('plausible usage is charged exactly as reported', async ({ assert }) => {
    const { account, body } = await turnWith('openai', textScript('Fine answer here.', { inputTokens: 1000, outputTokens: 20 }))
    assert.containsSubset(body.message, { input_tokens: 1000, output_tokens: 20, status: 'complete' })
    const [entry] = await usageEntries(account)
    assert.notInclude(entry.description, 'estimated')
  })
})

test.group('AI metering: truncated streams and servers without usage', (group) => {
  const fakes = useFakeProviders(group, ['openai'])

  for (const provider of ['openai', 'anthropic'] as const) {
    test(`${provider}: a stream that just closes is cut off: nothing applied, charged for what arrived`, async ({ assert }) => {
      const account = await apiAccount()
      fakes().useChain(provider)
      const answer = `Here it is. ${WRITE} And more text that never finishes`
      fakes()[provider].enqueue(textScript(answer, { endWithoutStop: true, omitUsage: true }))
      const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'build it', provider }, 'text/event-stream')
      const events = await readSse(response)
      const last = events.at(-1)!
      assert.equal(last.event, 'error')
      assert.match(last.data.error, /cut off/)
      assert.equal(last.data.message.status, 'partial')
      assert.equal(last.data.message.content, answer)
      const changes = events.find((e) => e.event === 'changes')!.data.changes
      assert.isNull(changes.version)
      assert.match(changes.problems[0], /did not finish/)
      assert.lengthOf((await account.json('GET', `/api/v1/projects/${account.project.id}/versions`)).body.versions, 0, 'no version was made')
      // Tokens, not chunks: one token per 3 characters that came back.
      assert.equal(last.data.message.output_tokens, Math.ceil(answer.length / 3))
      assert.isAbove(last.data.message.charged_tokens, 0)
      assert.deepEqual(await workspaceOf(account), { balance: 10_000 - last.data.message.charged_tokens, reserved: 0 })
    })
  }

  test('a server that sends no usage is charged an estimate from what was sent and streamed', async ({ assert }) => {
    const account = await apiAccount()
    fakes().useChain('openai')
    const answer = 'A complete answer from a server that never reports usage, long enough to count.'
    fakes().openai.enqueue(textScript(answer, { omitUsage: true }))
    const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'hello there', provider: 'openai', model: 'gpt-4.1-mini' })
    assert.equal(status, 201)
    assert.equal(body.message.status, 'complete')
    assert.equal(body.message.output_tokens, Math.ceil(answer.length / 3))
    // The prompt estimate: one token per 3 characters of what was sent (the system prompt included) plus framing.
    const sent = fakes().openai.requests.at(-1)!.body as { messages: { content: string }[] }
    const sentChars = sent.messages.reduce((sum, m) => sum + m.content.length, 0)
    assert.isAtLeast(body.message.input_tokens, Math.ceil(sentChars / 3))
    assert.isAbove(body.message.charged_tokens, 0)
    assert.equal((await workspaceOf(account)).balance, 10_000 - body.message.charged_tokens)
  })
})

test.group('AI metering: holds are released exactly once; live turns are never swept', (group) => {
  const fakes = useFakeProviders(group, ['openai'])
  const saved = { ...aiConfig }
  group.each.teardown(() => {
    aiConfig.turnTimeoutMs = saved.turnTimeoutMs
    aiConfig.turnHeartbeatMs = saved.turnHeartbeatMs
  })

  test('a stream that drips on is stopped at the turn deadline after its first token', async ({ assert }) => {
    aiConfig.turnTimeoutMs = 1500
    const account = await apiAccount()
    fakes().openai.enqueue(textScript(Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), { delayMs: 100 }))
    const started = Date.now()
    const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'drip', provider: 'openai', model: 'gpt-4.1-mini' })
    assert.isBelow(Date.now() - started, 5000)
    assert.equal(status, 502)
    assert.match(body.errors[0].message, /took longer than 1\.5 s/)
    assert.equal(body.message.status, 'partial')
    assert.isAbove(body.message.charged_tokens, 0)
    assert.deepEqual(await workspaceOf(account), { balance: 10_000 - body.message.charged_tokens, reserved: 0 })
  }).timeout(20_000)

  test('the sweeper never takes a live turn, however long it has run; its hold goes back once', async ({ assert }) => {
    aiConfig.turnHeartbeatMs = 100
    const account = await apiAccount()
    fakes().openai.enqueue(textScript(Array.from({ length: 30 }, (_, i) => `slow${i}`).join(' '), { delayMs: 80 }))
    const turn = account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'slow', provider: 'openai', model: 'gpt-4.1-mini' })
    let message: any
    for (let i = 0; i < 100 && !message; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      message = await db.from('ai_messages').where({ role: 'assistant', status: 'streaming' }).first()
    }
    assert.exists(message, 'the turn is streaming')
    // As if it had been answering for an hour: the heartbeat says it is alive.
    const hourAgo = dbTime(new Date(Date.now() - 3_600_000))
    await db.from('ai_messages').where('id', message.id).update({ updated_at: hourAgo })
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const row = await db.from('ai_messages').where('id', message.id).first()
      if (row.updated_at !== hourAgo && String(row.updated_at) !== String(new Date(hourAgo))) break
    }
    assert.equal(await new TurnRecoveryService().sweep(), 0, 'a live turn is not swept')
    const { status, body } = await turn
    assert.equal(status, 201)
    assert.equal(body.message.status, 'complete')
    assert.deepEqual(await workspaceOf(account), { balance: 10_000 - body.message.charged_tokens, reserved: 0 })
    assert.equal(await ledgerSum(account), 10_000 - body.message.charged_tokens)
  }).timeout(20_000)

  test('releasing a hold twice, concurrently or after the sweeper, gives it back once', async ({ assert }) => {
    const account = await apiAccount()
    const [session] = await db.table('ai_sessions').insert({ project_id: account.project.id, tokens_used: 0, created_at: dbTime(), updated_at: dbTime() }).returning('id')
    const sessionId = typeof session === 'object' ? session.id : session
    const metering = new MeteringService()
    assert.isTrue(await metering.reserve(account.workspaceId, 700))
    const [row] = await db
      .table('ai_messages')
      .insert({ ai_session_id: sessionId, role: 'assistant', content: '', status: 'streaming', reserved_tokens: 700, created_at: dbTime(new Date(Date.now() - 3_600_000)), updated_at: dbTime(new Date(Date.now() - 3_600_000)) })
      .returning('id')
    const id = typeof row === 'object' ? row.id : row
    await Promise.all([
      db.transaction((trx) => metering.releaseHold(trx, account.workspaceId, id)),
      db.transaction((trx) => metering.releaseHold(trx, account.workspaceId, id)),
      new TurnRecoveryService().sweep(),
    ])
    assert.equal((await workspaceOf(account)).reserved, 0, 'released once: not 700 held, not -700 or -1400')
    assert.equal(Number((await db.from('ai_messages').where('id', id).first()).reserved_tokens), 0)
    // Settling the same turn again charges nothing more (idempotent by turn).
    const settle = () =>
      metering.settle({ workspaceId: account.workspaceId, userId: null, projectId: null, aiMessageId: id, provider: 'openai', model: aiConfig.models.openai[1], inputTokens: 1000, outputTokens: 100 })
    const first = await settle()
    const second = await settle()
    assert.equal(second.appliedTokens, first.appliedTokens)
    assert.lengthOf(await usageEntries(account), 1)
    assert.deepEqual(await workspaceOf(account), { balance: 10_000 - first.appliedTokens, reserved: 0 })
  })
})

test.group('AI metering: NUL and lone surrogates in model answers', (group) => {
  const fakes = useFakeProviders(group, ['openai'])

  for (const provider of ['openai', 'anthropic'] as const) {
    test(`${provider}: they are stripped; the turn completes, applies its changes and is charged`, async ({ assert }) => {
      const account = await apiAccount()
      fakes().useChain(provider)
      fakes()[provider].enqueue({ chunks: ['Here\u0000 you go \uD800', ' <xb-write path="index.html">', '<p>ok\u0000</p>', '</xb-write> \uDFFF done'] })
      const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'build', provider })
      assert.equal(status, 201, JSON.stringify(body))
      assert.equal(body.message.status, 'complete')
      assert.equal(body.message.content, 'Here you go  <xb-write path="index.html"><p>ok</p></xb-write>  done')
      assert.match(body.message.version, /^[0-9a-f]{40}$/)
      assert.equal((await account.json('GET', `/api/v1/projects/${account.project.id}/files/index.html`)).body.content, '<p>ok</p>')
      const stored = await db.from('ai_messages').where('id', body.message.id).first()
      assert.equal(stored.status, 'complete')
      assert.equal((await workspaceOf(account)).reserved, 0)
    })
  }
})
