/// <reference lib="dom" />
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { useFakeProviders } from '#tests/helpers/ai'
import { textScript } from '#tests/fakes/anthropic_server'
import { WebClient } from '#tests/helpers/web_client'

const base = new WebClient().baseUrl

/**
 * Acceptance: with a local fake Anthropic server speaking the real SSE
 * format, the browser shows the answer while it streams, and the stored
 * message equals the streamed text.
 */
test.group('Project chat in the browser', (group) => {
  const fakes = useFakeProviders(group)

  async function openNewProject(visit: any, email: string) {
    const page = await visit(base + '/signup')
    await page.fill('#name', 'Chat Person')
    await page.fill('#email', email)
    await page.fill('#password', 'chat person password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')
    await page.locator('[data-test="new-project"]').click()
    await page.waitForURL('**/projects/new')
    await page.fill('#name', 'Streaming demo')
    await page.getByRole('button', { name: 'Create project' }).click()
    await page.waitForURL(/\/projects\/\d+$/)
    return page
  }

  test('the answer appears as it streams, with model, tokens and cost, and is stored as shown', async ({ visit, assert }) => {
    const answer = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ') + ' <script>alert(1)</script> **done**'
    fakes().anthropic.enqueue(textScript(answer, { delayMs: 40, inputTokens: 321, outputTokens: 65 }))
    const page = await openNewProject(visit, 'stream@example.com')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))

    await page.assertExists('[data-test="chat-empty"]')
    const picker = page.locator('[data-test="model-picker"]')
    assert.include(await picker.inputValue(), 'anthropic::')
    await page.fill('[data-test="chat-input"]', 'Build a landing page with a waitlist')
    page.on('console', (message: any) => ['error', 'warning'].includes(message.type()) && errors.push(message.text()))
    await page.locator('[data-test="chat-send"]').click()

    // While streaming: some text is shown, not all of it, and the stop button is there.
    const assistant = page.locator('[data-test="assistant-text"]').last()
    await page.waitForFunction(() => (document.querySelectorAll('[data-test="assistant-text"]')[0]?.textContent ?? '').includes('word3'))
    const partial = await assistant.textContent()
    assert.isFalse(partial!.includes('done'), 'shown before the answer is complete')
    assert.isTrue(await page.locator('[data-test="chat-stop"]').isVisible())

    // At the end: the whole answer, its meta line, and nothing executed.
    await page.waitForFunction(() => /tokens/.test(document.querySelector('[data-test="message-meta"]')?.textContent ?? ''))
    const shown = (await assistant.textContent())!
    assert.include(shown, 'word59')
    assert.include(shown, '<script>alert(1)</script>', 'model HTML is shown as text')
    assert.equal(await assistant.locator('strong').textContent(), 'done')
    assert.equal(await page.locator('[data-test="assistant-text"] script').count(), 0)
    const meta = (await page.locator('[data-test="message-meta"]').last().textContent())!
    assert.include(meta, 'anthropic/claude-sonnet-4-6')
    assert.include(meta, '386 tokens')
    assert.match(meta, /\$0\.\d+/)

    const stored = await db.from('ai_messages').where('role', 'assistant').firstOrFail()
    assert.equal(stored.content, answer)
    assert.equal(stored.status, 'complete')

    // History survives a reload, rendered the same way.
    await page.reload()
    await page.waitForFunction(() => (document.querySelector('[data-test="assistant-text"]')?.textContent ?? '').includes('word59'))
    assert.include((await page.locator('[data-role="user"]').first().textContent())!, 'Build a landing page with a waitlist')
    assert.deepEqual(errors, [])
  })

  test('OpenAI-compatible fallback: the primary fails before its first token, the browser says so and streams the fallback', async ({ visit, assert }) => {
    fakes().anthropic.enqueue({ chunks: [], failBeforeFirstToken: { status: 529, type: 'overloaded_error', message: 'Overloaded' } })
    const answer = Array.from({ length: 40 }, (_, i) => `fallback${i}`).join(' ')
    fakes().openai.enqueue(textScript(answer, { delayMs: 30 }))
    const page = await openNewProject(visit, 'fallback@example.com')
    await page.fill('[data-test="chat-input"]', 'Build it')
    await page.locator('[data-test="chat-send"]').click()
    await page.waitForFunction(() => (document.querySelector('[data-test="assistant-text"]')?.textContent ?? '').includes('fallback2'))
    const notice = (await page.locator('[data-test="chat-notice"]').textContent())!
    assert.match(notice, /anthropic did not answer \(anthropic answered 529.*\); openai is answering instead/)
    assert.isFalse((await page.locator('[data-test="assistant-text"]').textContent())!.includes('fallback39'), 'still streaming')
    await page.waitForFunction(() => /openai\//.test(document.querySelector('[data-test="message-meta"]')?.textContent ?? ''))
    const stored = await db.from('ai_messages').where('role', 'assistant').firstOrFail()
    assert.equal(stored.content, answer)
    assert.equal(stored.provider, 'openai')
    assert.equal((await page.locator('[data-test="assistant-text"]').textContent())!.trim(), answer)
  })

  test('Stop ends a streaming answer; what arrived is kept and marked', async ({ visit, assert }) => {
    const answer = Array.from({ length: 200 }, (_, i) => `slow${i}`).join(' ')
    fakes().anthropic.enqueue(textScript(answer, { delayMs: 50 }))
    const page = await openNewProject(visit, 'stop@example.com')
    await page.fill('[data-test="chat-input"]', 'Write a lot')
    await page.locator('[data-test="chat-send"]').click()
    await page.waitForFunction(() => (document.querySelector('[data-test="assistant-text"]')?.textContent ?? '').includes('slow5'))
    await page.locator('[data-test="chat-stop"]').click()
    await page.locator('[data-test="chat-stop"]').waitFor({ state: 'hidden' })
    assert.include((await page.locator('[data-test="message-meta"]').last().textContent())!, 'stopped')

    // The server notices the browser went away, stops the provider call and settles.
    let stored: any
    for (let i = 0; i < 50; i++) {
      stored = await db.from('ai_messages').where('role', 'assistant').first()
      if (stored?.status !== 'streaming') break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal(stored.status, 'stopped')
    assert.include(stored.content, 'slow5')
    assert.notInclude(stored.content, 'slow199')
    const workspace = await db.from('workspaces').firstOrFail()
    assert.equal(Number(workspace.tokens_reserved), 0)
  })

  test('a refused turn (balance too low) shows why and keeps the draft', async ({ visit, assert }) => {
    const page = await openNewProject(visit, 'broke@example.com')
    await db.from('workspaces').update({ tokens_balance: 1 })
    await page.fill('[data-test="chat-input"]', 'Build something big')
    await page.locator('[data-test="chat-send"]').click()
    await page.waitForSelector('[data-test="chat-notice"]:not([style*="display: none"])')
    assert.match((await page.locator('[data-test="chat-notice"]').textContent())!, /cannot cover this turn/)
    assert.equal(await page.locator('[data-test="chat-input"]').inputValue(), 'Build something big')
    assert.lengthOf(fakes().anthropic.requests, 0)
  })
})
