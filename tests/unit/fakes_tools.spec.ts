import { test } from '@japa/runner'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { FakeAnthropicServer, textScript } from '#tests/fakes/anthropic_server'
import { FakeOpenAIServer } from '#tests/fakes/openai_server'
import { splitIntoChunks, splitToolInput, toolCallScript } from '#tests/fakes/llm_script'

/**
 * Native tool calls ("function calling") of the fakes, held to the real
 * SDKs: streamed calls must reassemble, through the SDKs' own accumulators,
 * to exactly the scripted inputs.
 */

const KEY = 'sk-test-0123456789abcdef'
const ANTHROPIC_MODEL = 'claude-haiku-4-5'
const OPENAI_MODEL = 'gpt-4o-mini'

const WRITE_FILE_INPUT = {
  path: 'src/index.html',
  content: '<!doctype html>\n<h1>Hello — “world” 👋</h1>\n',
}
const RUN_INPUT = { command: 'npm test', timeoutSeconds: 30, env: { CI: true }, args: ['--verbose', null] }

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

test.group('Fake servers | tool scripts', () => {
  test('splitToolInput pieces rebuild the JSON exactly, 3 pieces by default', ({ assert }) => {
    for (const input of [WRITE_FILE_INPUT, RUN_INPUT, {}, { a: 1 }]) {
      const json = JSON.stringify(input)
      assert.equal(splitToolInput(input).join(''), json)
      assert.equal(splitToolInput(input, 4).join(''), json)
      assert.isAtMost(splitToolInput(input).length, 3)
    }
    assert.lengthOf(splitToolInput(WRITE_FILE_INPUT), 3)
    assert.deepEqual(splitToolInput({}), ['{', '}'])
    // Never inside a surrogate pair: each piece is valid text on its own.
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
    for (const piece of splitToolInput({ e: '👋👋👋👋' }, 1)) assert.notMatch(piece, loneSurrogate)
    assert.deepEqual(splitToolInput({ e: '👋' }, 1).slice(6, 8), ['👋', '"'])
  })

  test('toolCallScript: text chunks, then the calls', ({ assert }) => {
    const script = toolCallScript('Let me write it.', [{ name: 'write_file', input: WRITE_FILE_INPUT }])
    assert.deepEqual(script.chunks, ['Let', ' me', ' write', ' it.'])
    assert.deepEqual(script.toolCalls, [{ name: 'write_file', input: WRITE_FILE_INPUT }])
    assert.deepEqual(toolCallScript('', []).chunks, [])
  })
})

test.group('Fake Anthropic server | tool calls', (group) => {
  const fake = new FakeAnthropicServer({ apiKey: KEY })
  const client = () => new Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 })
  group.setup(() => fake.start())
  group.teardown(() => fake.close())
  group.each.setup(() => fake.reset())

  const tools: Anthropic.Tool[] = [
    {
      name: 'write_file',
      description: 'Writes a file of the project.',
      input_schema: {
        type: 'object',
        properties: { path: { type: 'string' }, content: { type: 'string' } },
        required: ['path', 'content'],
      },
    },
    { name: 'run', input_schema: { type: 'object', properties: { command: { type: 'string' } } } },
  ]
  const request = {
    model: ANTHROPIC_MODEL,
    max_tokens: 1024,
    system: 'You build web apps.',
    messages: [{ role: 'user' as const, content: 'Make me a landing page' }],
    tools,
  }

  test('a streamed tool call reassembles from input_json_delta events to the scripted input', async ({
    assert,
  }) => {
    fake.enqueue(toolCallScript('', [{ name: 'write_file', input: WRITE_FILE_INPUT }]))
    const stream = await client().messages.create({ ...request, stream: true })
    const events: Anthropic.RawMessageStreamEvent[] = []
    const json = new Map<number, string>()
    for await (const event of stream) {
      events.push(event)
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
        json.set(event.index, (json.get(event.index) ?? '') + event.delta.partial_json)
      }
    }
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'message_start',
        'content_block_start', // then a ping, which the SDK's stream does not yield
        'content_block_delta', // partial_json: '' first, as the real API sends
        'content_block_delta',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]
    )
    const start = events[1] as Anthropic.RawContentBlockStartEvent
    assert.equal(start.index, 0, 'no empty text block before a tool-only answer')
    assert.deepInclude(start.content_block, { type: 'tool_use', name: 'write_file', input: {} })
    assert.match((start.content_block as Anthropic.ToolUseBlock).id, /^toolu_01[A-Za-z0-9]{22}$/)
    const deltas = events.filter((e) => e.type === 'content_block_delta')
    assert.deepEqual((deltas[0] as Anthropic.RawContentBlockDeltaEvent).delta, {
      type: 'input_json_delta',
      partial_json: '',
    })
    assert.deepEqual(JSON.parse(json.get(0)!), WRITE_FILE_INPUT)

    const messageDelta = events.find((e) => e.type === 'message_delta') as Anthropic.RawMessageDeltaEvent
    assert.equal(messageDelta.delta.stop_reason, 'tool_use')
    assert.equal(messageDelta.usage.output_tokens, 3, 'one token per argument delta')
    assert.deepEqual((fake.requests[0].body as { tools: unknown }).tools, tools, 'tools are recorded')
  })

  test('text then two tool calls: block indices 0, 1, 2 and the stream helper final message', async ({
    assert,
  }) => {
    const text = 'I will write the page, then run the tests.'
    fake.enqueue(
      toolCallScript(text, [
        { name: 'write_file', input: WRITE_FILE_INPUT, id: 'toolu_01scripted' },
        { name: 'run', input: RUN_INPUT },
      ])
    )
    const stream = client().messages.stream(request)
    const starts: Array<[number, string]> = []
    const stops: number[] = []
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_start') starts.push([event.index, event.content_block.type])
      if (event.type === 'content_block_stop') stops.push(event.index)
    })
    const message = await stream.finalMessage()
    assert.deepEqual(starts, [
      [0, 'text'],
      [1, 'tool_use'],
      [2, 'tool_use'],
    ])
    assert.deepEqual(stops, [0, 1, 2])
    assert.equal(message.stop_reason, 'tool_use')
    assert.lengthOf(message.content, 3)
    assert.deepEqual(message.content[0], { type: 'text', text })
    assert.deepInclude(message.content[1], { type: 'tool_use', id: 'toolu_01scripted', name: 'write_file' })
    assert.deepEqual((message.content[1] as Anthropic.ToolUseBlock).input, WRITE_FILE_INPUT)
    assert.deepInclude(message.content[2], { type: 'tool_use', name: 'run' })
    assert.deepEqual((message.content[2] as Anthropic.ToolUseBlock).input, RUN_INPUT)
    assert.notEqual((message.content[2] as Anthropic.ToolUseBlock).id, 'toolu_01scripted')
    // Output tokens: text chunks + argument deltas (3 per call by default).
    assert.equal(message.usage.output_tokens, splitIntoChunks(text).length + 3 + 3)
  })

  test('toolInputChunkSize sets the size of the argument deltas', async ({ assert }) => {
    fake.enqueue(toolCallScript('', [{ name: 'run', input: RUN_INPUT }], { toolInputChunkSize: 5 }))
    const stream = await client().messages.create({ ...request, stream: true })
    const pieces: string[] = []
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
        pieces.push(event.delta.partial_json)
      }
    }
    const json = JSON.stringify(RUN_INPUT)
    assert.deepEqual(pieces.slice(1), splitToolInput(RUN_INPUT, 5))
    assert.lengthOf(pieces, 1 + Math.ceil(json.length / 5))
    assert.equal(pieces.join(''), json)
  })

  test('a non-streaming answer has tool_use blocks after the text', async ({ assert }) => {
    fake.enqueue(toolCallScript('Writing it.', [{ name: 'write_file', input: WRITE_FILE_INPUT, id: 'toolu_01abc' }]))
    const message = await client().messages.create(request)
    assert.deepEqual(message.content, [
      { type: 'text', text: 'Writing it.' } as Anthropic.TextBlock,
      { type: 'tool_use', id: 'toolu_01abc', name: 'write_file', input: WRITE_FILE_INPUT, caller: { type: 'direct' } },
    ])
    assert.equal(message.stop_reason, 'tool_use')
    assert.equal(message.usage.output_tokens, 2 + 3)
  })

  test('a scripted stopReason still wins over tool_use', async ({ assert }) => {
    fake.enqueue(toolCallScript('', [{ name: 'run', input: {} }], { stopReason: 'end_turn' }))
    const message = await client().messages.create(request)
    assert.equal(message.stop_reason, 'end_turn')
  })

  test('max_tokens cutting the arguments: stop_reason max_tokens, partial stream, empty input', async ({
    assert,
  }) => {
    const script = toolCallScript('One two', [{ name: 'write_file', input: WRITE_FILE_INPUT }])
    fake.enqueue(script, script)
    const message = await client().messages.create({ ...request, max_tokens: 3 })
    assert.equal(message.stop_reason, 'max_tokens')
    assert.equal(message.usage.output_tokens, 3)
    assert.deepEqual(message.content[1], {
      type: 'tool_use',
      id: (message.content[1] as Anthropic.ToolUseBlock).id,
      name: 'write_file',
      input: {},
      caller: { type: 'direct' },
    })

    const stream = await client().messages.create({ ...request, max_tokens: 3, stream: true })
    let json = ''
    let stopReason: string | null = null
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
        json += event.delta.partial_json
      }
      if (event.type === 'message_delta') stopReason = event.delta.stop_reason
    }
    assert.equal(stopReason, 'max_tokens')
    assert.equal(json, splitToolInput(WRITE_FILE_INPUT)[0])
  })

  test('failAfterChunks counts argument deltas too', async ({ assert }) => {
    fake.enqueue(toolCallScript('Hi there', [{ name: 'run', input: RUN_INPUT }], { failAfterChunks: 3 }))
    const stream = await client().messages.create({ ...request, stream: true })
    const pieces: string[] = []
    const error = await rejection(
      (async () => {
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
            pieces.push(event.delta.partial_json)
          }
        }
      })()
    )
    assert.instanceOf(error, Error)
    assert.deepEqual(pieces, ['', splitToolInput(RUN_INPUT)[0]])
  })

  test('a script calling an undeclared tool gets 400 invalid_request_error', async ({ assert }) => {
    fake.enqueue(toolCallScript('', [{ name: 'delete_everything', input: {} }]))
    const error = await rejection(client().messages.create({ ...request, stream: true }))
    assert.instanceOf(error, Anthropic.BadRequestError)
    const apiError = error as InstanceType<typeof Anthropic.APIError>
    assert.equal(apiError.type, 'invalid_request_error')
    assert.include(apiError.apiMessage, 'FakeAnthropicServer: misconfigured test')
    assert.include(apiError.apiMessage, "'delete_everything'")
    assert.include(apiError.apiMessage, "'write_file', 'run'")
  })

  test('a script a real model could not play gets 400: {name}')
    .with([
      { name: 'tool calls without tools', params: { tools: undefined }, calls: ['run'] },
      { name: 'tool_choice none', params: { tool_choice: { type: 'none' } }, calls: ['run'] },
      {
        name: 'forced tool, other called',
        params: { tool_choice: { type: 'tool', name: 'run' } },
        calls: ['write_file'],
      },
      { name: 'tool_choice any, no call', params: { tool_choice: { type: 'any' } }, calls: [] },
      {
        name: 'parallel calls disabled',
        params: { tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
        calls: ['run', 'run'],
      },
      {
        name: 'server tool',
        params: { tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
        calls: ['web_search'],
      },
    ])
    .run(async ({ assert }, { params, calls }) => {
      fake.enqueue(toolCallScript('', calls.map((name) => ({ name, input: {} }))))
      const body = { ...request, ...params } as unknown as Anthropic.MessageCreateParamsNonStreaming
      const error = await rejection(client().messages.create(body))
      assert.instanceOf(error, Anthropic.BadRequestError)
      assert.include((error as InstanceType<typeof Anthropic.APIError>).apiMessage, 'misconfigured test')
    })

  test('a malformed tool definition gets 400 invalid_request_error: {name}')
    .with([
      { name: 'no input_schema', tools: [{ name: 'run' }], message: 'tools.0.custom.input_schema: Field required' },
      {
        name: 'input_schema without type',
        tools: [{ name: 'run', input_schema: { properties: {} } }],
        message: 'tools.0.custom.input_schema.type: Field required',
      },
      {
        name: 'input_schema of type string',
        tools: [{ name: 'run', input_schema: { type: 'string' } }],
        message: "tools.0.custom.input_schema.type: Input should be 'object'",
      },
      {
        name: 'no name',
        tools: [{ input_schema: { type: 'object' } }],
        message: 'tools.0.custom.name: Field required',
      },
      {
        name: 'name with a dot',
        tools: [{ name: 'fs.write', input_schema: { type: 'object' } }],
        message: "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
      },
      {
        name: 'OpenAI-style definition',
        tools: [{ type: 'function', function: { name: 'run', parameters: { type: 'object' } } }],
        message: "tools.0: Input tag 'function' found using 'type' does not match any of the expected tags: 'custom', 'bash_20250124',",
      },
      {
        name: 'parameters instead of input_schema',
        tools: [{ name: 'run', parameters: { type: 'object' } }],
        message: 'tools.0.custom.parameters: Extra inputs are not permitted',
      },
      {
        name: 'duplicate names',
        tools: [
          { name: 'run', input_schema: { type: 'object' } },
          { name: 'run', input_schema: { type: 'object' } },
        ],
        message: 'tools: Tool names must be unique.',
      },
    ])
    .run(async ({ assert }, { tools: badTools, message }) => {
      fake.enqueue(textScript('kept for the next valid request'))
      const body = { ...request, tools: badTools } as unknown as Anthropic.MessageCreateParamsNonStreaming
      const error = await rejection(client().messages.create(body))
      assert.instanceOf(error, Anthropic.BadRequestError)
      const apiError = error as InstanceType<typeof Anthropic.APIError>
      assert.equal(apiError.type, 'invalid_request_error')
      assert.isTrue(String(apiError.apiMessage).startsWith(message), String(apiError.apiMessage))
      assert.equal(fake.pendingScripts, 1, 'a rejected request does not use up a script')
    })

  test('on the wire: a ping follows the first block start; tools that are not a list get 400', async ({
    assert,
  }) => {
    const post = (body: object) =>
      fetch(`${fake.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'authorization': `Bearer ${KEY}`,
          'anthropic-version': '2023-06-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      })
    fake.enqueue(toolCallScript('', [{ name: 'run', input: {} }]))
    const sse = await (await post({ ...request, stream: true })).text()
    const events = [...sse.matchAll(/^event: (\w+)$/gm)].map((match) => match[1])
    assert.deepEqual(events.slice(0, 4), ['message_start', 'content_block_start', 'ping', 'content_block_delta'])

    const rejected = await post({ ...request, tools: { name: 'run' } })
    assert.equal(rejected.status, 400)
    assert.deepInclude(await rejected.json(), {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'tools: Input should be a valid list' },
    })
  })

  test('a malformed tool_choice gets 400: {name}')
    .with([
      { name: 'unknown type', choice: { type: 'required' }, message: "Input tag 'required'" },
      { name: 'string', choice: 'auto', message: 'tool_choice: Input should be a valid dictionary' },
      { name: 'tool without name', choice: { type: 'tool' }, message: 'tool_choice.tool.name: Field required' },
      { name: 'undeclared tool', choice: { type: 'tool', name: 'nope' }, message: "Tool 'nope' not found" },
    ])
    .run(async ({ assert }, { choice, message }) => {
      const body = { ...request, tool_choice: choice } as unknown as Anthropic.MessageCreateParamsNonStreaming
      const error = await rejection(client().messages.create(body))
      assert.instanceOf(error, Anthropic.BadRequestError)
      assert.include((error as InstanceType<typeof Anthropic.APIError>).apiMessage, message)
    })

  test('a tool loop: the result of a call is accepted, a missing one gets 400', async ({ assert }) => {
    fake.enqueue(toolCallScript('', [{ name: 'run', input: { command: 'ls' }, id: 'toolu_01one' }]))
    const first = await client().messages.create(request)
    const toolUse = first.content[0] as Anthropic.ToolUseBlock

    fake.enqueue(textScript('Done.'))
    const messages: Anthropic.MessageParam[] = [
      ...request.messages,
      { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'index.html' }] },
    ]
    const second = await client().messages.create({ ...request, messages })
    assert.deepEqual(second.content, [{ type: 'text', text: 'Done.' } as Anthropic.TextBlock])
    // Tool definitions, the call's input and its result count as input.
    const [, recorded] = fake.requests
    const prompt = [
      request.system,
      request.messages[0].content,
      JSON.stringify({ command: 'ls' }),
      'index.html',
      JSON.stringify(tools),
    ].join('\n')
    assert.equal(second.usage.input_tokens, Math.ceil(prompt.length / 4))
    assert.deepEqual((recorded.body as { messages: unknown }).messages, messages)

    const withoutResult: Anthropic.MessageParam[] = [...messages.slice(0, 2), { role: 'user', content: 'go on' }]
    const error = await rejection(client().messages.create({ ...request, messages: withoutResult }))
    assert.instanceOf(error, Anthropic.BadRequestError)
    assert.equal(
      (error as InstanceType<typeof Anthropic.APIError>).apiMessage,
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01one. Each `tool_use` block must have a corresponding `tool_result` block in the next message.'
    )

    const strayResult: Anthropic.MessageParam[] = [
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01nope', content: 'x' }] },
    ]
    const stray = await rejection(client().messages.create({ ...request, messages: strayResult }))
    assert.instanceOf(stray, Anthropic.BadRequestError)
    assert.include((stray as InstanceType<typeof Anthropic.APIError>).apiMessage, 'unexpected `tool_use_id`')
  })
})

test.group('Fake OpenAI server | tool calls', (group) => {
  const fake = new FakeOpenAIServer({ apiKey: KEY })
  const client = () => new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 })
  group.setup(() => fake.start())
  group.teardown(() => fake.close())
  group.each.setup(() => fake.reset())

  const tools: OpenAI.ChatCompletionFunctionTool[] = [
    {
      type: 'function',
      function: {
        name: 'write_file',
        description: 'Writes a file of the project.',
        parameters: {
          type: 'object',
          properties: { path: { type: 'string' }, content: { type: 'string' } },
          required: ['path', 'content'],
        },
      },
    },
    { type: 'function', function: { name: 'run', parameters: { type: 'object', properties: {} } } },
  ]
  const request = {
    model: OPENAI_MODEL,
    messages: [
      { role: 'system' as const, content: 'You build web apps.' },
      { role: 'user' as const, content: 'Make me a landing page' },
    ],
    tools,
  }

  test('streamed tool calls reassemble by index to the scripted arguments', async ({ assert }) => {
    fake.enqueue(
      toolCallScript('', [
        { name: 'write_file', input: WRITE_FILE_INPUT },
        { name: 'run', input: RUN_INPUT, id: 'call_scripted' },
      ])
    )
    const stream = await client().chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    const calls: Array<{ id?: string; type?: string; name?: string; arguments: string }> = []
    let finishReason: string | null = null
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      chunks.push(chunk)
      usage = chunk.usage ?? usage
      const choice = chunk.choices[0]
      if (!choice) continue
      finishReason = choice.finish_reason ?? finishReason
      for (const delta of choice.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { arguments: '' })
        if (delta.id) call.id = delta.id
        if (delta.type) call.type = delta.type
        if (delta.function?.name) call.name = delta.function.name
        call.arguments += delta.function?.arguments ?? ''
      }
    }
    assert.lengthOf(calls, 2)
    assert.match(calls[0].id!, /^call_[A-Za-z0-9]{24}$/)
    assert.deepInclude(calls[0], { type: 'function', name: 'write_file' })
    assert.deepEqual(JSON.parse(calls[0].arguments), WRITE_FILE_INPUT)
    assert.deepInclude(calls[1], { id: 'call_scripted', type: 'function', name: 'run' })
    assert.deepEqual(JSON.parse(calls[1].arguments), RUN_INPUT)
    assert.equal(finishReason, 'tool_calls')
    assert.equal(usage?.completion_tokens, 6, 'one token per argument delta')

    // Wire shapes: the role chunk opens the first call (content null), the
    // second call is opened by its own chunk, pieces carry index + arguments only.
    assert.deepEqual(chunks[0].choices[0].delta, {
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: calls[0].id, type: 'function', function: { name: 'write_file', arguments: '' } }],
      refusal: null,
    })
    assert.deepEqual(chunks[1].choices[0].delta, {
      tool_calls: [{ index: 0, function: { arguments: splitToolInput(WRITE_FILE_INPUT)[0] } }],
    })
    assert.deepEqual(chunks[4].choices[0].delta, {
      tool_calls: [{ index: 1, id: 'call_scripted', type: 'function', function: { name: 'run', arguments: '' } }],
    })
    assert.deepEqual(chunks.at(-2)!.choices[0], { index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' })
  })

  test("text then a tool call, through the SDK's stream helper", async ({ assert }) => {
    const text = 'Writing the page now.'
    fake.enqueue(toolCallScript(text, [{ name: 'write_file', input: WRITE_FILE_INPUT }], { toolInputChunkSize: 7 }))
    const runner = client().chat.completions.stream({ ...request, stream_options: { include_usage: true } })
    const argumentDeltas: string[] = []
    runner.on('tool_calls.function.arguments.delta', (event) => argumentDeltas.push(event.arguments_delta))
    const completion = await runner.finalChatCompletion()
    const choice = completion.choices[0]
    assert.equal(choice.finish_reason, 'tool_calls')
    assert.equal(choice.message.content, text)
    assert.lengthOf(choice.message.tool_calls!, 1)
    const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall
    assert.equal(call.type, 'function')
    assert.equal(call.function.name, 'write_file')
    assert.deepEqual(JSON.parse(call.function.arguments), WRITE_FILE_INPUT)
    assert.match(call.id, /^call_/)
    const pieces = splitToolInput(WRITE_FILE_INPUT, 7)
    assert.deepEqual(argumentDeltas, ['', ...pieces])
    assert.equal(completion.usage?.completion_tokens, splitIntoChunks(text).length + pieces.length)
  })

  test('a non-streaming answer has message.tool_calls and null content', async ({ assert }) => {
    fake.enqueue(toolCallScript('', [{ name: 'run', input: RUN_INPUT, id: 'call_abc' }]))
    const completion = await client().chat.completions.create(request)
    const choice = completion.choices[0]
    assert.equal(choice.finish_reason, 'tool_calls')
    assert.isNull(choice.message.content)
    assert.deepEqual(choice.message.tool_calls, [
      { id: 'call_abc', type: 'function', function: { name: 'run', arguments: JSON.stringify(RUN_INPUT) } },
    ])
    assert.equal(completion.usage?.completion_tokens, 3)
  })

  test('a call forced by a named tool_choice finishes with stop, as the real API does', async ({ assert }) => {
    fake.enqueue(toolCallScript('', [{ name: 'run', input: {} }]))
    const completion = await client().chat.completions.create({
      ...request,
      tool_choice: { type: 'function', function: { name: 'run' } },
    })
    assert.equal(completion.choices[0].finish_reason, 'stop')
    assert.lengthOf(completion.choices[0].message.tool_calls!, 1)
  })

  test('max_completion_tokens cutting the arguments: finish_reason length, partial arguments', async ({
    assert,
  }) => {
    fake.enqueue(toolCallScript('', [{ name: 'write_file', input: WRITE_FILE_INPUT }]))
    const completion = await client().chat.completions.create({ ...request, max_completion_tokens: 2 })
    const choice = completion.choices[0]
    assert.equal(choice.finish_reason, 'length')
    const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall
    assert.equal(call.function.arguments, splitToolInput(WRITE_FILE_INPUT).slice(0, 2).join(''))
  })

  test('a script calling an undeclared tool gets 400 invalid_request_error', async ({ assert }) => {
    fake.enqueue(toolCallScript('', [{ name: 'delete_everything', input: {} }]))
    const error = await rejection(client().chat.completions.create({ ...request, stream: true }))
    assert.instanceOf(error, OpenAI.BadRequestError)
    const apiError = error as InstanceType<typeof OpenAI.APIError>
    assert.equal(apiError.type, 'invalid_request_error')
    assert.include(apiError.message, 'FakeOpenAIServer: misconfigured test')
    assert.include(apiError.message, "'delete_everything'")
  })

  test('a script a real model could not play gets 400: {name}')
    .with([
      { name: 'tool calls without tools', params: { tools: undefined }, calls: ['run'] },
      { name: "tool_choice 'none'", params: { tool_choice: 'none' }, calls: ['run'] },
      { name: "tool_choice 'required', no call", params: { tool_choice: 'required' }, calls: [] },
      { name: 'parallel_tool_calls false', params: { parallel_tool_calls: false }, calls: ['run', 'run'] },
      {
        name: 'call outside allowed_tools',
        params: {
          tool_choice: {
            type: 'allowed_tools',
            allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'run' } }] },
          },
        },
        calls: ['write_file'],
      },
      {
        name: 'custom tool',
        params: { tools: [{ type: 'custom', custom: { name: 'apply_patch' } }] },
        calls: ['apply_patch'],
      },
    ])
    .run(async ({ assert }, { params, calls }) => {
      fake.enqueue(toolCallScript('', calls.map((name) => ({ name, input: {} }))))
      const body = { ...request, ...params } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming
      const error = await rejection(client().chat.completions.create(body))
      assert.instanceOf(error, OpenAI.BadRequestError)
      assert.include((error as InstanceType<typeof OpenAI.APIError>).message, 'misconfigured test')
    })

  test('a malformed tools / tool_choice gets 400 invalid_request_error: {name}')
    .with([
      { name: 'empty tools', params: { tools: [] }, param: 'tools', code: 'empty_array' },
      { name: 'tools not a list', params: { tools: { type: 'function' } }, param: 'tools', code: 'invalid_type' },
      {
        name: 'no type',
        params: { tools: [{ function: { name: 'run' } }] },
        param: 'tools[0].type',
        code: 'missing_required_parameter',
      },
      {
        name: 'bad type',
        params: { tools: [{ type: 'tool', function: { name: 'run' } }] },
        param: 'tools[0].type',
        code: 'invalid_value',
      },
      {
        name: 'Anthropic-style definition',
        params: { tools: [{ type: 'function', name: 'run', input_schema: { type: 'object' } }] },
        param: 'tools[0].function',
        code: 'missing_required_parameter',
      },
      {
        name: 'name with a dot',
        params: { tools: [{ type: 'function', function: { name: 'fs.write' } }] },
        param: 'tools[0].function.name',
        code: 'invalid_value',
      },
      {
        name: 'name too long',
        params: { tools: [{ type: 'function', function: { name: 'x'.repeat(65) } }] },
        param: 'tools[0].function.name',
        code: 'string_above_max_length',
      },
      {
        name: 'parameters of type string',
        params: { tools: [{ type: 'function', function: { name: 'run', parameters: { type: 'string' } } }] },
        param: 'tools[0].function.parameters',
        code: 'invalid_function_parameters',
      },
      {
        name: 'tool_choice without tools',
        params: { tools: undefined, tool_choice: 'auto' },
        param: 'tool_choice',
        code: null,
      },
      {
        name: 'parallel_tool_calls without tools',
        params: { tools: undefined, parallel_tool_calls: true },
        param: 'parallel_tool_calls',
        code: null,
      },
      { name: 'tool_choice unknown mode', params: { tool_choice: 'any' }, param: 'tool_choice', code: 'invalid_value' },
      {
        name: 'tool_choice names an undeclared function',
        params: { tool_choice: { type: 'function', function: { name: 'nope' } } },
        param: 'tool_choice',
        code: 'invalid_value',
      },
    ])
    .run(async ({ assert }, { params, param, code }) => {
      fake.enqueue(textScript('kept for the next valid request'))
      const body = { ...request, ...params } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming
      const error = await rejection(client().chat.completions.create(body))
      assert.instanceOf(error, OpenAI.BadRequestError)
      const apiError = error as InstanceType<typeof OpenAI.APIError>
      assert.equal(apiError.type, 'invalid_request_error')
      assert.equal(apiError.param, param)
      assert.equal(apiError.code, code)
      assert.equal(fake.pendingScripts, 1, 'a rejected request does not use up a script')
    })

  test('the real messages of two malformed tool definitions', async ({ assert }) => {
    const message = async (params: object) => {
      const body = { ...request, ...params } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming
      return (await rejection(client().chat.completions.create(body)) as InstanceType<typeof OpenAI.APIError>).error
    }
    assert.deepInclude(await message({ tools: [{ type: 'function', function: { name: 'a b' } }] }), {
      message:
        "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
    })
    assert.deepInclude(await message({ tools: undefined, tool_choice: 'required' }), {
      message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
    })
  })

  test('a tool loop: tool messages answering the calls are accepted, a missing one gets 400', async ({
    assert,
  }) => {
    fake.enqueue(toolCallScript('', [{ name: 'run', input: { command: 'ls' }, id: 'call_one' }]))
    const first = await client().chat.completions.create(request)
    const assistant = first.choices[0].message

    fake.enqueue(textScript('Done.'))
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      ...request.messages,
      { role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls },
      { role: 'tool', tool_call_id: 'call_one', content: 'index.html' },
    ]
    const second = await client().chat.completions.create({ ...request, messages })
    assert.equal(second.choices[0].message.content, 'Done.')
    const prompt = [
      request.messages[0].content,
      request.messages[1].content,
      JSON.stringify({ command: 'ls' }),
      'index.html',
      JSON.stringify(tools),
    ].join('\n')
    assert.equal(second.usage?.prompt_tokens, Math.ceil(prompt.length / 4))

    const unanswered = [...messages.slice(0, 3), { role: 'user' as const, content: 'go on' }]
    const error = await rejection(client().chat.completions.create({ ...request, messages: unanswered }))
    assert.instanceOf(error, OpenAI.BadRequestError)
    assert.equal(
      ((error as InstanceType<typeof OpenAI.APIError>).error as { message: string }).message,
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_one"
    )

    const wrongId = [...messages, { role: 'tool' as const, tool_call_id: 'call_two', content: 'x' }]
    const stray = await rejection(client().chat.completions.create({ ...request, messages: wrongId }))
    assert.instanceOf(stray, OpenAI.BadRequestError)
    assert.equal((stray as InstanceType<typeof OpenAI.APIError>).param, 'messages.[4].tool_call_id')

    const orphan = [...request.messages, { role: 'tool' as const, tool_call_id: 'call_one', content: 'x' }]
    const orphanError = await rejection(client().chat.completions.create({ ...request, messages: orphan }))
    assert.instanceOf(orphanError, OpenAI.BadRequestError)
    assert.equal(
      ((orphanError as InstanceType<typeof OpenAI.APIError>).error as { message: string }).message,
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
    )

    const objectArguments = [
      ...request.messages,
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_one', type: 'function', function: { name: 'run', arguments: { command: 'ls' } } }],
      },
      { role: 'tool', tool_call_id: 'call_one', content: 'index.html' },
    ] as unknown as OpenAI.ChatCompletionMessageParam[]
    const badArgs = await rejection(client().chat.completions.create({ ...request, messages: objectArguments }))
    assert.instanceOf(badArgs, OpenAI.BadRequestError)
    assert.equal(
      (badArgs as InstanceType<typeof OpenAI.APIError>).param,
      'messages[2].tool_calls[0].function.arguments'
    )
  })
})
