import type { OutgoingHttpHeaders } from 'node:http'
import {
  Exchange,
  FakeLlmServer,
  generationTime,
  headerValue,
  isObject,
  planOutput,
  randomId,
  retryHeaders,
  toolScriptProblem,
  type FakeLlmServerOptions,
  type PlannedToolCall,
  type ToolPolicy,
} from './fake_llm_server.js'
import { estimateTokens, type LlmScript } from './llm_script.js'

export type { RecordedRequest, FakeLlmServerOptions } from './fake_llm_server.js'
export { textScript, toolCallScript, splitIntoChunks, splitToolInput, estimateTokens } from './llm_script.js'
export type {
  LlmScript,
  ScriptOptions,
  ScriptedHttpError,
  ScriptedStreamError,
  ScriptedToolCall,
} from './llm_script.js'

/**
 * The model ids of the installed SDK's `Model` type (@anthropic-ai/sdk
 * 1.13.0): what the real API knows. Retired ids (claude-opus-4-1…) answer 404,
 * as they do for real. Tests with other ids pass `models`.
 */
export const ANTHROPIC_MODELS = [
  'claude-opus-5-5',
  'claude-sonnet-5-5',
  'claude-haiku-5-5',
  'claude-opus-5',
  'claude-sonnet-5',
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-5',
  'claude-opus-4-5-20251101',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
]

/**
 * The top-level body fields of `messages.create` in the installed SDK.
 * The real API rejects any other field ("Extra inputs are not permitted");
 * so does the fake, so a typo or a field the API dropped (temperature is no
 * longer in the SDK) cannot pass unnoticed.
 */
const BODY_FIELDS = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'stream',
  'metadata',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'service_tier',
  'speed',
  'inference_geo',
  'container',
  'cache_control',
  'diagnostics',
])

/** HTTP status of each Anthropic error type, for errors the fake derives from a type. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
}

/**
 * A local stand-in for the Anthropic Messages API (POST /v1/messages), close
 * enough to the wire format for the real `@anthropic-ai/sdk` to be pointed
 * at it with `baseURL: fake.url`.
 */
export class FakeAnthropicServer extends FakeLlmServer {
  constructor(options: FakeLlmServerOptions = {}) {
    super(options, ANTHROPIC_MODELS)
  }

  /** `http://127.0.0.1:PORT`: the SDK appends `/v1/messages` itself. */
  get url(): string {
    return this.origin
  }

  protected async handle(exchange: Exchange, rawBody: string): Promise<void> {
    const { req } = exchange
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return sendError(exchange, 404, 'not_found_error', 'Not Found')
    }

    // API version 2023-06-01 clients send the key as `x-api-key`; SDK 1.x
    // (API version 2026-10-21) sends it as `Authorization: Bearer <key>`.
    const authorization = headerValue(req.headers, 'authorization')
    const apiKey =
      headerValue(req.headers, 'x-api-key') ??
      (authorization && /^Bearer\s/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '') : undefined)
    if (!apiKey) {
      return sendError(exchange, 401, 'authentication_error', 'x-api-key or authorization header is required')
    }
    if (apiKey !== this.apiKey) {
      const header = headerValue(req.headers, 'x-api-key') ? 'x-api-key' : 'authorization header'
      return sendError(exchange, 401, 'authentication_error', `invalid ${header}`)
    }
    const version = headerValue(req.headers, 'anthropic-version')
    if (!version) {
      return sendError(exchange, 400, 'invalid_request_error', 'anthropic-version: header is required')
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
      return sendError(exchange, 400, 'invalid_request_error', `anthropic-version: invalid version ${version}`)
    }

    let body: unknown
    try {
      body = JSON.parse(rawBody)
    } catch (error) {
      return sendError(
        exchange,
        400,
        'invalid_request_error',
        `There was an issue with the request body: ${(error as Error).message}`
      )
    }
    const invalid = validateBody(body)
    if (invalid) return sendError(exchange, 400, 'invalid_request_error', invalid)
    const request = body as MessagesRequest
    if (!this.models.includes(request.model)) {
      return sendError(exchange, 404, 'not_found_error', `model: ${request.model}`)
    }

    const script = this.takeScript()
    if (script.failBeforeFirstToken) {
      const failure = script.failBeforeFirstToken
      await exchange.sleep(script.firstTokenDelayMs)
      return sendError(exchange, failure.status, failure.type, failure.message, retryHeaders(failure))
    }
    const misconfigured = toolScriptProblem(script, toolPolicy(request))
    if (misconfigured) {
      const message = `FakeAnthropicServer: misconfigured test: ${misconfigured}`
      return sendError(exchange, 400, 'invalid_request_error', message)
    }

    const turn = planTurn(script, request)
    if (request.stream === true) return streamTurn(exchange, script, turn)
    return answerTurn(exchange, script, turn)
  }
}

/** The request fields the fake reads, once validated. */
interface MessagesRequest {
  model: string
  max_tokens: number
  messages: Array<{ role: 'user' | 'assistant' | 'system'; content: string | Array<Record<string, unknown>> }>
  system?: string | Array<{ type: 'text'; text: string }>
  stream?: boolean
  tools?: Array<Record<string, unknown>>
  tool_choice?: { type: 'auto' | 'any' | 'tool' | 'none'; name?: string; disable_parallel_tool_use?: boolean }
}

/** What one scripted completion will produce. */
interface Turn {
  id: string
  model: string
  chunks: string[]
  toolCalls: PlannedToolCall[]
  /** Deltas played (text chunks + tool argument pieces), for the timing of non-streaming answers. */
  deltas: number
  inputTokens: number
  outputTokens: number
  stopReason: string
}

function planTurn(script: LlmScript, request: MessagesRequest): Turn {
  const output = planOutput(script, request.max_tokens, () => `toolu_01${randomId(22)}`)
  const outputTokens = script.outputTokens ?? output.deltas
  const stopReason = output.toolCalls.length > 0 ? 'tool_use' : 'end_turn'
  return {
    id: `msg_01${randomId(22)}`,
    model: request.model,
    chunks: output.chunks,
    toolCalls: output.toolCalls,
    deltas: output.deltas,
    inputTokens: script.inputTokens ?? estimateTokens(promptText(request)),
    outputTokens: output.truncated ? Math.min(outputTokens, request.max_tokens) : outputTokens,
    stopReason: output.truncated ? 'max_tokens' : (script.stopReason ?? stopReason),
  }
}

/**
 * The text block comes first when there is text; an answer made only of
 * tool calls has no (empty) text block, as with the real API. An answer with
 * neither keeps one empty text block.
 */
function hasTextBlock(turn: Turn): boolean {
  return turn.chunks.length > 0 || turn.toolCalls.length === 0
}

/**
 * A `tool_use` content block. SDK 1.x declares `caller` as always present;
 * the fake's calls are made by the model itself (`direct`).
 */
function toolUseBlock(call: PlannedToolCall, input: unknown) {
  return { type: 'tool_use', id: call.id, name: call.name, input, caller: { type: 'direct' } }
}

/** Client tools: their calls come back as `tool_use` blocks, which the fake plays. */
const CLIENT_TOOL_TYPE = /^(custom|bash_\d{8}|memory_\d{8}|text_editor_\d{8})$/

/** What the request's `tools` and `tool_choice` let a script do. */
function toolPolicy(request: MessagesRequest): ToolPolicy {
  const tools = request.tools ?? []
  const declared: string[] = []
  const callable = new Set<string>()
  const notPlayable = new Map<string, string>()
  for (const tool of tools) {
    if (typeof tool.name !== 'string') continue // toolsets (browser, computer) have no name
    declared.push(tool.name)
    const type = tool.type ?? 'custom'
    if (typeof type === 'string' && CLIENT_TOOL_TYPE.test(type)) callable.add(tool.name)
    else {
      notPlayable.set(
        tool.name,
        `a server tool (${String(type)}): the real API answers \`server_tool_use\` blocks for it, which the fake does not play`
      )
    }
  }
  const choice = request.tool_choice
  const modes = { auto: 'auto', any: 'required', tool: 'named', none: 'none' } as const
  return {
    declared,
    callable,
    notPlayable,
    mode: modes[choice?.type ?? 'auto'],
    named: choice?.name,
    parallel: choice?.disable_parallel_tool_use !== true,
  }
}

/**
 * Message fields the SDK 1.x types declare as always present (nullable),
 * none of which a plain text turn uses.
 */
const NULL_MESSAGE_FIELDS = { stop_details: null, container: null, diagnostics: null }

/** A Message's usage: no prompt caching, no server tools, standard tier. */
function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    server_tool_use: null,
    output_tokens_details: null,
    inference_geo: null,
    service_tier: 'standard',
    speed: null,
  }
}

/** The script's `wireUsage.input`, as message_start's `input_tokens`. */
function wireInput(script: LlmScript): Record<string, unknown> {
  return script.wireUsage && 'input' in script.wireUsage ? { input_tokens: script.wireUsage.input } : {}
}

/** The non-streaming answer: the whole Message object once "generated". */
async function answerTurn(exchange: Exchange, script: LlmScript, turn: Turn): Promise<void> {
  await exchange.sleep(generationTime(script, turn.deltas))
  if (script.failAfterChunks !== undefined) return exchange.cut()
  if (script.streamError) {
    const { type, message } = script.streamError
    return sendError(exchange, STATUS_OF_TYPE[type] ?? 500, type, message)
  }
  exchange.json(
    200,
    {
      id: turn.id,
      type: 'message',
      role: 'assistant',
      model: turn.model,
      content: [
        ...(hasTextBlock(turn) ? [{ type: 'text', text: turn.chunks.join('') }] : []),
        // A call cut by max_tokens comes back with an empty input (what users
        // report of the real API; the streamed variant carries the partial JSON).
        ...turn.toolCalls.map((call) => toolUseBlock(call, call.complete ? call.input : {})),
      ],
      stop_reason: turn.stopReason,
      stop_sequence: null,
      ...NULL_MESSAGE_FIELDS,
      usage: usage(turn.inputTokens, turn.outputTokens),
    },
    { 'request-id': requestId() }
  )
}

/**
 * The streaming answer, event for event as the real API sends it:
 * message_start (input usage, output_tokens already 1); the text block
 * (index 0, when there is text): content_block_start, ping, one
 * content_block_delta (`text_delta`) per chunk, content_block_stop; then for
 * each tool call, at the next index: content_block_start with a `tool_use`
 * block whose `input` is `{}`, a first `input_json_delta` with an empty
 * `partial_json` (as the real API sends), one `input_json_delta` per
 * argument piece, content_block_stop; then message_delta (stop reason and
 * the final, cumulative output_tokens) and message_stop. `ping` follows the
 * first content_block_start, whichever block it opens.
 */
async function streamTurn(exchange: Exchange, script: LlmScript, turn: Turn): Promise<void> {
  exchange.startEventStream({ 'request-id': requestId() })
  const send = (event: string, data: Record<string, unknown>) =>
    exchange.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`)

  await send('message_start', {
    message: {
      id: turn.id,
      type: 'message',
      role: 'assistant',
      model: turn.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...NULL_MESSAGE_FIELDS,
      ...(script.omitUsage ? {} : { usage: { ...usage(turn.inputTokens, 1), ...wireInput(script) } }),
    },
  })

  let pinged = false
  const startBlock = async (index: number, contentBlock: Record<string, unknown>) => {
    await send('content_block_start', { index, content_block: contentBlock })
    if (!pinged) await send('ping', {})
    pinged = true
  }
  // Deltas sent so far (text chunks and argument pieces): what the script's
  // failures count, and what picks the first token's delay.
  let sent = 0
  const sendDelta = async (index: number, delta: Record<string, unknown>): Promise<boolean> => {
    if (await stopsHere(exchange, script, sent)) return false
    await exchange.sleep(sent === 0 ? script.firstTokenDelayMs : script.delayMs)
    await send('content_block_delta', { index, delta })
    sent++
    return true
  }

  let index = 0
  if (hasTextBlock(turn)) {
    await startBlock(index, { type: 'text', text: '' })
    for (const text of turn.chunks) {
      if (!(await sendDelta(index, { type: 'text_delta', text }))) return
    }
    if (await stopsHere(exchange, script, sent)) return
    await send('content_block_stop', { index })
    index++
  }
  for (const call of turn.toolCalls) {
    await startBlock(index, toolUseBlock(call, {}))
    await send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } })
    for (const piece of call.pieces) {
      if (!(await sendDelta(index, { type: 'input_json_delta', partial_json: piece }))) return
    }
    if (await stopsHere(exchange, script, sent)) return
    await send('content_block_stop', { index })
    index++
  }

  if (script.endWithoutStop) return exchange.end()
  const wire = script.wireUsage ?? {}
  await send('message_delta', {
    delta: { stop_reason: turn.stopReason, stop_sequence: null },
    ...(script.omitUsage ? {} : { usage: { output_tokens: 'output' in wire ? wire.output : turn.outputTokens } }),
  })
  await send('message_stop', {})
  exchange.end()
}

/**
 * Plays the script's failures once `sent` deltas went out. True when the
 * stream is over (cut, error event sent, or the client left).
 */
async function stopsHere(exchange: Exchange, script: LlmScript, sent: number): Promise<boolean> {
  if (exchange.closed) return true
  if (script.failAfterChunks !== undefined && sent >= script.failAfterChunks) {
    exchange.cut()
    return true
  }
  if (script.streamError && sent >= script.streamError.afterChunks) {
    const { type, message } = script.streamError
    await exchange.write(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`)
    exchange.end()
    return true
  }
  return false
}

/**
 * Validates the fields the platform uses the way the real API does (field
 * names and types; not every rule of every optional field), with messages
 * in the API's `field.path: reason` style.
 */
function validateBody(body: unknown): string | undefined {
  if (!isObject(body)) return 'Input should be a valid dictionary'
  for (const key of Object.keys(body)) {
    if (!BODY_FIELDS.has(key)) return `${key}: Extra inputs are not permitted`
  }
  if (!('model' in body)) return 'model: Field required'
  if (typeof body.model !== 'string' || body.model === '') return 'model: Input should be a valid string'
  if (!('max_tokens' in body)) return 'max_tokens: Field required'
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) {
    return 'max_tokens: Input should be a valid integer'
  }
  if (body.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1'
  if ('stream' in body && typeof body.stream !== 'boolean') return 'stream: Input should be a valid boolean'
  if ('system' in body) {
    const problem = validateTextContent(body.system, 'system')
    if (problem) return problem
  }
  if ('stop_sequences' in body) {
    const stops = body.stop_sequences
    if (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string')) {
      return 'stop_sequences: Input should be a valid list of strings'
    }
  }
  if ('metadata' in body && !isObject(body.metadata)) return 'metadata: Input should be a valid dictionary'

  if (!('messages' in body)) return 'messages: Field required'
  const messages = body.messages
  if (!Array.isArray(messages)) return 'messages: Input should be a valid list'
  if (messages.length === 0) return 'messages: at least one message is required'
  for (const [i, message] of messages.entries()) {
    const at = `messages.${i}`
    if (!isObject(message)) return `${at}: Input should be a valid dictionary`
    for (const key of Object.keys(message)) {
      if (key !== 'role' && key !== 'content') return `${at}.${key}: Extra inputs are not permitted`
    }
    if (!('role' in message)) return `${at}.role: Field required`
    // `system` messages are in the SDK 1.x types (API version 2026-10-21),
    // with text-only content.
    if (message.role !== 'user' && message.role !== 'assistant' && message.role !== 'system') {
      return `${at}.role: Input should be 'user', 'assistant' or 'system'`
    }
    if (!('content' in message)) return `${at}.content: Field required`
    const problem =
      message.role === 'system'
        ? validateTextContent(message.content, `${at}.content`)
        : validateContent(message.content, `${at}.content`)
    if (problem) return problem
    const isFinalAssistant = i === messages.length - 1 && message.role === 'assistant'
    if (isEmptyContent(message.content) && !isFinalAssistant) {
      return `${at}: all messages must have non-empty content except for the optional final assistant message`
    }
  }
  const pairing = validateToolPairing(messages as Array<Record<string, unknown>>)
  if (pairing) return pairing

  if ('tools' in body) {
    const problem = validateTools(body.tools)
    if (problem) return problem
  }
  if ('tool_choice' in body) {
    const problem = validateToolChoice(body.tool_choice, Array.isArray(body.tools) ? body.tools : [])
    if (problem) return problem
  }
  return undefined
}

/**
 * The fields of a custom tool (`Tool` in the SDK); the real API rejects
 * others. Tools with another `type` (bash_20250124, web_search_20260318…)
 * are accepted with a name check only.
 */
const CUSTOM_TOOL_FIELDS = new Set([
  'name',
  'description',
  'input_schema',
  'type',
  'allowed_callers',
  'cache_control',
  'defer_loading',
  'eager_input_streaming',
  'input_examples',
  'strict',
])

/** The `type` tags of the other tools of the SDK's `ToolUnion` (server and client tools). */
const TOOL_TYPES = [
  'bash_20250124',
  'code_execution_20250522',
  'code_execution_20250825',
  'code_execution_20260120',
  'code_execution_20260521',
  'browser_toolset_20260801',
  'memory_20250818',
  'computer_toolset_20260801',
  'text_editor_20250124',
  'text_editor_20250429',
  'text_editor_20250728',
  'web_search_20250305',
  'web_fetch_20250910',
  'web_search_20260209',
  'web_fetch_20260209',
  'web_fetch_20260309',
  'web_search_20260318',
  'web_fetch_20260318',
  'tool_search_tool_bm25_20251119',
  'tool_search_tool_bm25',
  'tool_search_tool_regex_20251119',
  'tool_search_tool_regex',
]

/** `tools`: a list of tool definitions, custom ones checked in depth. */
function validateTools(tools: unknown): string | undefined {
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list'
  const names = new Set<string>()
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) return `tools.${i}: Input should be a valid dictionary`
    const custom = tool.type === undefined || tool.type === null || tool.type === 'custom'
    if (!custom && (typeof tool.type !== 'string' || !TOOL_TYPES.includes(tool.type))) {
      // Pydantic's message for a tag that selects no member of the tool union.
      const expected = ['custom', ...TOOL_TYPES].map((type) => `'${type}'`).join(', ')
      return `tools.${i}: Input tag '${String(tool.type)}' found using 'type' does not match any of the expected tags: ${expected}`
    }
    // Pydantic names the member of the tool union that failed: `custom` for custom tools.
    const at = custom ? `tools.${i}.custom` : `tools.${i}.${String(tool.type)}`
    if (custom) {
      for (const key of Object.keys(tool)) {
        if (!CUSTOM_TOOL_FIELDS.has(key)) return `${at}.${key}: Extra inputs are not permitted`
      }
    }
    if ('name' in tool || custom) {
      if (!('name' in tool)) return `${at}.name: Field required`
      if (typeof tool.name !== 'string') return `${at}.name: Input should be a valid string`
      if (custom && !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) {
        return `${at}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`
      }
      if (names.has(tool.name)) return 'tools: Tool names must be unique.'
      names.add(tool.name)
    }
    if (!custom) continue
    if ('description' in tool && typeof tool.description !== 'string') {
      return `${at}.description: Input should be a valid string`
    }
    if (!('input_schema' in tool)) return `${at}.input_schema: Field required`
    const schema = tool.input_schema
    if (!isObject(schema)) return `${at}.input_schema: Input should be a valid dictionary`
    if (!('type' in schema)) return `${at}.input_schema.type: Field required`
    if (schema.type !== 'object') return `${at}.input_schema.type: Input should be 'object'`
    if ('properties' in schema && schema.properties !== null && !isObject(schema.properties)) {
      return `${at}.input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at https://docs.claude.com/en/docs/tool-use.`
    }
    if ('required' in schema && schema.required !== null) {
      const required = schema.required
      if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) {
        return `${at}.input_schema.required: Input should be a valid list`
      }
    }
  }
  return undefined
}

const TOOL_CHOICE_TYPES = ['auto', 'any', 'tool', 'none']

/** `tool_choice`: `{type: 'auto'|'any'|'tool'|'none'}`, a named tool being declared. */
function validateToolChoice(choice: unknown, tools: unknown[]): string | undefined {
  if (!isObject(choice)) return 'tool_choice: Input should be a valid dictionary'
  if (!('type' in choice)) return "tool_choice: Unable to extract tag using discriminator 'type'"
  if (typeof choice.type !== 'string' || !TOOL_CHOICE_TYPES.includes(choice.type)) {
    return `tool_choice: Input tag '${String(choice.type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`
  }
  const at = `tool_choice.${choice.type}`
  const allowed =
    choice.type === 'none'
      ? ['type']
      : choice.type === 'tool'
        ? ['type', 'name', 'disable_parallel_tool_use']
        : ['type', 'disable_parallel_tool_use']
  for (const key of Object.keys(choice)) {
    if (!allowed.includes(key)) return `${at}.${key}: Extra inputs are not permitted`
  }
  if ('disable_parallel_tool_use' in choice && typeof choice.disable_parallel_tool_use !== 'boolean') {
    return `${at}.disable_parallel_tool_use: Input should be a valid boolean`
  }
  if (choice.type === 'tool') {
    if (!('name' in choice)) return `${at}.name: Field required`
    if (typeof choice.name !== 'string') return `${at}.name: Input should be a valid string`
    const declared = tools.some((tool) => isObject(tool) && tool.name === choice.name)
    // The wording of these two is the fake's: no real sample was at hand.
    if (!declared) return `tool_choice: Tool '${choice.name}' not found in tools`
  }
  if (choice.type === 'any' && tools.length === 0) return "tool_choice: tool_choice.type 'any' requires tools"
  return undefined
}

/** The content blocks of a message, or none when its content is a string. */
function blocksOf(message: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(message.content) ? message.content.filter(isObject) : []
}

/**
 * Every `tool_use` of an assistant message must be answered by a
 * `tool_result` in the next message, and every `tool_result` must answer a
 * `tool_use` of the previous message, with the real API's messages.
 */
function validateToolPairing(messages: Array<Record<string, unknown>>): string | undefined {
  for (const [i, message] of messages.entries()) {
    const blocks = blocksOf(message)
    for (const [j, block] of blocks.entries()) {
      if (block.type !== 'tool_use') continue
      const at = `messages.${i}.content.${j}.tool_use`
      for (const field of ['id', 'name', 'input']) {
        if (!(field in block)) return `${at}.${field}: Field required`
      }
      if (typeof block.id !== 'string') return `${at}.id: Input should be a valid string`
      if (typeof block.name !== 'string') return `${at}.name: Input should be a valid string`
    }
    if (message.role === 'assistant' && i + 1 < messages.length) {
      const used = blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id))
      const results = blocksOf(messages[i + 1]).filter((b) => b.type === 'tool_result')
      const answered = new Set(results.map((b) => b.tool_use_id))
      const missing = used.filter((id) => !answered.has(id))
      if (missing.length > 0) {
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`
      }
    }
    const previous = i > 0 && messages[i - 1].role === 'assistant' ? blocksOf(messages[i - 1]) : []
    const usedBefore = new Set(previous.filter((b) => b.type === 'tool_use').map((b) => b.id))
    for (const [j, block] of blocks.entries()) {
      if (block.type !== 'tool_result') continue
      if (typeof block.tool_use_id !== 'string') {
        return `messages.${i}.content.${j}.tool_result.tool_use_id: Field required`
      }
      if (!usedBefore.has(block.tool_use_id)) {
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`
      }
    }
  }
  return undefined
}

/** `system` (and system messages' content): a string or a list of text blocks. */
function validateTextContent(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return undefined
  if (!Array.isArray(value)) return `${at}: Input should be a valid string or a list of text blocks`
  for (const [i, block] of value.entries()) {
    if (!isObject(block) || block.type !== 'text') return `${at}.${i}.type: Input should be 'text'`
    if (typeof block.text !== 'string') return `${at}.${i}.text: Input should be a valid string`
    if (block.text === '') return `${at}: text content blocks must be non-empty`
  }
  return undefined
}

/** A message's content: a string, or a list of typed blocks (text ones checked in depth). */
function validateContent(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return undefined
  if (!Array.isArray(value)) return `${at}: Input should be a valid string or a list of content blocks`
  for (const [i, block] of value.entries()) {
    if (!isObject(block)) return `${at}.${i}: Input should be a valid dictionary`
    if (typeof block.type !== 'string') return `${at}.${i}.type: Field required`
    if (block.type === 'text') {
      if (typeof block.text !== 'string') return `${at}.${i}.text: Input should be a valid string`
      if (block.text === '') return 'messages: text content blocks must be non-empty'
    }
  }
  return undefined
}

function isEmptyContent(content: unknown): boolean {
  return content === '' || (Array.isArray(content) && content.length === 0)
}

/**
 * Every prompt text of the request (system included), for the input token
 * estimate: text blocks, tool results' text, earlier tool calls' inputs
 * (as JSON) and the tool definitions (as JSON).
 */
function promptText(request: MessagesRequest): string {
  const texts: string[] = []
  const collect = (content: unknown) => {
    if (typeof content === 'string') texts.push(content)
    else if (Array.isArray(content)) {
      for (const block of content) {
        if (!isObject(block)) continue
        if (typeof block.text === 'string') texts.push(block.text)
        else if (block.type === 'tool_use') texts.push(JSON.stringify(block.input ?? {}))
        else if (block.type === 'tool_result') collect(block.content)
      }
    }
  }
  collect(request.system)
  for (const message of request.messages) collect(message.content)
  if (request.tools && request.tools.length > 0) texts.push(JSON.stringify(request.tools))
  return texts.join('\n')
}

/** The error envelope of every Anthropic API error. */
function sendError(
  exchange: Exchange,
  status: number,
  type: string,
  message: string,
  headers: OutgoingHttpHeaders = {}
): void {
  const id = requestId()
  exchange.json(status, { type: 'error', error: { type, message }, request_id: id }, { 'request-id': id, ...headers })
}

function requestId(): string {
  return `req_011C${randomId(20)}`
}
