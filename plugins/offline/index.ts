import { definePlugin } from '#plugins/definition'
import type { AiProvider, ChatEvent, ChatRequest } from '#ai/contract'
import { loadCatalogue } from '#modules/composer'
import { buildAnswer } from './builder.js'

/**
 * The offline builder: no key, no network, no model. It reads the whole
 * conversation with a request interpreter (English and Russian), turns it
 * into a plan of the app and answers with the plan in the same output
 * protocol AI models use, deterministically (the same conversation always
 * gives the same answer). It is the embedded default so a fresh instance
 * works with no AI account.
 */
export default definePlugin<AiProvider>({
  id: 'offline',
  kind: 'ai-provider',
  name: 'Offline builder',
  description: 'Builds apps from code modules without any AI model: no key, no network, deterministic. Understands English and Russian.',
  version: '2.0.0',
  hostApi: '^1.0.0',
  settings: [],
  create() {
    return {
      async *stream(request: ChatRequest): AsyncIterable<ChatEvent> {
        const catalogue = await loadCatalogue()
        const users = request.messages.filter((m) => m.role === 'user').map((m) => m.content)
        const answer = buildAnswer(users, catalogue).answer
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
