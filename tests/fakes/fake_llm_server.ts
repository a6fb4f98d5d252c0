import { LoopbackServer } from './loopback_server.js'
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http'
import { randomBytes } from 'node:crypto'
import { splitToolInput, textScript, type LlmScript, type ScriptedHttpError } from './llm_script.js'

/**
 * What the fake saw of one HTTP request, for assertions on what the code
 * under test sent (headers, model, messages, stream options…).
 */
export interface RecordedRequest {
  method: string
  /** Path with its query string, e.g. `/v1/messages`. */
  path: string
  /** Node's lower-cased header map. */
  headers: IncomingHttpHeaders
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown
  /**
   * True when the client went away before the fake finished its answer (the
   * SDK aborted, e.g. on a user's Stop). Lets gateway tests check that they
   * cancel the upstream request.
   */
  clientDisconnected: boolean
}

export interface FakeLlmServerOptions {
  /** The only key accepted. Default: `test-key`. */
  apiKey?: string
  /** Model ids the fake knows; any other answers the provider's "model not found" error. */
  models?: string[]
}

/**
 * One request/response pair, with the primitives the providers' handlers
 * need to play a script: JSON answers, SSE writes that wait for the socket,
 * delays that stop as soon as the client goes away, and a hard cut.
 */
export class Exchange {
  #closed = false
  #cutByServer = false

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly record: RecordedRequest
  ) {
    res.once('close', () => {
      this.#closed = true
      if (!res.writableFinished && !this.#cutByServer) record.clientDisconnected = true
    })
  }

  /** The connection is gone: nothing more can be sent. */
  get closed(): boolean {
    return this.#closed
  }

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    if (this.#closed) return
    const text = JSON.stringify(body)
    this.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    })
    this.res.end(text)
  }

  /** Sends the 200 status and headers of an event stream right away. */
  startEventStream(headers: OutgoingHttpHeaders = {}): void {
    if (this.#closed) return
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'connection': 'keep-alive',
      ...headers,
    })
    this.res.flushHeaders()
  }

  /**
   * Writes and waits until the bytes are handed to the kernel, so that a
   * `cut()` right after cannot drop them: "dies after N chunks" must mean
   * the client really received N chunks.
   */
  write(text: string): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('close', done)
        resolve()
      }
      this.res.once('close', done)
      this.res.write(text, done)
    })
  }

  end(): void {
    if (!this.#closed) this.res.end()
  }

  /** Waits, but no longer than the client stays connected. */
  sleep(ms: number | undefined): Promise<void> {
    if (!ms || ms <= 0 || this.#closed) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.res.off('close', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.res.once('close', done)
    })
  }

  /**
   * Destroys the TCP connection without finishing the chunked body, which
   * the client sees as a network failure (undici: "terminated").
   */
  cut(): void {
    this.#cutByServer = true
    this.req.socket.destroy()
  }
}

/**
 * The common part of the fake LLM servers: an HTTP server on 127.0.0.1 with
 * an ephemeral port, request recording, and the script queue.
 */
export abstract class FakeLlmServer {
  readonly requests: RecordedRequest[] = []
  readonly apiKey: string
  readonly models: string[]

  #http = new LoopbackServer(this.constructor.name, (req, res) => this.#onRequest(req, res))
  #queue: LlmScript[] = []
  #default: LlmScript = textScript('This is a scripted reply from the fake server.')

  constructor(options: FakeLlmServerOptions, defaultModels: string[]) {
    this.apiKey = options.apiKey ?? 'test-key'
    this.models = options.models ?? defaultModels
  }

  /** The base URL to give the SDK as `baseURL`. */
  abstract get url(): string

  /** Answers one request; `exchange.record.body` is already parsed. */
  protected abstract handle(exchange: Exchange, rawBody: string): Promise<void>

  start(): Promise<void> {
    return this.#http.start()
  }

  close(): Promise<void> {
    return this.#http.close()
  }

  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  get origin(): string {
    return this.#http.origin
  }

  /** Queues scripts, each played by one completion request, in order. */
  enqueue(...scripts: LlmScript[]): this {
    this.#queue.push(...scripts)
    return this
  }

  /** The script played when the queue is empty. */
  setDefault(script: LlmScript): this {
    this.#default = script
    return this
  }

  /** Scripts queued and not played yet (a test can assert all were used). */
  get pendingScripts(): number {
    return this.#queue.length
  }

  /** Forgets recorded requests and queued scripts, keeping the server up. */
  reset(): void {
    this.requests.length = 0
    this.#queue.length = 0
  }

  /**
   * The script for a completion request. Called only once a request passed
   * authentication and validation, so a rejected request does not use up a
   * script meant for the next valid one.
   */
  protected takeScript(): LlmScript {
    return this.#queue.shift() ?? this.#default
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = await receiveRequest(req)
    if (!received) return // the client went away while sending its body
    const { rawBody, record } = received
    this.requests.push(record)

    const exchange = new Exchange(req, res, record)
    try {
      await this.handle(exchange, rawBody)
    } catch (error) {
      // A bug of the fake itself: make it loud rather than a hanging request.
      console.error(`${this.constructor.name} failed:`, error)
      if (!res.headersSent) exchange.json(500, { fake_server_error: String(error) })
      else exchange.cut()
    }
  }
}

export type ReceivedRequest = {
  raw: Buffer
  /** The body as text ('' for a binary one). */
  rawBody: string
  /** Parsed JSON; the text itself when it is not JSON; `{ bytes }` for a binary one. */
  body: unknown
  /** The body was not empty and not JSON. */
  jsonError: boolean
  record: RecordedRequest
}

/**
 * Reads a request's whole body (null when the client went away while
 * sending it), parses it as JSON when it is, and makes the request's record:
 * the first step of every fake's handler.
 */
export async function receiveRequest(req: IncomingMessage, options: { binary?: boolean } = {}): Promise<ReceivedRequest | null> {
  const parts: Buffer[] = []
  try {
    for await (const part of req) parts.push(part as Buffer)
  } catch {
    return null
  }
  const raw = Buffer.concat(parts)
  const rawBody = options.binary ? '' : raw.toString('utf8')
  let body: unknown = options.binary ? { bytes: raw.length } : undefined
  let jsonError = false
  if (!options.binary && rawBody !== '') {
    try {
      body = JSON.parse(rawBody)
    } catch {
      body = rawBody
      jsonError = true
    }
  }
  const record: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, clientDisconnected: false }
  return { raw, rawBody, body, jsonError, record }
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A header's (first) value: Node gives some headers as lists. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Text deltas the request's token limit lets through: the fake counts one
 * token per chunk, so a limit of N keeps the first N chunks.
 */
export function limitChunks(script: LlmScript, maxTokens: number | undefined) {
  if (maxTokens === undefined || script.chunks.length <= maxTokens) {
    return { chunks: script.chunks, truncated: false }
  }
  return { chunks: script.chunks.slice(0, maxTokens), truncated: true }
}

/** A scripted tool call as it will be played, after the token limit. */
export interface PlannedToolCall {
  id: string
  name: string
  input: Record<string, unknown>
  /** The argument deltas sent; joined, the JSON arguments (or their start, when cut). */
  pieces: string[]
  /** False when the token limit cut the arguments short. */
  complete: boolean
}

/** What a script will emit under the request's token limit. */
export interface PlannedOutput {
  chunks: string[]
  toolCalls: PlannedToolCall[]
  /** Deltas emitted: text chunks plus tool-call argument pieces (the default output tokens). */
  deltas: number
  truncated: boolean
}

/**
 * Applies the request's token limit to text and tool calls alike: the fake
 * counts one token per delta, text chunks first, then each call's argument
 * pieces, so a limit of N keeps the first N deltas. A tool call of which no
 * piece fits is not made at all; one cut inside its arguments is sent
 * incomplete (its JSON does not parse), as the real services do.
 */
export function planOutput(
  script: LlmScript,
  maxTokens: number | undefined,
  newToolCallId: () => string
): PlannedOutput {
  const { chunks, truncated: textCut } = limitChunks(script, maxTokens)
  let budget = maxTokens === undefined ? Number.POSITIVE_INFINITY : maxTokens - chunks.length
  let truncated = textCut
  const toolCalls: PlannedToolCall[] = []
  for (const call of textCut ? [] : (script.toolCalls ?? [])) {
    const all = splitToolInput(call.input, script.toolInputChunkSize)
    const pieces = all.slice(0, Math.max(0, Math.min(all.length, budget)))
    budget -= pieces.length
    if (pieces.length < all.length) truncated = true
    if (pieces.length === 0) break
    toolCalls.push({
      id: call.id ?? newToolCallId(),
      name: call.name,
      input: call.input,
      pieces,
      complete: pieces.length === all.length,
    })
    if (truncated) break
  }
  const deltas = chunks.length + toolCalls.reduce((sum, call) => sum + call.pieces.length, 0)
  return { chunks, toolCalls, deltas, truncated }
}

/**
 * What the request lets the model do with tools, in provider-neutral terms,
 * for checking that a script's tool calls could really happen.
 */
export interface ToolPolicy {
  /** Names of the tools the script may call (declared, and of a kind the fake plays). */
  callable: Set<string>
  /** Every declared name, for the error message. */
  declared: string[]
  /** Declared tools the fake does not play calls of, with the reason (e.g. server tools). */
  notPlayable?: Map<string, string>
  /** `none`: no call allowed; `required`: at least one; `named`: only `named`. */
  mode: 'auto' | 'none' | 'required' | 'named'
  named?: string
  /** False when the request allows one call at most. */
  parallel: boolean
}

/**
 * Why a script's tool calls could not be the real model's answer to this
 * request (a misconfigured test), or undefined when they could.
 */
export function toolScriptProblem(script: LlmScript, policy: ToolPolicy): string | undefined {
  const size = script.toolInputChunkSize
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) {
    return `toolInputChunkSize must be a positive integer, got ${size}`
  }
  const calls = script.toolCalls ?? []
  for (const [i, call] of calls.entries()) {
    if (!isObject(call) || typeof call.name !== 'string') return `toolCalls[${i}].name must be a string`
    if (!isObject(call.input)) return `toolCalls[${i}].input must be a plain object (the tool's JSON arguments)`
    if (call.id !== undefined && (typeof call.id !== 'string' || call.id === '')) {
      return `toolCalls[${i}].id must be a non-empty string`
    }
    const reason = policy.notPlayable?.get(call.name)
    if (reason) return `the script calls tool '${call.name}', ${reason}`
    if (!policy.callable.has(call.name)) {
      const declared = policy.declared.length > 0 ? policy.declared.map((n) => `'${n}'`).join(', ') : 'none'
      return `the script calls tool '${call.name}', which the request did not declare (declared tools: ${declared})`
    }
  }
  if (policy.mode === 'none' && calls.length > 0) {
    return `the script makes ${calls.length} tool call(s) but the request's tool_choice forbids tool calls`
  }
  if ((policy.mode === 'required' || policy.mode === 'named') && calls.length === 0) {
    return "the request's tool_choice forces a tool call but the script makes none"
  }
  if (policy.mode === 'named') {
    const other = calls.find((call) => call.name !== policy.named)
    if (other) return `the request's tool_choice forces tool '${policy.named}' but the script calls '${other.name}'`
  }
  if (!policy.parallel && calls.length > 1) {
    return `the script makes ${calls.length} tool calls but the request disabled parallel tool calls`
  }
  return undefined
}

/**
 * How long a non-streaming answer takes: the same pauses its stream would
 * have, so timeouts behave alike in both modes. `deltas` counts text chunks
 * and tool-call argument pieces alike.
 */
export function generationTime(script: LlmScript, deltas: number): number {
  return (script.firstTokenDelayMs ?? 0) + (script.delayMs ?? 0) * Math.max(0, deltas - 1)
}

/** Random base62 characters, the alphabet of both providers' ids. */
export function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('')
}

/** `retry-after` for a scripted error: both services send it on 429s, in seconds. */
export function retryHeaders(failure: ScriptedHttpError): OutgoingHttpHeaders {
  const seconds = failure.retryAfterSeconds ?? (failure.status === 429 ? 1 : undefined)
  return seconds === undefined ? {} : { 'retry-after': String(seconds) }
}
