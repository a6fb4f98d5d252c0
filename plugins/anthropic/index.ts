import { definePlugin } from '#plugins/definition'
import { classifyError, type AiProvider, type ChatEvent, type ChatRequest } from '#ai/contract'

/**
 * Anthropic Messages API, streamed, through the official SDK. The SDK is
 * imported when the first driver is built, never at boot.
 */
export default definePlugin<AiProvider>({
  id: 'anthropic',
  kind: 'ai-provider',
  name: 'Anthropic (Claude)',
  description: 'Claude models through the Anthropic Messages API, streamed.',
  version: '1.0.0',
  hostApi: '^1.0.0',
  settings: [
    { name: 'api_key', label: 'API key', secret: true, required: true, scopes: ['platform', 'workspace'], env: 'ANTHROPIC_API_KEY' },
    { name: 'base_url', label: 'Base URL', type: 'url', scopes: ['platform'], env: 'ANTHROPIC_BASE_URL', help: 'Leave empty for https://api.anthropic.com' },
  ],
  async create({ settings }) {
    const { default: Anthropic } = await import('@anthropic-ai/sdk')
    const client = new Anthropic({
      apiKey: settings.api_key,
      baseURL: settings.base_url || undefined,
      // The gateway owns retries: it falls back to the next provider instead.
      maxRetries: 0,
      timeout: 10 * 60 * 1000,
    })

    return {
      async *stream(request: ChatRequest): AsyncIterable<ChatEvent> {
        // Only what the API sent; `end` only after message_stop: a stream
        // that closes before it was cut off.
        let inputTokens: unknown
        let outputTokens: unknown
        let reported = false
        let stopReason = 'end_turn'
        let stopped = false
        // Tool calls arrive as a block start, JSON fragments, a block stop.
        const tools = new Map<number, { name: string; json: string }>()
        const calls: ChatEvent[] = []
        try {
          const stream = await client.messages.create(
            {
              model: request.model,
              max_tokens: request.maxOutputTokens,
              system: request.system,
              messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
              ...(request.tools?.length
                ? { tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema as any })) }
                : {}),
              stream: true,
            },
            { signal: request.signal }
          )
          for await (const event of stream) {
            if (event.type === 'message_start') {
              const usage = event.message?.usage
              if (usage) {
                reported = true
                inputTokens = usage.input_tokens
                outputTokens = usage.output_tokens
              }
            } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
              yield { type: 'text', text: event.delta.text }
            } else if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
              tools.set(event.index, { name: event.content_block.name, json: '' })
              yield { type: 'tool_call_start', name: event.content_block.name }
            } else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
              const tool = tools.get(event.index)
              if (tool) tool.json += event.delta.partial_json
            } else if (event.type === 'content_block_stop' && tools.has(event.index)) {
              const tool = tools.get(event.index)!
              calls.push({ type: 'tool_call', name: tool.name, input: parseJson(tool.json) })
            } else if (event.type === 'message_delta') {
              if (event.usage) {
                reported = true
                outputTokens = event.usage.output_tokens
              }
              stopReason = event.delta?.stop_reason ?? stopReason
            } else if (event.type === 'message_stop') {
              stopped = true
            }
          }
        } catch (error) {
          throw classifyError(error, 'anthropic')
        }
        yield* calls
        if (reported) yield { type: 'usage', inputTokens, outputTokens }
        if (stopped) yield { type: 'end', stopReason }
      },
    }
  },
})

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text || '{}')
  } catch {
    return undefined
  }
}
