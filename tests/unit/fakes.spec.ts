import { test } from '@japa/runner'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { FakeAnthropicServer, textScript } from '#tests/fakes/anthropic_server'
import { FakeOpenAIServer } from '#tests/fakes/openai_server'
import { splitIntoChunks } from '#tests/fakes/llm_script'

/**
 * These tests hold the fakes to the real SDKs: whatever the SDKs accept from
 * a fake, they accept from the real service, so the AI gateway's tests can
 * rely on them.
 */

const KEY = 'sk-test-0123456789abcdef'
const ANTHROPIC_MODEL = 'claude-haiku-4-5'
const OPENAI_MODEL = 'gpt-4o-mini'
const ANSWER = 'Here is a small landing page, with a header and a contact form.'

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

test.group('Fake servers | scripts', () => {
  test('textScript chunks rebuild the text exactly', ({ assert }) => {
    for (const text of [ANSWER, '  leading and trailing  ', 'one', '', 'line\nbreaks\n\n']) {
      assert.equal(splitIntoChunks(text).join(''), text)
    }
    assert.deepEqual(textScript('Hello big world').chunks, ['Hello', ' big', ' world'])
  })
})

test.group('Fake Anthropic server', (group) => {
  const fake = new FakeAnthropicServer({ apiKey: KEY })
  const client = () => new Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 })
  group.setup(() => fake.start())
  group.teardown(() => fake.close())
  group.each.setup(() => fake.reset())

  const request = {
    model: ANTHROPIC_MODEL,
    max_tokens: 1024,
    system: 'You build web apps.',
    messages: [{ role: 'user' as const, content: 'Make me a landing page' }],
  }

  test('a stream reassembles to the scripted text, with both usage numbers', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER, { inputTokens: 42 }))
    const stream = await client().messages.create({ ...request, stream: true })
    const types: string[] = []
    let text = ''
    let inputTokens = 0
    let outputTokens = 0
    let stopReason: string | null = null
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'message_start') inputTokens = event.message.usage.input_tokens
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
      if (event.type === 'message_delta') {
        outputTokens = event.usage.output_tokens
        stopReason = event.delta.stop_reason
      }
    }
    assert.equal(text, ANSWER)
    assert.equal(inputTokens, 42)
    assert.equal(outputTokens, splitIntoChunks(ANSWER).length)
    assert.equal(stopReason, 'end_turn')
    assert.deepEqual(types.slice(0, 2), ['message_start', 'content_block_start'])
    assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop'])

    const [recorded] = fake.requests
    assert.equal(recorded.path, '/v1/messages')
    // SDK 1.x sends the key as a bearer token with API version 2026-10-21.
    assert.equal(recorded.headers.authorization, `Bearer ${KEY}`)
    assert.match(String(recorded.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/)
    assert.deepInclude(recorded.body as object, { model: ANTHROPIC_MODEL, stream: true })
  })

  test("the SDK's stream helper accumulates the final message", async ({ assert }) => {
    fake.enqueue(textScript('Short answer.', { outputTokens: 7 }))
    const message = await client().messages.stream(request).finalMessage()
    assert.deepEqual(message.content, [{ type: 'text', text: 'Short answer.' }])
    assert.equal(message.usage.output_tokens, 7)
    // Default input estimate: ceil(chars of system + messages / 4).
    const prompt = `${request.system}\n${request.messages[0].content}`
    assert.equal(message.usage.input_tokens, Math.ceil(prompt.length / 4))
  })

  test('a non-streaming request answers a Message', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER, { inputTokens: 10, outputTokens: 20 }))
    const message = await client().messages.create(request)
    assert.equal(message.type, 'message')
    assert.equal(message.role, 'assistant')
    assert.match(message.id, /^msg_/)
    assert.deepEqual(message.content, [{ type: 'text', text: ANSWER }])
    assert.equal(message.stop_reason, 'end_turn')
    assert.include(message.usage, { input_tokens: 10, output_tokens: 20 })
  })

  test('max_tokens cuts the answer short with stop_reason max_tokens', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER))
    const message = await client().messages.create({ ...request, max_tokens: 3 })
    assert.equal(message.content[0].type === 'text' && message.content[0].text, 'Here is a')
    assert.equal(message.stop_reason, 'max_tokens')
    assert.equal(message.usage.output_tokens, 3)
  })

  test('a scripted {status} before the first token is the SDK APIError with that status')
    .with([
      { status: 429, type: 'rate_limit_error', errorClass: Anthropic.RateLimitError },
      { status: 500, type: 'api_error', errorClass: Anthropic.InternalServerError },
      { status: 529, type: 'overloaded_error', errorClass: Anthropic.InternalServerError },
    ])
    .run(async ({ assert }, { status, type, errorClass }) => {
      fake.enqueue({ chunks: ['never'], failBeforeFirstToken: { status, type, message: `scripted ${type}` } })
      const error = await rejection(client().messages.create({ ...request, stream: true }))
      assert.instanceOf(error, errorClass)
      const apiError = error as InstanceType<typeof Anthropic.APIError>
      assert.equal(apiError.status, status)
      assert.equal(apiError.type, type)
      assert.equal(apiError.apiMessage, `scripted ${type}`)
      assert.match(String(apiError.requestID), /^req_/)
      if (status === 429) assert.equal(apiError.headers?.get('retry-after'), '1')
      assert.equal(fake.requests.length, 1, 'maxRetries: 0, no retry')
    })

  test('a stream that dies mid-way throws after yielding the first chunks', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER, { failAfterChunks: 3 }))
    const stream = await client().messages.create({ ...request, stream: true })
    const texts: string[] = []
    const error = await rejection(
      (async () => {
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') texts.push(event.delta.text)
        }
      })()
    )
    assert.deepEqual(texts, splitIntoChunks(ANSWER).slice(0, 3))
    assert.instanceOf(error, Error)
    assert.notInstanceOf(error, Anthropic.APIError, 'a network failure, not an API answer')
  })

  test('an in-stream error event surfaces as an APIError of its type', async ({ assert }) => {
    fake.enqueue(
      textScript(ANSWER, { streamError: { afterChunks: 2, type: 'overloaded_error', message: 'Overloaded' } })
    )
    const stream = await client().messages.create({ ...request, stream: true })
    let text = ''
    const error = await rejection(
      (async () => {
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
        }
      })()
    )
    assert.equal(text, 'Here is')
    assert.instanceOf(error, Anthropic.APIError)
    assert.equal((error as InstanceType<typeof Anthropic.APIError>).type, 'overloaded_error')
  })

  test('delays are played: firstTokenDelayMs before the first delta', async ({ assert }) => {
    fake.enqueue(textScript('a b', { firstTokenDelayMs: 150 }))
    const started = Date.now()
    const stream = await client().messages.create({ ...request, stream: true })
    const headersAfter = Date.now() - started
    for await (const event of stream) {
      if (event.type === 'content_block_delta') break
    }
    assert.isBelow(headersAfter, 150, 'headers and message_start come at once')
    assert.isAtLeast(Date.now() - started, 140)
  })

  test('a client that aborts is recorded as disconnected', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER, { delayMs: 50 }))
    const stream = await client().messages.create({ ...request, stream: true })
    for await (const event of stream) {
      if (event.type === 'content_block_delta') break // the SDK aborts the request
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.isTrue(fake.requests[0].clientDisconnected)
  })

  test('a wrong key gets 401 authentication_error', async ({ assert }) => {
    const wrong = new Anthropic({ apiKey: 'wrong', baseURL: fake.url, maxRetries: 0 })
    const error = await rejection(wrong.messages.create(request))
    assert.instanceOf(error, Anthropic.AuthenticationError)
    assert.equal((error as InstanceType<typeof Anthropic.APIError>).type, 'authentication_error')
  })

  test('the x-api-key header of API version 2023-06-01 is accepted too', async ({ assert }) => {
    const send = (key: string) =>
      fetch(`${fake.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify(request),
      })
    assert.equal((await send(KEY)).status, 200)
    const rejected = await send('wrong')
    assert.equal(rejected.status, 401)
    assert.deepInclude(await rejected.json(), {
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    })
  })

  test('a missing anthropic-version header gets 400', async ({ assert }) => {
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    })
    assert.equal(response.status, 400)
    assert.deepInclude(await response.json(), {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    })
  })

  test('a bad body gets 400 invalid_request_error: {name}')
    .with([
      { name: 'no messages', body: { ...request, messages: [] } },
      { name: 'max_tokens 0', body: { ...request, max_tokens: 0 } },
      { name: 'bad role', body: { ...request, messages: [{ role: 'tool', content: 'x' }] } },
      { name: 'system message with an image', body: { ...request, messages: [{ role: 'system', content: [{ type: 'image' }] }] } },
      { name: 'empty content', body: { ...request, messages: [{ role: 'user', content: '' }] } },
      { name: 'unknown field', body: { ...request, temprature: 0.5 } },
      { name: 'no model', body: { max_tokens: 10, messages: request.messages } },
    ])
    .run(async ({ assert }, { body }) => {
      fake.enqueue(textScript('kept for the next valid request'))
      const params = body as unknown as Anthropic.MessageCreateParamsNonStreaming
      const error = await rejection(client().messages.create(params))
      assert.instanceOf(error, Anthropic.BadRequestError)
      assert.equal((error as InstanceType<typeof Anthropic.APIError>).type, 'invalid_request_error')
      assert.equal(fake.pendingScripts, 1, 'a rejected request does not use up a script')
    })

  test('an unknown model gets 404 not_found_error', async ({ assert }) => {
    const error = await rejection(client().messages.create({ ...request, model: 'claude-opus-4-1' }))
    assert.instanceOf(error, Anthropic.NotFoundError)
  })

  test('queued scripts play in order, then the default', async ({ assert }) => {
    fake.enqueue(textScript('first'), textScript('second')).setDefault(textScript('default'))
    const texts: string[] = []
    for (let i = 0; i < 3; i++) {
      const message = await client().messages.create(request)
      texts.push(message.content[0].type === 'text' ? message.content[0].text : '')
    }
    assert.deepEqual(texts, ['first', 'second', 'default'])
  })
})

test.group('Fake OpenAI server', (group) => {
  const fake = new FakeOpenAIServer({ apiKey: KEY })
  const client = () => new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 })
  group.setup(() => fake.start())
  group.teardown(() => fake.close())
  group.each.setup(() => fake.reset())

  const request = {
    model: OPENAI_MODEL,
    messages: [
      { role: 'system' as const, content: 'You build web apps.' },
      { role: 'user' as const, content: 'Make me a landing page' },
    ],
  }

  test('a stream reassembles to the scripted text, with include_usage', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER, { inputTokens: 42 }))
    const stream = await client().chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let role: string | undefined
    let finishReason: string | null = null
    let usage: OpenAI.CompletionUsage | null | undefined
    let chunksAfterUsage = 0
    for await (const chunk of stream) {
      if (usage) chunksAfterUsage++
      const choice = chunk.choices[0]
      role ??= choice?.delta.role
      text += choice?.delta.content ?? ''
      finishReason = choice?.finish_reason ?? finishReason
      if (chunk.usage) {
        assert.lengthOf(chunk.choices, 0, 'the usage chunk has no choices')
        usage = chunk.usage
      } else {
        assert.isNull(chunk.usage, 'other chunks carry usage: null')
      }
    }
    assert.equal(text, ANSWER)
    assert.equal(role, 'assistant')
    assert.equal(finishReason, 'stop')
    const outputTokens = splitIntoChunks(ANSWER).length
    assert.deepInclude(usage!, { prompt_tokens: 42, completion_tokens: outputTokens, total_tokens: 42 + outputTokens })
    assert.equal(chunksAfterUsage, 0, 'usage comes last, before [DONE]')

    const [recorded] = fake.requests
    assert.equal(recorded.path, '/v1/chat/completions')
    assert.equal(recorded.headers.authorization, `Bearer ${KEY}`)
  })

  test('without include_usage the stream has no usage chunk', async ({ assert }) => {
    fake.enqueue(textScript('Hello there'))
    const stream = await client().chat.completions.create({ ...request, stream: true })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    assert.isTrue(chunks.every((chunk) => chunk.choices.length === 1 && !('usage' in chunk)))
  })

  test("the SDK's stream helper accumulates the final completion", async ({ assert }) => {
    fake.enqueue(textScript('Short answer.', { inputTokens: 5, outputTokens: 7 }))
    const runner = client().chat.completions.stream({ ...request, stream_options: { include_usage: true } })
    const completion = await runner.finalChatCompletion()
    assert.equal(completion.choices[0].message.content, 'Short answer.')
    assert.deepInclude(completion.usage!, { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 })
  })

  test('a non-streaming request answers a chat.completion with usage', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER))
    const completion = await client().chat.completions.create(request)
    assert.equal(completion.object, 'chat.completion')
    assert.match(completion.id, /^chatcmpl-/)
    assert.equal(completion.choices[0].message.content, ANSWER)
    assert.equal(completion.choices[0].finish_reason, 'stop')
    const prompt = request.messages.map((m) => m.content).join('\n')
    assert.equal(completion.usage?.prompt_tokens, Math.ceil(prompt.length / 4))
    assert.equal(completion.usage?.completion_tokens, splitIntoChunks(ANSWER).length)
  })

  test('max_completion_tokens cuts the answer with finish_reason length', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER))
    const completion = await client().chat.completions.create({ ...request, max_completion_tokens: 2 })
    assert.equal(completion.choices[0].message.content, 'Here is')
    assert.equal(completion.choices[0].finish_reason, 'length')
  })

  test('a scripted {status} before the first token is the SDK APIError with that status')
    .with([
      { status: 429, type: 'requests', code: 'rate_limit_exceeded', errorClass: OpenAI.RateLimitError },
      { status: 500, type: 'server_error', code: undefined, errorClass: OpenAI.InternalServerError },
    ])
    .run(async ({ assert }, { status, type, code, errorClass }) => {
      fake.enqueue({ chunks: ['never'], failBeforeFirstToken: { status, type, code, message: `scripted ${type}` } })
      const error = await rejection(client().chat.completions.create({ ...request, stream: true }))
      assert.instanceOf(error, errorClass)
      const apiError = error as InstanceType<typeof OpenAI.APIError>
      assert.equal(apiError.status, status)
      assert.equal(apiError.type, type)
      assert.equal(apiError.code, code ?? null)
      assert.match(String(apiError.requestID), /^req_/)
      if (status === 429) assert.equal(apiError.headers?.get('retry-after'), '1')
      assert.equal(fake.requests.length, 1, 'maxRetries: 0, no retry')
    })

  test('a stream that dies mid-way throws after yielding the first chunks', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER, { failAfterChunks: 3 }))
    const stream = await client().chat.completions.create({ ...request, stream: true })
    const texts: string[] = []
    const error = await rejection(
      (async () => {
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta.content
          if (content) texts.push(content)
        }
      })()
    )
    assert.deepEqual(texts, splitIntoChunks(ANSWER).slice(0, 3))
    assert.instanceOf(error, Error)
    assert.notInstanceOf(error, OpenAI.APIError, 'a network failure, not an API answer')
  })

  test('an in-stream error surfaces as an APIError', async ({ assert }) => {
    fake.enqueue(textScript(ANSWER, { streamError: { afterChunks: 1, type: 'server_error', message: 'boom' } }))
    const stream = await client().chat.completions.create({ ...request, stream: true })
    const error = await rejection(
      (async () => {
        for await (const _chunk of stream);
      })()
    )
    assert.instanceOf(error, OpenAI.APIError)
    assert.equal((error as InstanceType<typeof OpenAI.APIError>).type, 'server_error')
  })

  test('a wrong key gets 401 invalid_api_key', async ({ assert }) => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-1234', baseURL: fake.url, maxRetries: 0 })
    const error = await rejection(wrong.chat.completions.create(request))
    assert.instanceOf(error, OpenAI.AuthenticationError)
    const apiError = error as InstanceType<typeof OpenAI.APIError>
    assert.equal(apiError.code, 'invalid_api_key')
    assert.equal(apiError.type, 'invalid_request_error')
    assert.notInclude(apiError.message, 'sk-wrong-key-1234', 'the key is masked')
  })

  test('a bad body gets 400 invalid_request_error: {name}')
    .with([
      { name: 'no messages', body: { ...request, messages: [] }, param: 'messages' },
      { name: 'bad role', body: { ...request, messages: [{ role: 'bot', content: 'x' }] }, param: 'messages[0].role' },
      { name: 'stream_options without stream', body: { ...request, stream_options: { include_usage: true } }, param: 'stream_options' },
      { name: 'max_tokens 0', body: { ...request, max_tokens: 0 }, param: 'max_tokens' },
      { name: 'unknown field', body: { ...request, temprature: 0.5 }, param: null },
      { name: 'no model', body: { messages: request.messages }, param: null },
    ])
    .run(async ({ assert }, { body, param }) => {
      const params = body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming
      const error = await rejection(client().chat.completions.create(params))
      assert.instanceOf(error, OpenAI.BadRequestError)
      const apiError = error as InstanceType<typeof OpenAI.APIError>
      assert.equal(apiError.type, 'invalid_request_error')
      assert.equal(apiError.param, param)
    })

  test('an unknown model gets 404 model_not_found', async ({ assert }) => {
    const error = await rejection(client().chat.completions.create({ ...request, model: 'gpt-nope' }))
    assert.instanceOf(error, OpenAI.NotFoundError)
    assert.equal((error as InstanceType<typeof OpenAI.APIError>).code, 'model_not_found')
  })

  test('GET /v1/models lists the configured models', async ({ assert }) => {
    const custom = new FakeOpenAIServer({ apiKey: KEY, models: ['llama3.1:8b', 'qwen2.5-coder:7b'] })
    await custom.start()
    try {
      const sdk = new OpenAI({ apiKey: KEY, baseURL: custom.url, maxRetries: 0 })
      const ids = []
      for await (const model of sdk.models.list()) {
        assert.equal(model.object, 'model')
        assert.isNumber(model.created)
        assert.isString(model.owned_by)
        ids.push(model.id)
      }
      assert.deepEqual(ids, ['llama3.1:8b', 'qwen2.5-coder:7b'])
      assert.equal((await sdk.models.retrieve('llama3.1:8b')).id, 'llama3.1:8b')
    } finally {
      await custom.close()
    }
  })
})
