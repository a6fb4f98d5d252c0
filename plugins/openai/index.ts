import { definePlugin } from '#plugins/definition'
import { classifyError, type AiProvider, type ChatEvent, type ChatRequest } from '#ai/contract'

/**
 * OpenAI Chat Completions, streamed, through the official SDK. With a base
 * URL it talks to any OpenAI-compatible server: Ollama
 * (http://localhost:11434/v1), LM Studio, vLLM, OpenRouter…
 */
export default definePlugin<AiProvider>({
  id: 'openai',
  kind: 'ai-provider',
  name: 'OpenAI and compatible servers',
  description: 'OpenAI models, or any OpenAI-compatible server (Ollama, LM Studio, vLLM, OpenRouter) through its base URL.',
  version: '1.0.0',
  hostApi: '^1.0.0',
  settings: [
    { name: 'api_key', label: 'API key', secret: true, required: true, scopes: ['platform', 'workspace'], env: 'OPENAI_API_KEY', help: 'Local servers such as Ollama accept any value' },
    { name: 'base_url', label: 'Base URL', type: 'url', scopes: ['platform'], env: 'OPENAI_BASE_URL', help: 'Leave empty for https://api.openai.com/v1' },
  ],
  async create({ settings }) {
    const { default: OpenAI } = await import('openai')
    const client = new OpenAI({
      apiKey: settings.api_key,
      baseURL: settings.base_url || undefined,
      maxRetries: 0,
      timeout: 10 * 60 * 1000,
    })

    return {
      async *stream(request: ChatRequest): AsyncIterable<ChatEvent> {
        // Only what the server sent: many OpenAI-compatible servers send no
        // usage, and a stream that closes without a finish_reason was cut off.
        let usage: { inputTokens: unknown; outputTokens: unknown } | null = null
        let stopReason: string | null = null
        // Tool calls arrive in pieces, keyed by their index.
        const tools = new Map<number, { name: string; args: string }>()
        try {
          const messages = [
            ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
            ...request.messages.map((m) => ({ role: m.role, content: m.content })),
          ]
          const stream = await client.chat.completions.create(
            {
              model: request.model,
              messages,
              // max_tokens rather than max_completion_tokens: every OpenAI-compatible
              // server (Ollama, vLLM, LM Studio) understands it.
              max_tokens: request.maxOutputTokens,
              ...(request.tools?.length
                ? {
                    tools: request.tools.map((t) => ({
                      type: 'function' as const,
                      function: { name: t.name, description: t.description, parameters: t.inputSchema },
                    })),
                  }
                : {}),
              stream: true,
              stream_options: { include_usage: true },
            },
            { signal: request.signal }
          )
          for await (const chunk of stream) {
            const choice = chunk.choices[0]
            if (choice?.delta?.content) yield { type: 'text', text: choice.delta.content }
            for (const call of choice?.delta?.tool_calls ?? []) {
              const tool = tools.get(call.index) ?? { name: '', args: '' }
              if (call.function?.name && !tool.name) yield { type: 'tool_call_start', name: call.function.name }
              if (call.function?.name) tool.name = call.function.name
              if (call.function?.arguments) tool.args += call.function.arguments
              tools.set(call.index, tool)
            }
            if (choice?.finish_reason) stopReason = choice.finish_reason
            if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens }
          }
        } catch (error) {
          throw classifyError(error, 'openai')
        }
        for (const [, tool] of [...tools].sort(([a], [b]) => a - b)) {
          let input: unknown
          try {
            input = JSON.parse(tool.args || '{}')
          } catch {
            input = undefined
          }
          yield { type: 'tool_call', name: tool.name, input }
        }
        if (usage) yield { type: 'usage', ...usage }
        if (stopReason !== null) yield { type: 'end', stopReason }
      },
    }
  },
})
