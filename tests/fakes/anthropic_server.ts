import type { OutgoingHttpHeaders } from 'node:http'
import {
  Exchange,
  FakeLlmServer,
  generationTime,
  headerValue,
  isObject,
  limitChunks,
  randomId,
  retryHeaders,
  type FakeLlmServerOptions,
} from './fake_llm_server.js'
import { estimateTokens, type LlmScript } from './llm_script.js'

export type { RecordedRequest, FakeLlmServerOptions } from './fake_llm_server.js'
export { textScript, splitIntoChunks, estimateTokens } from './llm_script.js'
export type { LlmScript, ScriptOptions, ScriptedHttpError, ScriptedStreamError } from './llm_script.js'

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
}

/** What one scripted completion will produce. */
interface Turn {
  id: string
  model: string
  chunks: string[]
  inputTokens: number
  outputTokens: number
  stopReason: string
}

function planTurn(script: LlmScript, request: MessagesRequest): Turn {
  const { chunks, truncated } = limitChunks(script, request.max_tokens)
  const outputTokens = script.outputTokens ?? chunks.length
  return {
    id: `msg_01${randomId(22)}`,
    model: request.model,
    chunks,
    inputTokens: script.inputTokens ?? estimateTokens(promptText(request)),
    outputTokens: truncated ? Math.min(outputTokens, request.max_tokens) : outputTokens,
    stopReason: truncated ? 'max_tokens' : (script.stopReason ?? 'end_turn'),
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

/** The non-streaming answer: the whole Message object once "generated". */
async function answerTurn(exchange: Exchange, script: LlmScript, turn: Turn): Promise<void> {
  await exchange.sleep(generationTime(script, turn.chunks.length))
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
      content: [{ type: 'text', text: turn.chunks.join('') }],
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
 * message_start (input usage, output_tokens already 1), content_block_start,
 * ping, one content_block_delta per chunk, content_block_stop, message_delta
 * (stop reason and the final, cumulative output_tokens), message_stop.
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
      usage: usage(turn.inputTokens, 1),
    },
  })
  await send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
  await send('ping', {})

  for (let i = 0; i < turn.chunks.length; i++) {
    if (await stopsHere(exchange, script, i)) return
    await exchange.sleep(i === 0 ? script.firstTokenDelayMs : script.delayMs)
    await send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: turn.chunks[i] } })
  }
  if (await stopsHere(exchange, script, turn.chunks.length)) return

  await send('content_block_stop', { index: 0 })
  await send('message_delta', {
    delta: { stop_reason: turn.stopReason, stop_sequence: null },
    usage: { output_tokens: turn.outputTokens },
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

/** Every prompt text of the request (system included), for the input token estimate. */
function promptText(request: MessagesRequest): string {
  const texts: string[] = []
  const collect = (content: unknown) => {
    if (typeof content === 'string') texts.push(content)
    else if (Array.isArray(content)) {
      for (const block of content) {
        if (isObject(block) && typeof block.text === 'string') texts.push(block.text)
      }
    }
  }
  collect(request.system)
  for (const message of request.messages) collect(message.content)
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
