import { test } from '@japa/runner'
import plugin from './index.js'
import { registerAiProviderContract } from '#tests/contracts/ai_provider'
import { FakeOpenAIServer, textScript } from '#tests/fakes/openai_server'

const fake = new FakeOpenAIServer({ apiKey: 'contract-key', models: ['gpt-4.1-mini', 'llama3.1:8b'] })

registerAiProviderContract(
  test,
  'openai (real SDK against the fake Chat Completions API)',
  () => plugin.create({ settings: { api_key: 'contract-key', base_url: fake.url }, logger: console as any }),
  {
    model: 'llama3.1:8b',
    setup: async () => {
      await fake.start()
      return () => fake.close()
    },
    beforeEach: () => {
      fake.setDefault(textScript('Hello there, nice to meet you today', { delayMs: 2 }))
    },
  }
)
