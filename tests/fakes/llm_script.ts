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
  /** Number of text deltas sent before the error event. */
  afterChunks: number
  type: string
  message: string
}

export interface LlmScript {
  /** Text deltas, in order; joined they are the whole answer. */
  chunks: string[]
  /** Default: estimated from the request's prompt text, see `estimateTokens`. */
  inputTokens?: number
  /** Default: one token per chunk emitted. */
  outputTokens?: number
  /**
   * Anthropic `stop_reason` (default `end_turn`) or OpenAI `finish_reason`
   * (default `stop`). Replaced by `max_tokens` / `length` when the request's
   * token limit cuts the chunks short, as the real services do.
   */
  stopReason?: string
  /** Answer an HTTP error instead of a completion (after `firstTokenDelayMs`). */
  failBeforeFirstToken?: ScriptedHttpError
  /**
   * Destroy the TCP connection after that many text deltas, without ending
   * the chunked body: the stream dies mid-way, as on a network cut. For a
   * non-streaming request the connection is destroyed before any answer.
   */
  failAfterChunks?: number
  /** Report an in-stream error event after some deltas, then end the response. */
  streamError?: ScriptedStreamError
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
 *   (the usual ~4 characters per token rule of thumb).
 */
export function textScript(text: string, opts: ScriptOptions = {}): LlmScript {
  return { ...opts, chunks: splitIntoChunks(text) }
}

/** The ~4 characters per token rule, used when a script gives no inputTokens. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}
