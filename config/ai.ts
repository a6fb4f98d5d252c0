import env from '#start/env'

/**
 * AI gateway configuration.
 *
 * Prices are list prices in US dollars per million tokens (input, output).
 * A turn costs input × in + output × out; the workspace is charged that
 * cost + the markup (seed: 30%), converted to balance tokens at
 * 1 token = $0.0001 and rounded up to a whole token.
 */
export type ModelInfo = {
  id: string
  label: string
  inputPerMTok: number
  outputPerMTok: number
  contextWindow: number
  maxOutputTokens: number
  /** Native tool calls (function calling). Models without it use the tagged-text protocol. */
  tools?: boolean
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)
}

/**
 * Extra models without a code change, e.g. for OpenAI-compatible servers
 * (Ollama, LM Studio, vLLM…): OPENAI_MODELS="llama3.1:8b, qwen2.5-coder:7b=0.1/0.2"
 * (optional prices in $/MTok after "=", otherwise free). ANTHROPIC_MODELS
 * works the same way. List prices change: keep this catalogue current.
 */
function parseExtraModels(value: string | undefined): ModelInfo[] {
  return list(value).map((item) => {
    const [id, prices] = item.split('=')
    const [input, output] = (prices ?? '0/0').split('/').map(Number)
    return {
      id: id.trim(),
      label: id.trim(),
      inputPerMTok: Number.isFinite(input) ? input : 0,
      outputPerMTok: Number.isFinite(output) ? output : 0,
      contextWindow: 32_000,
      maxOutputTokens: 4096,
      // Small local models often mangle tool calls: they use the tagged text.
      tools: false,
    }
  })
}

const aiConfig = {
  /** The provider that answers first, then the fallbacks in order. */
  defaultProvider: env.get('AI_PROVIDER', 'offline'),
  fallback: list(env.get('AI_FALLBACK')),
  markupPercent: env.get('AI_MARKUP_PERCENT', 30),
  /** 1 balance token = this many micro-dollars ($0.0001). */
  microsPerBalanceToken: 100,
  firstTokenTimeoutMs: env.get('AI_FIRST_TOKEN_TIMEOUT_MS', 30_000),
  /**
   * The deadline of an answer once its first token came: a stream that
   * drips on for longer is stopped (and charged for what arrived), so no
   * turn holds its balance for ever.
   */
  turnTimeoutMs: env.get('AI_TURN_TIMEOUT_MS', 10 * 60_000),
  /**
   * A live turn touches its message this often; the sweeper takes a turn
   * for dead (its platform process is gone) only after `staleTurnMs`
   * without a touch, so it never releases the hold of a turn that is alive.
   */
  turnHeartbeatMs: 30_000,
  staleTurnMs: 5 * 60_000,
  maxMessageChars: 20_000,
  /** An answer longer than this is stopped (no model writes that much; a runaway stream would fill memory and the database). */
  maxAnswerChars: 2 * 1024 * 1024,
  systemPrompt:
    'You are xBasis, an assistant that builds web apps for people who describe them in plain words. ' +
    'You assemble apps from ready, tested code modules and explain what you do briefly. ' +
    'Answer in Markdown.',

  models: {
    anthropic: [
      { id: 'claude-sonnet-4-6', label: 'Claude Sonnet 4.6', inputPerMTok: 3, outputPerMTok: 15, contextWindow: 200_000, maxOutputTokens: 8192 },
      { id: 'claude-haiku-4-5', label: 'Claude Haiku 4.5', inputPerMTok: 1, outputPerMTok: 5, contextWindow: 200_000, maxOutputTokens: 8192 },
      { id: 'claude-opus-4-5', label: 'Claude Opus 4.5', inputPerMTok: 5, outputPerMTok: 25, contextWindow: 200_000, maxOutputTokens: 8192 },
      ...parseExtraModels(env.get('ANTHROPIC_MODELS')),
    ],
    openai: [
      { id: 'gpt-4.1', label: 'GPT-4.1', inputPerMTok: 2, outputPerMTok: 8, contextWindow: 1_000_000, maxOutputTokens: 8192 },
      { id: 'gpt-4.1-mini', label: 'GPT-4.1 mini', inputPerMTok: 0.4, outputPerMTok: 1.6, contextWindow: 1_000_000, maxOutputTokens: 8192 },
      { id: 'gpt-4o-mini', label: 'GPT-4o mini', inputPerMTok: 0.15, outputPerMTok: 0.6, contextWindow: 128_000, maxOutputTokens: 8192 },
      ...parseExtraModels(env.get('OPENAI_MODELS')),
    ],
    offline: [
      { id: 'offline-builder', label: 'Offline builder (no AI key needed)', inputPerMTok: 0, outputPerMTok: 0, contextWindow: 1_000_000, maxOutputTokens: 8192, tools: false },
    ],
  } as Record<string, ModelInfo[]>,
}

export default aiConfig
