import { randomBytes } from 'node:crypto'
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
    const misconfigured = toolScriptProblem(script, toolPolicy(request))
    if (misconfigured) {
      return sendError(exchange, 400, {
        message: `FakeOpenAIServer: misconfigured test: ${misconfigured}`,
        type: 'invalid_request_error',
      })
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
  tools?: Array<Record<string, any>> | null
  tool_choice?: string | Record<string, any> | null
  parallel_tool_calls?: boolean | null
}

/** What one scripted completion will produce. */
interface Turn {
  id: string
  created: number
  model: string
  systemFingerprint: string
  chunks: string[]
  toolCalls: PlannedToolCall[]
  /** Deltas played (text chunks + tool argument pieces), for the timing of non-streaming answers. */
  deltas: number
  promptTokens: number
  completionTokens: number
  finishReason: string
}

function planTurn(script: LlmScript, request: ChatRequest): Turn {
  const limit = request.max_completion_tokens ?? request.max_tokens ?? undefined
  const output = planOutput(script, limit, () => `call_${randomId(24)}`)
  const completionTokens = script.outputTokens ?? output.deltas
  // The real API ends a call forced by a named tool_choice with `stop`, one
  // made under `auto` / `required` with `tool_calls`.
  const forcedByName = isObject(request.tool_choice) && request.tool_choice.type === 'function'
  const toolFinish = forcedByName ? 'stop' : 'tool_calls'
  return {
    id: `chatcmpl-${randomId(29)}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    systemFingerprint: `fp_${randomBytes(5).toString('hex')}`,
    chunks: output.chunks,
    toolCalls: output.toolCalls,
    deltas: output.deltas,
    promptTokens: script.inputTokens ?? estimateTokens(promptText(request)),
    completionTokens: output.truncated && limit !== undefined ? Math.min(completionTokens, limit) : completionTokens,
    finishReason: output.truncated
      ? 'length'
      : (script.stopReason ?? (output.toolCalls.length > 0 ? toolFinish : 'stop')),
  }
}

/** What the request's `tools`, `tool_choice` and `parallel_tool_calls` let a script do. */
function toolPolicy(request: ChatRequest): ToolPolicy {
  const declared: string[] = []
  const callable = new Set<string>()
  const notPlayable = new Map<string, string>()
  for (const tool of request.tools ?? []) {
    if (tool.type === 'function') {
      declared.push(tool.function.name)
      callable.add(tool.function.name)
    } else if (tool.type === 'custom') {
      declared.push(tool.custom.name)
      notPlayable.set(tool.custom.name, 'a custom tool: the fake plays function tool calls only')
    }
  }
  // Validated already: its shape is the SDK's ChatCompletionToolChoiceOption.
  const choice = request.tool_choice as string | Record<string, any> | null | undefined
  const policy: ToolPolicy = {
    declared,
    callable,
    notPlayable,
    mode: 'auto',
    parallel: request.parallel_tool_calls !== false,
  }
  if (choice === 'none' || choice === 'required') policy.mode = choice
  else if (!choice || typeof choice === 'string') policy.mode = 'auto'
  else if (choice.type === 'function' || choice.type === 'custom') {
    policy.mode = 'named'
    policy.named = choice.type === 'function' ? choice.function.name : choice.custom.name
  } else if (choice.type === 'allowed_tools') {
    const allowed = new Set(
      (choice.allowed_tools.tools as unknown[]).map((tool) =>
        isObject(tool) && isObject(tool.function) ? tool.function.name : isObject(tool) ? tool.name : undefined
      )
    )
    for (const name of [...callable]) {
      if (!allowed.has(name)) {
        callable.delete(name)
        notPlayable.set(name, "which the request's tool_choice.allowed_tools does not allow")
      }
    }
    if (choice.allowed_tools.mode === 'required') policy.mode = 'required'
  }
  return policy
}

/** A `tool_calls` entry of a message or a first delta: id, type, name and arguments. */
function toolCallEntry(call: PlannedToolCall, args: string) {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: args } }
}

function usageOf(turn: Turn, script: LlmScript) {
  const wire = script.wireUsage ?? {}
  return {
    prompt_tokens: 'input' in wire ? wire.input : turn.promptTokens,
    completion_tokens: 'output' in wire ? wire.output : turn.completionTokens,
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
  await exchange.sleep(generationTime(script, turn.deltas))
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
          message: {
            role: 'assistant',
            // null when the answer is made of tool calls only, as the real API answers.
            content: turn.chunks.length === 0 && turn.toolCalls.length > 0 ? null : turn.chunks.join(''),
            refusal: null,
            annotations: [],
            // A call cut by the token limit keeps its partial (unparseable) arguments.
            ...(turn.toolCalls.length > 0
              ? { tool_calls: turn.toolCalls.map((call) => toolCallEntry(call, call.pieces.join(''))) }
              : {}),
          },
          logprobs: null,
          finish_reason: turn.finishReason,
        },
      ],
      usage: usageOf(turn, script),
      service_tier: 'default',
      system_fingerprint: turn.systemFingerprint,
    },
    baseHeaders()
  )
}

/**
 * The streaming answer: `data: {chat.completion.chunk}` lines (no `event:`
 * field), a first chunk carrying the role, one per text delta; then for each
 * tool call a chunk opening it (`tool_calls: [{index, id, type: 'function',
 * function: {name, arguments: ''}}]`) and one per argument piece
 * (`tool_calls: [{index, function: {arguments}}]`); one with the
 * finish_reason and an empty delta; with `include_usage` every chunk has
 * `usage: null` and a last chunk has `choices: []` and the usage; then
 * `data: [DONE]`. An answer made of tool calls only opens its first call in
 * the role chunk, whose `content` is then null, as the real API does.
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

  const openCall = (k: number) => ({ index: k, ...toolCallEntry(turn.toolCalls[k], '') })
  const toolsOnly = turn.chunks.length === 0 && turn.toolCalls.length > 0

  exchange.startEventStream(baseHeaders())
  await exchange.sleep(script.firstTokenDelayMs)
  await send([
    choice(
      toolsOnly
        ? { role: 'assistant', content: null, tool_calls: [openCall(0)], refusal: null }
        : { role: 'assistant', content: '', refusal: null }
    ),
  ])

  // Deltas sent so far (text chunks and argument pieces), as the script's failures count them.
  let sent = 0
  const sendDelta = async (delta: Record<string, unknown>): Promise<boolean> => {
    if (await stopsHere(exchange, script, sent)) return false
    if (sent > 0) await exchange.sleep(script.delayMs)
    await send([choice(delta)])
    sent++
    return true
  }
  for (const content of turn.chunks) {
    if (!(await sendDelta({ content }))) return
  }
  for (const [k, call] of turn.toolCalls.entries()) {
    if (k > 0 || !toolsOnly) await send([choice({ tool_calls: [openCall(k)] })])
    for (const piece of call.pieces) {
      if (!(await sendDelta({ tool_calls: [{ index: k, function: { arguments: piece } }] }))) return
    }
  }
  if (await stopsHere(exchange, script, sent)) return
  if (script.endWithoutStop) return exchange.end()

  await send([choice({}, turn.finishReason)])
  if (includeUsage && !script.omitUsage) await send([], usageOf(turn, script))
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
    if (message.role === 'assistant' && 'tool_calls' in message && message.tool_calls !== null) {
      const problem = validateMessageToolCalls(message.tool_calls, `${at}.tool_calls`)
      if (problem) return problem
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
  const pairing = validateToolPairing(messages as Array<Record<string, unknown>>)
  if (pairing) return pairing

  const tools = body.tools === null ? undefined : body.tools
  if (tools !== undefined) {
    const problem = validateTools(tools)
    if (problem) return problem
  }
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    if (tools === undefined) return onlyWithTools('tool_choice')
    const problem = validateToolChoice(body.tool_choice, tools as Array<Record<string, any>>)
    if (problem) return problem
  }
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) {
    if (typeof body.parallel_tool_calls !== 'boolean') {
      return wrongType('parallel_tool_calls', 'a boolean', body.parallel_tool_calls)
    }
    if (tools === undefined) return onlyWithTools('parallel_tool_calls')
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

/** Function names: the pattern and length the real API enforces. */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]+$/
const FUNCTION_NAME_MAX = 64

/** `tools`: function tools checked in depth, custom tools for their name. */
function validateTools(tools: unknown): Omit<OpenAIErrorBody, 'type'> | undefined {
  if (!Array.isArray(tools)) return wrongType('tools', 'an array of objects', tools)
  if (tools.length === 0) {
    return {
      message: "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: 'tools',
      code: 'empty_array',
    }
  }
  for (const [i, tool] of tools.entries()) {
    const at = `tools[${i}]`
    if (!isObject(tool)) return wrongType(at, 'an object', tool)
    if (!('type' in tool)) return missing(`${at}.type`)
    if (tool.type !== 'function' && tool.type !== 'custom') {
      return {
        message: `Invalid value: '${String(tool.type)}'. Supported values are: 'function' and 'custom'.`,
        param: `${at}.type`,
        code: 'invalid_value',
      }
    }
    const kind = tool.type
    const fn = tool[kind]
    if (fn === undefined || fn === null) return missing(`${at}.${kind}`)
    if (!isObject(fn)) return wrongType(`${at}.${kind}`, 'an object', fn)
    const nameProblem = validateFunctionName(fn.name, `${at}.${kind}.name`)
    if (nameProblem) return nameProblem
    if ('description' in fn && fn.description !== null && typeof fn.description !== 'string') {
      return wrongType(`${at}.${kind}.description`, 'a string', fn.description)
    }
    if (kind !== 'function') continue
    if ('strict' in fn && fn.strict !== null && typeof fn.strict !== 'boolean') {
      return wrongType(`${at}.function.strict`, 'a boolean', fn.strict)
    }
    if ('parameters' in fn && fn.parameters !== null && fn.parameters !== undefined) {
      const parameters = fn.parameters
      if (!isObject(parameters)) return wrongType(`${at}.function.parameters`, 'an object', parameters)
      if ('type' in parameters && parameters.type !== 'object') {
        return {
          message: `Invalid schema for function '${fn.name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${String(parameters.type)}"'.`,
          param: `${at}.function.parameters`,
          code: 'invalid_function_parameters',
        }
      }
    }
  }
  return undefined
}

function validateFunctionName(name: unknown, param: string): Omit<OpenAIErrorBody, 'type'> | undefined {
  if (name === undefined || name === null) return missing(param)
  if (typeof name !== 'string') return wrongType(param, 'a string', name)
  if (!FUNCTION_NAME.test(name)) {
    return {
      message: `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '${FUNCTION_NAME.source}'.`,
      param,
      code: 'invalid_value',
    }
  }
  if (name.length > FUNCTION_NAME_MAX) {
    return {
      message: `Invalid '${param}': string too long. Expected a string with maximum length ${FUNCTION_NAME_MAX}, but got a string with length ${name.length} instead.`,
      param,
      code: 'string_above_max_length',
    }
  }
  return undefined
}

/** `tool_choice`: a mode string, a named function/custom tool (declared), or `allowed_tools`. */
function validateToolChoice(
  choice: unknown,
  tools: Array<Record<string, any>>
): Omit<OpenAIErrorBody, 'type'> | undefined {
  if (typeof choice === 'string') {
    if (['none', 'auto', 'required'].includes(choice)) return undefined
    return {
      message: `Invalid value: '${choice}'. Supported values are: 'none', 'auto', and 'required'.`,
      param: 'tool_choice',
      code: 'invalid_value',
    }
  }
  if (!isObject(choice)) return wrongType('tool_choice', "one of a string or an object", choice)
  if (!('type' in choice)) return missing('tool_choice.type')
  if (choice.type === 'function' || choice.type === 'custom') {
    const kind = choice.type
    const named = choice[kind]
    if (named === undefined || named === null) return missing(`tool_choice.${kind}`)
    if (!isObject(named)) return wrongType(`tool_choice.${kind}`, 'an object', named)
    if (named.name === undefined || named.name === null) return missing(`tool_choice.${kind}.name`)
    if (typeof named.name !== 'string') return wrongType(`tool_choice.${kind}.name`, 'a string', named.name)
    const declared = tools.some((tool) => tool.type === kind && isObject(tool[kind]) && tool[kind].name === named.name)
    // The wording is the fake's: no real sample was at hand.
    if (!declared) {
      return {
        message: `Invalid value for 'tool_choice': ${kind} '${named.name}' is not one of the provided 'tools'.`,
        param: 'tool_choice',
        code: 'invalid_value',
      }
    }
    return undefined
  }
  if (choice.type === 'allowed_tools') {
    const allowed = choice.allowed_tools
    if (allowed === undefined || allowed === null) return missing('tool_choice.allowed_tools')
    if (!isObject(allowed)) return wrongType('tool_choice.allowed_tools', 'an object', allowed)
    if (allowed.mode !== 'auto' && allowed.mode !== 'required') {
      if (allowed.mode === undefined) return missing('tool_choice.allowed_tools.mode')
      return {
        message: `Invalid value: '${String(allowed.mode)}'. Supported values are: 'auto' and 'required'.`,
        param: 'tool_choice.allowed_tools.mode',
        code: 'invalid_value',
      }
    }
    if (allowed.tools === undefined) return missing('tool_choice.allowed_tools.tools')
    if (!Array.isArray(allowed.tools)) {
      return wrongType('tool_choice.allowed_tools.tools', 'an array of objects', allowed.tools)
    }
    return undefined
  }
  return {
    message: `Invalid value: '${String(choice.type)}'. Supported values are: 'function', 'custom', and 'allowed_tools'.`,
    param: 'tool_choice.type',
    code: 'invalid_value',
  }
}

/** `tool_choice` or `parallel_tool_calls` sent without `tools`. */
function onlyWithTools(param: string) {
  return { message: `Invalid value for '${param}': '${param}' is only allowed when 'tools' are specified.`, param }
}

/** The `tool_calls` of an assistant message sent back: ids, names and string arguments. */
function validateMessageToolCalls(calls: unknown, at: string): Omit<OpenAIErrorBody, 'type'> | undefined {
  if (!Array.isArray(calls)) return wrongType(at, 'an array of objects', calls)
  for (const [j, call] of calls.entries()) {
    const callAt = `${at}[${j}]`
    if (!isObject(call)) return wrongType(callAt, 'an object', call)
    if (call.id === undefined) return missing(`${callAt}.id`)
    if (typeof call.id !== 'string') return wrongType(`${callAt}.id`, 'a string', call.id)
    if (!('type' in call)) return missing(`${callAt}.type`)
    if (call.type !== 'function') continue // custom tool calls: not checked
    if (call.function === undefined) return missing(`${callAt}.function`)
    if (!isObject(call.function)) return wrongType(`${callAt}.function`, 'an object', call.function)
    const nameProblem = validateFunctionName(call.function.name, `${callAt}.function.name`)
    if (nameProblem) return nameProblem
    const args = call.function.arguments
    if (args === undefined) return missing(`${callAt}.function.arguments`)
    if (typeof args !== 'string') return wrongType(`${callAt}.function.arguments`, 'a string', args)
  }
  return undefined
}

/**
 * An assistant message's `tool_calls` must each be answered by a following
 * `tool` message, and a `tool` message must answer a call of the assistant
 * message before it, with the real API's messages (and its odd
 * `messages.[i]` param).
 */
function validateToolPairing(messages: Array<Record<string, unknown>>): Omit<OpenAIErrorBody, 'type'> | undefined {
  for (const [i, message] of messages.entries()) {
    if (message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      const answered = new Set<unknown>()
      for (let k = i + 1; k < messages.length && messages[k].role === 'tool'; k++) {
        answered.add(messages[k].tool_call_id)
      }
      const missingIds = (message.tool_calls as Array<Record<string, unknown>>)
        .map((call) => call.id)
        .filter((id) => !answered.has(id))
      if (missingIds.length > 0) {
        return {
          message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missingIds.join(', ')}`,
          param: `messages.[${i}].role`,
        }
      }
    }
    if (message.role === 'tool') {
      let k = i - 1
      while (k >= 0 && messages[k].role === 'tool') k--
      const calls = k >= 0 && messages[k].role === 'assistant' ? messages[k].tool_calls : undefined
      if (!Array.isArray(calls) || calls.length === 0) {
        return {
          message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          param: `messages.[${i}].role`,
        }
      }
      if (!calls.some((call) => isObject(call) && call.id === message.tool_call_id)) {
        return {
          message: `Invalid parameter: 'tool_call_id' of '${String(message.tool_call_id)}' not found in 'tool_calls' of previous message.`,
          param: `messages.[${i}].tool_call_id`,
        }
      }
    }
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

/**
 * Every prompt text of the request, for the prompt token estimate: message
 * texts (tool results included), earlier tool calls' arguments and the tool
 * definitions (as JSON).
 */
function promptText(request: ChatRequest): string {
  const texts: string[] = []
  for (const message of request.messages as Array<Record<string, unknown>>) {
    if (typeof message.content === 'string') texts.push(message.content)
    else if (Array.isArray(message.content)) {
      for (const part of message.content) {
        if (isObject(part) && typeof part.text === 'string') texts.push(part.text)
      }
    }
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (isObject(call) && isObject(call.function) && typeof call.function.arguments === 'string') {
          texts.push(call.function.arguments)
        }
      }
    }
  }
  if (request.tools && request.tools.length > 0) texts.push(JSON.stringify(request.tools))
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
