import { test } from '@japa/runner'
import plugin from './index.js'
import { registerAiProviderContract } from '#tests/contracts/ai_provider'
import { planFromRequest } from './planner.js'

registerAiProviderContract(test, 'offline', () => plugin.create({ settings: {}, logger: console as any }), {
  model: 'offline-builder',
})

test.group('Offline builder: planning', () => {
  test('picks modules from the words of the request, deterministically', ({ assert }) => {
    const plan = planFromRequest('A landing page with a waitlist and a blog').map((m) => m.id)
    assert.deepEqual(plan, ['app-base', 'data-store', 'landing-page', 'waitlist', 'blog'])
    assert.deepEqual(planFromRequest('A landing page with a waitlist and a blog').map((m) => m.id), plan)
  })

  test('falls back to a landing page when nothing matches', ({ assert }) => {
    assert.deepEqual(planFromRequest('something vague').map((m) => m.id), ['app-base', 'landing-page'])
  })
})
