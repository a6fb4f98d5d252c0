import { randomBytes } from 'node:crypto'
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
 * Chat models of the installed SDK's `ChatModel` type (openai 6.49.0) the
 * platform may plausibly use. Tests of OpenAI-compatible servers (Ollama…)
 * pass their own `models`.
 */
export const OPENAI_MODELS = [
  'gpt-5.4',
  'gpt-5.4-mini',
  'gpt-5.4-nano',
  'gpt-5.2',
  'gpt-5.1',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-4o',
  'gpt-4o-mini',
  'o4-mini',
  'o3',
  'o3-mini',
]

/**
 * The body fields of `chat.completions.create` in the installed SDK. The real
 * API answers "Unrecognized request argument supplied" to anything else.
 */
const BODY_FIELDS = new Set([
  'messages',
  'model',
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'metadata',
  'modalities',
  'moderation',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'reasoning_effort',
  'response_format',
  'safety_identifier',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'verbosity',
  'web_search_options',
])

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer']

/** A fixed "created" date for listed models (2024-07-18). */
const MODEL_CREATED = 1721172741

/**
 * A local stand-in for the OpenAI Chat Completions API, close enough to the
 * wire format for the real `openai` SDK to be pointed at it with
 * `baseURL: fake.url`.
 */
export class FakeOpenAIServer extends FakeLlmServer {
  constructor(options: FakeLlmServerOptions = {}) {
    super(options, OPENAI_MODELS)
  }

  /** `http://127.0.0.1:PORT/v1`: the openai SDK's base URL includes `/v1`. */
  get url(): string {
    return `${this.origin}/v1`
  }

  protected async handle(exchange: Exchange, rawBody: string): Promise<void> {
    const { req } = exchange
    const method = req.method ?? 'GET'
    const path = (req.url ?? '/').split('?')[0]

    const authorization = headerValue(req.headers, 'authorization')
    if (!authorization) {
      return sendError(exchange, 401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        type: 'invalid_request_error',
      })
    }
    const key = authorization.replace(/^Bearer\s+/i, '')
    if (!/^Bearer\s/i.test(authorization) || key !== this.apiKey) {
      return sendError(exchange, 401, {
        message: `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      })
    }

    if (method === 'GET' && path === '/v1/models') {
      return exchange.json(200, { object: 'list', data: this.models.map(modelObject) }, baseHeaders())
    }
    const modelPath = /^\/v1\/models\/([^/]+)$/.exec(path)
    if (method === 'GET' && modelPath) {
      const id = decodeURIComponent(modelPath[1])
      if (!this.models.includes(id)) return sendModelNotFound(exchange, id)
      return exchange.json(200, modelObject(id), baseHeaders())
    }
    if (method !== 'POST' || path !== '/v1/chat/completions') {
      return sendError(exchange, 404, {
        message: `Invalid URL (${method} ${path})`,
        type: 'invalid_request_error',
      })
    }

    let body: unknown
    try {
      body = JSON.parse(rawBody)
    } catch {
      return sendError(exchange, 400, {
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        type: 'invalid_request_error',
      })
    }
    const invalid = validateBody(body)
    if (invalid) return sendError(exchange, 400, { type: 'invalid_request_error', ...invalid })
    const request = body as ChatRequest
    if (!this.models.includes(request.model)) return sendModelNotFound(exchange, request.model)

    const script = this.takeScript()
    if (script.failBeforeFirstToken) {
      const failure = script.failBeforeFirstToken
      await exchange.sleep(script.firstTokenDelayMs)
      return sendError(
        exchange,
        failure.status,
        { message: failure.message, type: failure.type, code: failure.code },
        retryHeaders(failure)
      )
    }

    const turn = planTurn(script, request)
    if (request.stream === true) return streamTurn(exchange, script, turn, request.stream_options ?? {})
    return answerTurn(exchange, script, turn)
  }
}

/** The request fields the fake reads, once validated. */
interface ChatRequest {
  model: string
  messages: Array<{ role: string; content?: unknown }>
  stream?: boolean | null
  stream_options?: { include_usage?: boolean; include_obfuscation?: boolean } | null
  max_tokens?: number | null
  max_completion_tokens?: number | null
}

/** What one scripted completion will produce. */
interface Turn {
  id: string
  created: number
  model: string
  systemFingerprint: string
  chunks: string[]
  promptTokens: number
  completionTokens: number
  finishReason: string
}

function planTurn(script: LlmScript, request: ChatRequest): Turn {
  const limit = request.max_completion_tokens ?? request.max_tokens ?? undefined
  const { chunks, truncated } = limitChunks(script, limit)
  const completionTokens = script.outputTokens ?? chunks.length
  return {
    id: `chatcmpl-${randomId(29)}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    systemFingerprint: `fp_${randomBytes(5).toString('hex')}`,
    chunks,
    promptTokens: script.inputTokens ?? estimateTokens(promptText(request)),
    completionTokens: truncated && limit !== undefined ? Math.min(completionTokens, limit) : completionTokens,
    finishReason: truncated ? 'length' : (script.stopReason ?? 'stop'),
  }
}

function usageOf(turn: Turn) {
  return {
    prompt_tokens: turn.promptTokens,
    completion_tokens: turn.completionTokens,
    total_tokens: turn.promptTokens + turn.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

/** The non-streaming answer: one chat.completion object with its usage. */
async function answerTurn(exchange: Exchange, script: LlmScript, turn: Turn): Promise<void> {
  await exchange.sleep(generationTime(script, turn.chunks.length))
  if (script.failAfterChunks !== undefined) return exchange.cut()
  if (script.streamError) {
    const { type, message } = script.streamError
    return sendError(exchange, 500, { message, type })
  }
  exchange.json(
    200,
    {
      id: turn.id,
      object: 'chat.completion',
      created: turn.created,
      model: turn.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: turn.chunks.join(''), refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: turn.finishReason,
        },
      ],
      usage: usageOf(turn),
      service_tier: 'default',
      system_fingerprint: turn.systemFingerprint,
    },
    baseHeaders()
  )
}

/**
 * The streaming answer: `data: {chat.completion.chunk}` lines (no `event:`
 * field), a first chunk carrying the role, one per text delta, one with the
 * finish_reason and an empty delta; with `include_usage` every chunk has
 * `usage: null` and a last chunk has `choices: []` and the usage; then
 * `data: [DONE]`.
 */
async function streamTurn(
  exchange: Exchange,
  script: LlmScript,
  turn: Turn,
  options: NonNullable<ChatRequest['stream_options']>
): Promise<void> {
  const includeUsage = options.include_usage === true
  // Padding of random length against size side channels; on by default.
  const obfuscate = options.include_obfuscation !== false
  const send = (choices: unknown[], usage?: ReturnType<typeof usageOf>) => {
    const chunk: Record<string, unknown> = {
      id: turn.id,
      object: 'chat.completion.chunk',
      created: turn.created,
      model: turn.model,
      service_tier: 'default',
      system_fingerprint: turn.systemFingerprint,
      choices,
    }
    if (includeUsage) chunk.usage = usage ?? null
    if (obfuscate) chunk.obfuscation = randomId(1 + (randomBytes(1)[0] % 12))
    return exchange.write(`data: ${JSON.stringify(chunk)}\n\n`)
  }
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  })

  exchange.startEventStream(baseHeaders())
  await exchange.sleep(script.firstTokenDelayMs)
  await send([choice({ role: 'assistant', content: '', refusal: null })])

  for (let i = 0; i < turn.chunks.length; i++) {
    if (await stopsHere(exchange, script, i)) return
    if (i > 0) await exchange.sleep(script.delayMs)
    await send([choice({ content: turn.chunks[i] })])
  }
  if (await stopsHere(exchange, script, turn.chunks.length)) return

  await send([choice({}, turn.finishReason)])
  if (includeUsage) await send([], usageOf(turn))
  await exchange.write('data: [DONE]\n\n')
  exchange.end()
}

/**
 * Plays the script's failures once `sent` deltas went out. True when the
 * stream is over (cut, error sent, or the client left).
 */
async function stopsHere(exchange: Exchange, script: LlmScript, sent: number): Promise<boolean> {
  if (exchange.closed) return true
  if (script.failAfterChunks !== undefined && sent >= script.failAfterChunks) {
    exchange.cut()
    return true
  }
  if (script.streamError && sent >= script.streamError.afterChunks) {
    const { type, message } = script.streamError
    await exchange.write(`data: ${JSON.stringify({ error: { message, type, param: null, code: null } })}\n\n`)
    exchange.end()
    return true
  }
  return false
}

/** An `error` object of the OpenAI envelope; `param`/`code` default to null. */
interface OpenAIErrorBody {
  message: string
  type: string
  param?: string | null
  code?: string | null
}

/**
 * Validates the fields the platform uses the way the real API does, with
 * its messages, `param` and `code` values. Returns the error, if any.
 */
function validateBody(body: unknown): Omit<OpenAIErrorBody, 'type'> | undefined {
  if (!isObject(body)) {
    return { message: `Invalid type for body: expected an object, but got ${jsonType(body)} instead.`, code: 'invalid_type' }
  }
  for (const key of Object.keys(body)) {
    if (!BODY_FIELDS.has(key)) return { message: `Unrecognized request argument supplied: ${key}` }
  }
  if (typeof body.model !== 'string' || body.model === '') {
    return { message: 'you must provide a model parameter' }
  }

  if (!('messages' in body)) return missing('messages')
  const messages = body.messages
  if (!Array.isArray(messages)) return wrongType('messages', 'an array of objects', messages)
  if (messages.length === 0) {
    return {
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: 'messages',
      code: 'empty_array',
    }
  }
  for (const [i, message] of messages.entries()) {
    const at = `messages[${i}]`
    if (!isObject(message)) return wrongType(at, 'an object', message)
    if (!('role' in message)) return missing(`${at}.role`)
    if (typeof message.role !== 'string' || !ROLES.includes(message.role)) {
      return {
        message: `Invalid value: '${String(message.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        param: `${at}.role`,
        code: 'invalid_value',
      }
    }
    const hasToolCall = 'tool_calls' in message || 'function_call' in message
    if (message.content === undefined || message.content === null) {
      if (message.role === 'assistant' && hasToolCall) continue
      return missing(`${at}.content`)
    }
    const content = message.content
    if (typeof content !== 'string' && !Array.isArray(content)) {
      return wrongType(`${at}.content`, 'one of a string or array of objects', content)
    }
    if (Array.isArray(content)) {
      for (const [j, part] of content.entries()) {
        const partAt = `${at}.content[${j}]`
        if (!isObject(part)) return wrongType(partAt, 'an object', part)
        if (typeof part.type !== 'string') return missing(`${partAt}.type`)
        if (part.type === 'text' && typeof part.text !== 'string') return missing(`${partAt}.text`)
      }
    }
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') return missing(`${at}.tool_call_id`)
  }

  if ('stream' in body && body.stream !== null && typeof body.stream !== 'boolean') {
    return wrongType('stream', 'a boolean', body.stream)
  }
  if ('stream_options' in body && body.stream_options !== null) {
    if (body.stream !== true) {
      return {
        message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        param: 'stream_options',
      }
    }
    const options = body.stream_options
    if (!isObject(options)) return wrongType('stream_options', 'an object', options)
    for (const flag of ['include_usage', 'include_obfuscation']) {
      if (flag in options && typeof options[flag] !== 'boolean') {
        return wrongType(`stream_options.${flag}`, 'a boolean', options[flag])
      }
    }
  }
  for (const field of ['max_tokens', 'max_completion_tokens']) {
    const value = body[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'number' || !Number.isInteger(value)) return wrongType(field, 'an integer', value)
    if (value < 1) {
      return {
        message: `Invalid '${field}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
        param: field,
        code: 'integer_below_min_value',
      }
    }
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    // A limit of the fake (it scripts one choice), not of the real API.
    return { message: 'FakeOpenAIServer answers one choice only: n must be 1', param: 'n' }
  }
  return undefined
}

function missing(param: string) {
  return { message: `Missing required parameter: '${param}'.`, param, code: 'missing_required_parameter' }
}

function wrongType(param: string, expected: string, value: unknown) {
  return {
    message: `Invalid type for '${param}': expected ${expected}, but got ${jsonType(value)} instead.`,
    param,
    code: 'invalid_type',
  }
}

/** A value's JSON type, worded as in the API's messages ("an integer"). */
function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'boolean') return 'a boolean'
  return 'an object'
}

/** Every prompt text of the request, for the prompt token estimate. */
function promptText(request: ChatRequest): string {
  const texts: string[] = []
  for (const message of request.messages) {
    if (typeof message.content === 'string') texts.push(message.content)
    else if (Array.isArray(message.content)) {
      for (const part of message.content) {
        if (isObject(part) && typeof part.text === 'string') texts.push(part.text)
      }
    }
  }
  return texts.join('\n')
}

function modelObject(id: string) {
  return { id, object: 'model', created: MODEL_CREATED, owned_by: 'system' }
}

function sendModelNotFound(exchange: Exchange, id: string): void {
  sendError(exchange, 404, {
    message: `The model \`${id}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    code: 'model_not_found',
  })
}

/** The error envelope of every OpenAI API error. */
function sendError(exchange: Exchange, status: number, error: OpenAIErrorBody, headers: OutgoingHttpHeaders = {}) {
  exchange.json(
    status,
    { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code ?? null } },
    { ...baseHeaders(), ...headers }
  )
}

/** Headers every real answer carries; the SDK exposes x-request-id on errors. */
function baseHeaders(): OutgoingHttpHeaders {
  return {
    'x-request-id': `req_${randomBytes(16).toString('hex')}`,
    'openai-version': '2020-10-01',
    'openai-processing-ms': '1',
  }
}

/** The key as the API echoes it in its 401 message: its ends only. */
function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length)
  return `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`
}
