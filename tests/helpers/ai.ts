import aiConfig from '#config/ai'
import ai from '#ai/ai_manager'
import { FakeAnthropicServer } from '#tests/fakes/anthropic_server'
import { FakeOpenAIServer } from '#tests/fakes/openai_server'
import { WebClient, uniqueEmail } from '#tests/helpers/web_client'
import { truncateAll } from '#tests/helpers/services'
import type { Group } from '@japa/runner/core'

/**
 * Starts the fake Anthropic and OpenAI servers and points the real plugins
 * (real SDKs) at them through their standard env variables.
 */
export async function startFakeProviders() {
  const anthropic = new FakeAnthropicServer({ apiKey: 'test-anthropic-key' })
  const openai = new FakeOpenAIServer({ apiKey: 'test-openai-key' })
  await Promise.all([anthropic.start(), openai.start()])
  const saved = { env: { ...process.env }, provider: aiConfig.defaultProvider, fallback: [...aiConfig.fallback] }
  Object.assign(process.env, {
    ANTHROPIC_API_KEY: anthropic.apiKey,
    ANTHROPIC_BASE_URL: anthropic.url,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
  })
  ai.flush()
  return {
    anthropic,
    openai,
    /** The configured chain, as AI_PROVIDER / AI_FALLBACK would set it. */
    useChain(primary: string, ...fallback: string[]) {
      aiConfig.defaultProvider = primary
      aiConfig.fallback = fallback
    },
    async stop() {
      for (const key of ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) {
        if (saved.env[key] === undefined) delete process.env[key]
        else process.env[key] = saved.env[key]
      }
      aiConfig.defaultProvider = saved.provider
      aiConfig.fallback = saved.fallback
      ai.flush()
      await Promise.all([anthropic.close(), openai.close()])
    },
  }
}

export type SseEvent = { event: string; data: any }

/**
 * Reads a text/event-stream body into events, keeping the order.
 */
export async function readSse(response: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = []
  const text = await response.text()
  for (const block of text.split('\n\n')) {
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim()
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
    }
    if (data.length) events.push({ event, data: JSON.parse(data.join('\n')) })
  }
  return events
}

/**
 * A new account through the API, with a project; returns helpers bound to
 * its token.
 */
export async function apiAccount(name = 'Chatter') {
  const base = new WebClient().baseUrl
  const register = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name, email: uniqueEmail('chat'), password: 'chat password 1' }),
  })
  const body = (await register.json()) as any
  const token: string = body.token.value
  const call = async (method: string, path: string, payload?: unknown, accept = 'application/json') => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json', accept },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    })
    return response
  }
  const json = async (method: string, path: string, payload?: unknown) => {
    const response = await call(method, path, payload)
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers }
  }
  const project = (await json('POST', '/api/v1/projects', { name: `${name}'s app` })).body.project
  return { token, user: body.user, workspaceId: body.user.workspace.id as number, project, call, json }
}

type Fakes = Awaited<ReturnType<typeof startFakeProviders>>

/**
 * Wires the fake providers into a test group: started once for the group,
 * and before each test the database is emptied, the fakes forget earlier
 * requests and the chain is set. Returns an accessor for the fakes.
 */
export function useFakeProviders(group: Group, chain: string[] = ['anthropic', 'openai']): () => Fakes {
  let fakes: Fakes
  group.setup(async () => {
    fakes = await startFakeProviders()
    return () => fakes.stop()
  })
  group.each.setup(async () => {
    await truncateAll()
    fakes.anthropic.reset()
    fakes.openai.reset()
    fakes.useChain(chain[0], ...chain.slice(1))
  })
  return () => fakes
}
