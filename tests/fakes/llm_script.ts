/**
 * Scripts: what a fake LLM server (FakeAnthropicServer, FakeOpenAIServer)
 * answers to the next completion request. Both fakes read the same script
 * shape, so a gateway test can replay one scenario against either provider.
 */

/**
 * An HTTP error answered instead of the completion, in the provider's own
 * error envelope. Typical values: 429 `rate_limit_error`, 500 `api_error`,
 * 529 `overloaded_error` (Anthropic); 429 `requests`/`tokens`, 500
 * `server_error`, 503 (OpenAI).
 */
export interface ScriptedHttpError {
  status: number
  /** Anthropic `error.type`, OpenAI `error.type`. */
  type: string
  message: string
  /** OpenAI only: `error.code` (e.g. `rate_limit_exceeded`). Anthropic has no such field. */
  code?: string
  /** Sent as `retry-after` (whole seconds, as both services do). Default for 429: 1. */
  retryAfterSeconds?: number
}

/**
 * An error reported inside an already-started stream (HTTP status 200): the
 * real Anthropic API does this with an `event: error` SSE event (typically
 * `overloaded_error`), OpenAI with a `data: {"error": {...}}` line.
 */
export interface ScriptedStreamError {
  /** Number of deltas (text, then tool-call arguments) sent before the error event. */
  afterChunks: number
  type: string
  message: string
}

/**
 * A native tool call ("function calling") the model makes, played after the
 * text chunks. `name` must be a tool the request declared (Anthropic: a
 * custom or client tool of `tools`; OpenAI: a `type: 'function'` tool),
 * and the request's `tool_choice` / parallel setting must allow the call:
 * otherwise the fake answers 400 `invalid_request_error` with a message
 * starting `FakeAnthropicServer: misconfigured test:` (or
 * `FakeOpenAIServer: …`), since the real model could not have made it.
 */
export interface ScriptedToolCall {
  name: string
  /** The arguments; sent as `JSON.stringify(input)`, split into deltas. */
  input: Record<string, unknown>
  /** Default: a fresh `toolu_01…` (Anthropic) or `call_…` (OpenAI) id. */
  id?: string
}

export interface LlmScript {
  /** Text deltas, in order; joined they are the whole answer. */
  chunks: string[]
  /**
   * Tool calls made after the text, in order (see `ScriptedToolCall`).
   * Each call's JSON arguments stream as several deltas, see
   * `toolInputChunkSize`.
   */
  toolCalls?: ScriptedToolCall[]
  /**
   * Characters (code points) per argument delta of a tool call. Default:
   * each call's JSON is split into 3 deltas (fewer when shorter than 3
   * characters), so that clients must accumulate.
   */
  toolInputChunkSize?: number
  /** Default: estimated from the request's prompt text, see `estimateTokens`. */
  inputTokens?: number
  /**
   * Default: one token per delta emitted, i.e. text chunks plus tool-call
   * argument deltas (Anthropic's leading empty `partial_json: ""` delta does
   * not count: it carries nothing).
   */
  outputTokens?: number
  /**
   * Anthropic `stop_reason` or OpenAI `finish_reason`. Default: `end_turn` /
   * `stop`; with tool calls, `tool_use` / `tool_calls` (OpenAI: `stop` when
   * the request forced one named function with `tool_choice`, as the real
   * API answers). Replaced by `max_tokens` / `length` when the request's
   * token limit cuts the output short, as the real services do.
   */
  stopReason?: string
  /** Answer an HTTP error instead of a completion (after `firstTokenDelayMs`). */
  failBeforeFirstToken?: ScriptedHttpError
  /**
   * Destroy the TCP connection after that many deltas (text chunks, then
   * tool-call argument deltas), without ending the chunked body: the stream
   * dies mid-way, as on a network cut. For a non-streaming request the
   * connection is destroyed before any answer.
   */
  failAfterChunks?: number
  /**
   * Report an in-stream error event after some deltas (counted as for
   * `failAfterChunks`), then end the response.
   */
  streamError?: ScriptedStreamError
  /**
   * Usage values put on the wire as they are, to play servers that report
   * nonsense (negative numbers, strings, null): OpenAI `prompt_tokens` /
   * `completion_tokens`; Anthropic `input_tokens` of message_start /
   * `output_tokens` of message_delta. A side left out keeps its count.
   */
  wireUsage?: { input?: unknown; output?: unknown }
  /**
   * No usage at all in the stream, as many OpenAI-compatible servers answer
   * (they ignore `stream_options.include_usage`). Anthropic: message_start
   * and message_delta carry no `usage`.
   */
  omitUsage?: boolean
  /**
   * The response ends cleanly after the deltas, without the stream's end
   * marker (OpenAI: no finish_reason chunk, usage or `data: [DONE]`;
   * Anthropic: no message_delta or message_stop), as a proxy or server that
   * gives up does.
   */
  endWithoutStop?: boolean
  /** Pause between two deltas. */
  delayMs?: number
  /**
   * Pause before the first delta. Response headers (and, for Anthropic, the
   * message_start event) are sent at once, as the real services do.
   */
  firstTokenDelayMs?: number
}

export type ScriptOptions = Omit<LlmScript, 'chunks'>

/**
 * Splits text into word-ish chunks: each chunk is one word with the
 * whitespace before it (trailing whitespace goes to the last chunk), so
 * `chunks.join('') === text` always holds.
 */
export function splitIntoChunks(text: string): string[] {
  const chunks = text.match(/\s*\S+/g) ?? []
  const covered = chunks.join('').length
  if (covered < text.length) {
    const rest = text.slice(covered)
    if (chunks.length === 0) return [rest]
    chunks[chunks.length - 1] += rest
  }
  return chunks
}

/**
 * A script that streams `text` word by word.
 *
 * Token counts, unless given in `opts`:
 * - outputTokens = number of chunks emitted (one "token" per word);
 * - inputTokens = estimated by the server from the request it answers:
 *   ceil(characters of every prompt text, system included, / 4), at least 1
 *   (the usual ~4 characters per token rule of thumb). With tools, the
 *   prompt text also holds the tool definitions (`JSON.stringify(tools)`),
 *   the inputs of earlier tool calls (as JSON) and the tool results' text,
 *   as the real services bill them too.
 */
export function textScript(text: string, opts: ScriptOptions = {}): LlmScript {
  return { ...opts, chunks: splitIntoChunks(text) }
}

/**
 * A script that writes `text` (may be empty) word by word, then makes the
 * given tool calls. Default output tokens: text chunks + argument deltas.
 */
export function toolCallScript(
  text: string,
  toolCalls: ScriptedToolCall[],
  opts: Omit<ScriptOptions, 'toolCalls'> = {}
): LlmScript {
  return { ...opts, chunks: text === '' ? [] : splitIntoChunks(text), toolCalls }
}

/**
 * The argument deltas of one tool call: `JSON.stringify(input)` cut into
 * pieces of `chunkSize` code points (never inside a surrogate pair); by
 * default 3 pieces. Joined, they are the JSON text exactly.
 */
export function splitToolInput(input: Record<string, unknown>, chunkSize?: number): string[] {
  const chars = Array.from(JSON.stringify(input))
  const size = chunkSize ?? Math.max(1, Math.ceil(chars.length / 3))
  const pieces: string[] = []
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''))
  return pieces
}

/** The ~4 characters per token rule, used when a script gives no inputTokens. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}
