import { test } from '@japa/runner'
import { priceTurn, estimateTokens, countUsage } from '#services/metering_service'
import { cleanText, textProblem } from '#lib/text'
import ChatService from '#services/chat_service'
import type AiMessage from '#models/ai_message'
import type { ModelInfo } from '#config/ai'

const sonnet: ModelInfo = { id: 's', label: 's', inputPerMTok: 3, outputPerMTok: 15, contextWindow: 200_000, maxOutputTokens: 8192 }
const mini: ModelInfo = { id: 'm', label: 'm', inputPerMTok: 0.15, outputPerMTok: 0.6, contextWindow: 2_000, maxOutputTokens: 500 }

test.group('Pricing (provider cost + 30%)', () => {
  test('cost, charge and balance tokens, exactly', ({ assert }) => {
    // 1,000,000 in + 1,000,000 out on a $3/$15 model: $18 cost, $23.40 charged.
    assert.deepEqual(priceTurn(sonnet, 1_000_000, 1_000_000), { costMicros: 18_000_000, chargedMicros: 23_400_000, chargedTokens: 234_000 })
    // Fractional prices stay exact: 1 token at $0.15/MTok = 0.15 µ$ → charged 0.195 µ$ → rounded up once.
    assert.deepEqual(priceTurn(mini, 1, 0), { costMicros: 1, chargedMicros: 1, chargedTokens: 1 })
    assert.deepEqual(priceTurn(mini, 0, 0), { costMicros: 0, chargedMicros: 0, chargedTokens: 0 })
    // 1234 in, 567 out at $3/$15: 3702 + 8505 = 12207 µ$ → ×1.3 = 15869.1 µ$ → 159 tokens.
    assert.deepEqual(priceTurn(sonnet, 1234, 567), { costMicros: 12_207, chargedMicros: 15_870, chargedTokens: 159 })
  })

  test('estimates are conservative (at least one token per 3 characters)', ({ assert }) => {
    assert.isAtLeast(estimateTokens(['a'.repeat(300)]), 100)
  })
})

test.group('Context window', () => {
  const message = (id: number, role: 'user' | 'assistant', content: string, status = 'complete') =>
    ({ id, role, content, status }) as unknown as AiMessage

  test('keeps the newest messages that fit, drops failed ones, starts with the user and alternates', ({ assert }) => {
    const history = [
      message(1, 'user', 'old question ' + 'x'.repeat(6000)),
      message(2, 'assistant', 'old answer'),
      message(3, 'user', 'second question'),
      message(4, 'assistant', '', 'error'),
      message(5, 'user', 'third question'),
      message(6, 'assistant', 'third answer', 'partial'),
    ]
    const context = new ChatService().trimContext(history, 'new question', mini)
    assert.deepEqual(context.map((m) => m.role), ['user', 'assistant', 'user'])
    assert.equal(context[0].content, 'second question\n\nthird question')
    assert.equal(context.at(-1)!.content, 'new question')
    assert.notInclude(JSON.stringify(context), 'old question')
  })
})

test.group('Usage a provider reports is checked (countUsage)', () => {
  const traffic = { prompt: ['system prompt '.repeat(100), 'the question'], outputChars: 300, maxOutputTokens: 1000 }
  const estimatedInput = estimateTokens(traffic.prompt)

  test('plausible counts are used as reported', ({ assert }) => {
    assert.deepEqual(countUsage({ inputTokens: 400, outputTokens: 90 }, traffic), { inputTokens: 400, outputTokens: 90, estimated: false })
    // Hidden reasoning tokens: more output than visible text, up to max_tokens.
    assert.deepEqual(countUsage({ inputTokens: 400, outputTokens: 1000 }, traffic), { inputTokens: 400, outputTokens: 1000, estimated: false })
  })

  test('negative, fractional, huge, non-numeric or missing counts are estimated, in tokens', ({ assert }) => {
    for (const bad of [-1, -195_000, 1.5, Number.NaN, Infinity, 2 ** 60, '400', null, undefined, {}, 0]) {
      const counted = countUsage({ inputTokens: bad, outputTokens: bad }, traffic)
      assert.deepEqual(counted, { inputTokens: estimatedInput, outputTokens: 100, estimated: true }, String(bad))
    }
    // One side bad, the other kept.
    assert.deepEqual(countUsage({ inputTokens: 400, outputTokens: -5 }, traffic), { inputTokens: 400, outputTokens: 100, estimated: true })
    // More input than bytes sent (+ framing), more output than max_tokens: not plausible.
    assert.isTrue(countUsage({ inputTokens: 10_000, outputTokens: 1001 }, traffic).estimated)
    // No report at all: estimated, never free.
    assert.deepEqual(countUsage(null, traffic), { inputTokens: estimatedInput, outputTokens: 100, estimated: true })
    // The output estimate never passes max_tokens.
    assert.equal(countUsage(null, { ...traffic, outputChars: 1_000_000 }).outputTokens, 1000)
  })

  test('a provider that failed before answering and reported nothing costs nothing', ({ assert }) => {
    assert.deepEqual(countUsage(null, { ...traffic, outputChars: 0 }), { inputTokens: 0, outputTokens: 0, estimated: false })
  })
})

test.group('Text that cannot be stored', () => {
  test('NUL and lone surrogates are found and stripped; pairs are kept', ({ assert }) => {
    assert.equal(textProblem('a\u0000b'), 'nul')
    assert.equal(textProblem('a\uD800b'), 'surrogate')
    assert.equal(textProblem('a\uDC00'), 'surrogate')
    assert.isNull(textProblem('rocket 🚀 café'))
    assert.equal(cleanText('a\u0000b\uD800c\uDFFFd 🚀'), 'abcd 🚀')
  })
})
