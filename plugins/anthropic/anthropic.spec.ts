import { test } from '@japa/runner'
import plugin from './index.js'
import { registerAiProviderContract } from '#tests/contracts/ai_provider'
import { FakeAnthropicServer, textScript } from '#tests/fakes/anthropic_server'

const fake = new FakeAnthropicServer({ apiKey: 'contract-key' })

registerAiProviderContract(
  test,
  'anthropic (real SDK against the fake Messages API)',
  () => plugin.create({ settings: { api_key: 'contract-key', base_url: fake.url }, logger: console as any }),
  {
    model: 'claude-haiku-4-5',
    setup: async () => {
      await fake.start()
      return () => fake.close()
    },
    beforeEach: () => {
      fake.setDefault(textScript('Hello there, nice to meet you today', { delayMs: 2 }))
    },
  }
)
