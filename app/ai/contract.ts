/**
 * The contract of an AI provider plugin (kind "ai-provider"). A driver
 * streams one chat turn as events; the gateway does fallback, metering,
 * persistence and relaying to the browser.
 */
export type ChatRole = 'user' | 'assistant'

export type ChatMessage = { role: ChatRole; content: string }

/**
 * A native tool the model may call (JSON Schema input), for providers with
 * function calling. Drivers without tool support ignore them.
 */
export type ToolDefinition = {
  name: string
  description: string
  inputSchema: Record<string, unknown>
}

export type ChatRequest = {
  model: string
  tools?: ToolDefinition[]
  system?: string
  /** Oldest first; the last one is the user's new message. */
  messages: ChatMessage[]
  maxOutputTokens: number
  /** Aborted when the user presses Stop or the client goes away. */
  signal?: AbortSignal
}

export type ChatEvent =
  | { type: 'text'; text: string }
  /**
   * The token counts the provider reported, passed on as they came (the
   * gateway checks them: a server may report anything). Left out when the
   * provider reported none; a count it did not report is undefined.
   */
  | { type: 'usage'; inputTokens: unknown; outputTokens: unknown }
  /** The model started a tool call (its arguments are streaming): the answer has begun. */
  | { type: 'tool_call_start'; name: string }
  /** A complete tool call (its arguments parsed; `input` is undefined when they were not valid JSON). */
  | { type: 'tool_call'; name: string; input: unknown }
  /**
   * The provider's end marker came (OpenAI finish_reason, Anthropic
   * message_stop). Only then: a stream that closes without it was cut off,
   * and the gateway treats it so (nothing applied).
   */
  | { type: 'end'; stopReason: string }

/**
 * A provider failure, classified so the gateway knows whether the next
 * provider of the fallback chain may answer instead.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    public options: {
      /** Network error, timeout, HTTP 5xx or 429: another provider may answer. */
      retryable: boolean
      status?: number
      code?: string
    }
  ) {
    super(message)
  }

  get retryable() {
    return this.options.retryable
  }
}

export interface AiProvider {
  /**
   * Streams the answer. Yields `usage` once if the provider reported it
   * (before `end`; never invented), `end` only when the provider ended the
   * answer, and throws a ProviderError on failure.
   */
  stream(request: ChatRequest): AsyncIterable<ChatEvent>
}

/**
 * Maps an HTTP-ish failure (SDK errors carry `status`) to a ProviderError.
 */
export function classifyError(error: unknown, provider: string): ProviderError {
  if (error instanceof ProviderError) return error
  const err = error as { status?: number; name?: string; message?: string; code?: string; error?: any }
  const status = typeof err?.status === 'number' ? err.status : undefined
  const detail = err?.error?.error?.message ?? err?.error?.message ?? err?.message ?? String(error)
  if (err?.name === 'AbortError' || /aborted/i.test(String(err?.message)) && !status) {
    return new ProviderError(`${provider}: request aborted`, { retryable: false, code: 'aborted' })
  }
  if (status === undefined) {
    return new ProviderError(`${provider}: ${detail}`, { retryable: true, code: err?.code ?? 'network' })
  }
  const retryable = status === 429 || status === 408 || status >= 500
  return new ProviderError(`${provider} answered ${status}: ${detail}`, { retryable, status })
}
