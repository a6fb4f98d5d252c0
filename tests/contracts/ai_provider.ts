import assert from 'node:assert/strict'
import type { AiProvider, ChatEvent, ChatRequest } from '#ai/contract'
import { ProviderError } from '#ai/contract'

/**
 * The contract every AI provider plugin must meet, as plain checks that any
 * test runner can run (a third-party plugin proves it conforms by running
 * them). `registerAiProviderContract` wires them into Japa.
 */
export type ContractCheck = { name: string; run: () => Promise<void> }

export type ContractOptions = {
  /** A model id the driver accepts. */
  model: string
  /** Called before each check (e.g. to script a fake server). */
  beforeEach?: () => void | Promise<void>
}

async function collect(driver: AiProvider, request: ChatRequest): Promise<ChatEvent[]> {
  const events: ChatEvent[] = []
  for await (const event of driver.stream(request)) events.push(event)
  return events
}

const request = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  system: 'You are a test.',
  messages: [{ role: 'user', content: 'Say hello in a few words.' }],
  maxOutputTokens: 256,
  ...extra,
})

export function aiProviderContract(makeDriver: () => AiProvider | Promise<AiProvider>, options: ContractOptions): ContractCheck[] {
  const check = (name: string, body: (driver: AiProvider) => Promise<void>): ContractCheck => ({
    name,
    run: async () => {
      await options.beforeEach?.()
      await body(await makeDriver())
    },
  })

  return [
    check('streams text, then reports usage once, then ends', async (driver) => {
      const events = await collect(driver, request(options.model))
      const kinds = events.map((e) => e.type)
      assert.ok(kinds.includes('text'), 'at least one text event')
      assert.equal(kinds.filter((k) => k === 'usage').length, 1, 'exactly one usage event')
      assert.equal(kinds.at(-1), 'end', 'the last event is end')
      assert.ok(kinds.lastIndexOf('text') < kinds.indexOf('usage'), 'usage comes after the text')
      for (const event of events) {
        if (event.type === 'text') assert.equal(typeof event.text, 'string')
      }
    }),

    check('usage is reported in non-negative whole tokens', async (driver) => {
      const usage = (await collect(driver, request(options.model))).find((e) => e.type === 'usage')
      assert.ok(usage && usage.type === 'usage')
      for (const value of [usage.inputTokens, usage.outputTokens]) {
        assert.ok(typeof value === 'number' && Number.isInteger(value) && value >= 0, `whole, non-negative: ${value}`)
      }
      assert.ok((usage.outputTokens as number) > 0, 'text was produced, so output tokens were used')
    }),

    check('honours maxOutputTokens', async (driver) => {
      const events = await collect(driver, request(options.model, { maxOutputTokens: 3 }))
      const usage = events.find((e) => e.type === 'usage')
      assert.ok(usage && usage.type === 'usage')
      assert.ok((usage.outputTokens as number) <= 3, `at most 3 output tokens, got ${usage.outputTokens}`)
    }),

    check('sees the whole conversation, in order', async (driver) => {
      const events = await collect(
        driver,
        request(options.model, {
          messages: [
            { role: 'user', content: 'First question' },
            { role: 'assistant', content: 'First answer' },
            { role: 'user', content: 'Second question' },
          ],
        })
      )
      assert.equal(events.at(-1)?.type, 'end')
    }),

    check('stops promptly when aborted, ending or failing with a ProviderError', async (driver) => {
      const controller = new AbortController()
      const started = Date.now()
      try {
        for await (const event of driver.stream(request(options.model, { signal: controller.signal }))) {
          if (event.type === 'text') controller.abort()
        }
      } catch (error) {
        assert.ok(error instanceof ProviderError, `a ProviderError, not ${String(error)}`)
      }
      assert.ok(Date.now() - started < 5000, 'within 5 seconds')
    }),
  ]
}

/**
 * Registers the contract as a Japa group: one test per check.
 */
export function registerAiProviderContract(
  test: typeof import('@japa/runner').test,
  title: string,
  makeDriver: () => AiProvider | Promise<AiProvider>,
  options: ContractOptions & { setup?: () => Promise<() => Promise<void> | void> }
) {
  test.group(`AI provider contract: ${title}`, (group) => {
    if (options.setup) group.setup(options.setup)
    for (const contractCheck of aiProviderContract(makeDriver, options)) {
      test(contractCheck.name, contractCheck.run)
    }
  })
}
