import { definePlugin } from '#plugins/definition'
import type { AiProvider, ChatEvent, ChatRequest } from '#ai/contract'
import { planFromRequest, renderPlan } from './planner.js'

/**
 * The offline builder: no key, no network. It reads the request, picks the
 * code modules that match what was asked for and answers with the plan,
 * deterministically (the same request always gives the same answer). It is
 * the embedded default so a fresh instance works with no AI account.
 */
export default definePlugin<AiProvider>({
  id: 'offline',
  kind: 'ai-provider',
  name: 'Offline builder',
  description: 'Builds apps from code modules without any AI model: no key, no network, deterministic.',
  version: '1.0.0',
  hostApi: '^1.0.0',
  settings: [],
  create() {
    return {
      async *stream(request: ChatRequest): AsyncIterable<ChatEvent> {
        const last = [...request.messages].reverse().find((m) => m.role === 'user')
        const answer = renderPlan(planFromRequest(last?.content ?? ''))
        // Word-sized chunks, like a model's tokens, so the chat streams.
        const chunks = answer.match(/\S+\s*|\s+/g) ?? []
        let sent = 0
        for (const chunk of chunks) {
          if (request.signal?.aborted) break
          if (sent >= request.maxOutputTokens) break
          sent += 1
          yield { type: 'text', text: chunk }
        }
        const promptChars = (request.system ?? '').length + request.messages.reduce((n, m) => n + m.content.length, 0)
        yield { type: 'usage', inputTokens: Math.ceil(promptChars / 4), outputTokens: sent }
        yield { type: 'end', stopReason: sent < chunks.length ? 'max_tokens' : 'end_turn' }
      },
    }
  },
})
