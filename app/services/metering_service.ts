import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import LedgerService from '#services/ledger_service'
import aiConfig, { type ModelInfo } from '#config/ai'

/**
 * Prices and charges of AI turns (seed: pay-as-you-go at provider cost +
 * 30%), and the workspace balance they draw on.
 *
 * Units: list prices are $ per million tokens, which is the same number as
 * micro-dollars per token. Arithmetic is done in integer nano-dollars, so
 * nothing is lost to floating point; results are rounded up once, at the
 * end. The balance (`tokens_balance`) counts balance tokens of
 * `microsPerBalanceToken` micro-dollars ($0.0001) each.
 */
export type TurnPrice = {
  costMicros: number
  chargedMicros: number
  chargedTokens: number
}

const NANOS_PER_MICRO = 1000

function nanosPerToken(pricePerMTok: number) {
  return Math.round(pricePerMTok * NANOS_PER_MICRO)
}

function ceilDiv(a: number, b: number) {
  return Math.floor((a + b - 1) / b)
}

export function priceTurn(model: ModelInfo, inputTokens: number, outputTokens: number): TurnPrice {
  const costNanos = inputTokens * nanosPerToken(model.inputPerMTok) + outputTokens * nanosPerToken(model.outputPerMTok)
  const chargedNanos = ceilDiv(costNanos * (100 + aiConfig.markupPercent), 100)
  return {
    costMicros: ceilDiv(costNanos, NANOS_PER_MICRO),
    chargedMicros: ceilDiv(chargedNanos, NANOS_PER_MICRO),
    chargedTokens: ceilDiv(chargedNanos, aiConfig.microsPerBalanceToken * NANOS_PER_MICRO),
  }
}

/**
 * A conservative token count for text we have not sent yet (no tokenizer
 * for every provider): one token per 3 characters, plus framing per message.
 */
export function estimateTokens(texts: string[]): number {
  return texts.reduce((sum, text) => sum + Math.ceil(text.length / 3) + 8, 0)
}

/** What a turn sent and received, to check and, if need be, replace the usage a provider reports. */
export type TurnTraffic = {
  /** Everything sent: system prompt, messages, tool definitions (JSON). */
  prompt: string[]
  /** Bytes sent besides the prompt texts (tool definitions). */
  framingBytes?: number
  /** Characters that came back: text and tool-call arguments. */
  outputChars: number
  /** The turn's output limit (the request's max_tokens). */
  maxOutputTokens: number
}

export type CountedUsage = {
  inputTokens: number
  outputTokens: number
  /** True when a count is our estimate rather than the provider's report. */
  estimated: boolean
}

/**
 * The tokens a turn is charged for. A provider's report is used only when it
 * is plausible, because an OpenAI-compatible server can report anything
 * (negative counts credited a workspace; strings and null broke the turn):
 *
 * - a count must be a non-negative safe integer;
 * - input is at most the bytes sent (no tokenizer makes more tokens than
 *   bytes) plus framing, and at least 1 (a prompt was sent);
 * - output is at most the turn's max_tokens (the provider cannot generate
 *   more; hidden reasoning tokens are why the visible text is no bound),
 *   and at least 1 once anything came back.
 *
 * A count that fails is replaced by an estimate from the traffic itself, in
 * tokens, never in chunks: one token per 3 characters (rounded up, plus
 * framing per prompt text — the same conservative rule as the hold, so the
 * charge stays within it), output capped at max_tokens. No report at all is
 * estimated the same way: a server that sends no usage is not free. A turn
 * where nothing came back and nothing was reported costs nothing (the
 * provider failed before answering).
 */
export function countUsage(reported: { inputTokens: unknown; outputTokens: unknown } | null, traffic: TurnTraffic): CountedUsage {
  const answered = traffic.outputChars > 0
  if (!reported && !answered) return { inputTokens: 0, outputTokens: 0, estimated: false }
  const sentBytes = traffic.prompt.reduce((sum, text) => sum + Buffer.byteLength(text), 0)
  const inputCeiling = sentBytes + (traffic.framingBytes ?? 0) + 16 * traffic.prompt.length + 4096
  const plausible = (value: unknown, min: number, max: number): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
  const input = reported?.inputTokens
  const output = reported?.outputTokens
  const inputOk = plausible(input, 1, inputCeiling)
  const outputOk = plausible(output, answered ? 1 : 0, traffic.maxOutputTokens)
  return {
    inputTokens: inputOk ? input : estimateTokens(traffic.prompt),
    outputTokens: outputOk ? output : Math.min(traffic.maxOutputTokens, Math.ceil(traffic.outputChars / 3)),
    estimated: !inputOk || !outputOk,
  }
}

export class InsufficientBalanceError extends Error {
  constructor(
    public balance: number,
    public estimate: number
  ) {
    super(
      `Your balance of ${balance.toLocaleString('en-US')} tokens cannot cover this turn (up to ${estimate.toLocaleString('en-US')} tokens with this model). Top up, or pick a cheaper model.`
    )
  }
}

export type Settlement = {
  workspaceId: number
  userId: number | null
  projectId: number | null
  aiMessageId: number
  provider: string
  model: ModelInfo
  inputTokens: number
  outputTokens: number
  /** The counts are (partly) our estimate: said in the ledger entry. */
  estimated?: boolean
}

export default class MeteringService {
  constructor(private ledger = new LedgerService()) {}

  /**
   * Holds `tokens` of the workspace's balance for a turn, atomically: one
   * conditional UPDATE, so concurrent turns can never hold more than the
   * balance. Returns false when the balance cannot cover it.
   */
  async reserve(workspaceId: number, tokens: number): Promise<boolean> {
    const result = await db
      .from('workspaces')
      .where('id', workspaceId)
      .whereRaw('tokens_balance - tokens_reserved >= ?', [tokens])
      .update({ tokens_reserved: db.knexRawQuery('tokens_reserved + ?', [tokens]) })
    return Number(Array.isArray(result) ? result[0] : result) === 1
  }

  async release(workspaceId: number, tokens: number) {
    if (tokens <= 0) return
    await db
      .from('workspaces')
      .where('id', workspaceId)
      .update({ tokens_reserved: db.knexRawQuery('tokens_reserved - ?', [tokens]) })
  }

  /**
   * Gives back the hold of one turn, exactly once. The hold is recorded on
   * the turn's message (`reserved_tokens`); whoever sets it to 0 with a
   * conditional UPDATE (the turn settling, or the sweeper for a dead turn)
   * is the one that releases it, so a second release, concurrent or later,
   * finds nothing to give back. Returns the tokens released.
   */
  async releaseHold(trx: TransactionClientContract, workspaceId: number, aiMessageId: number): Promise<number> {
    const row = await trx.from('ai_messages').where('id', aiMessageId).select('reserved_tokens').first()
    const held = Number(row?.reserved_tokens ?? 0)
    if (!(held > 0)) return 0
    const claimed = await trx.from('ai_messages').where({ id: aiMessageId, reserved_tokens: held }).update({ reserved_tokens: 0 })
    if (Number(Array.isArray(claimed) ? claimed[0] : claimed) !== 1) return 0
    await trx
      .from('workspaces')
      .where('id', workspaceId)
      .update({ tokens_reserved: db.knexRawQuery('tokens_reserved - ?', [held]) })
    return held
  }

  /**
   * Charges a finished (or interrupted) turn: releases its hold (once),
   * takes the price from the balance and writes the ledger entry, in one
   * transaction; `finish` stores the turn's message in the same one, so a
   * turn is never charged without its message being final. The charge is
   * idempotent by turn (the ledger reference `ai-turn:<message id>`). The
   * balance never goes below zero: a turn that outgrew its hold is charged
   * at most what is free.
   */
  async settle(
    input: Settlement,
    finish?: (trx: TransactionClientContract, charged: TurnPrice & { appliedTokens: number }) => Promise<void>
  ): Promise<TurnPrice & { appliedTokens: number }> {
    for (const count of [input.inputTokens, input.outputTokens]) {
      if (!Number.isSafeInteger(count) || count < 0) throw new TypeError('token counts must be non-negative safe integers (see countUsage)')
    }
    const price = priceTurn(input.model, input.inputTokens, input.outputTokens)
    return db.transaction(async (trx) => {
      await this.releaseHold(trx, input.workspaceId, input.aiMessageId)
      const posted = await this.ledger.post(
        {
          workspaceId: input.workspaceId,
          userId: input.userId,
          projectId: input.projectId,
          type: 'ai_usage',
          amount: -price.chargedTokens * aiConfig.microsPerBalanceToken,
          tokens: -price.chargedTokens,
          reference: `ai-turn:${input.aiMessageId}`,
          // Never below zero: a turn that outgrew its hold is charged at most what is free.
          shortfall: 'partial',
          description: `${input.provider}/${input.model.id}: ${input.inputTokens} in, ${input.outputTokens} out${input.estimated ? ' (estimated: the provider reported no usable usage)' : ''}`,
          extra: {
            provider: input.provider,
            model: input.model.id,
            input_tokens: input.inputTokens,
            output_tokens: input.outputTokens,
            cost_micros: price.costMicros,
            ai_message_id: input.aiMessageId,
          },
        },
        trx
      )
      const charged = { ...price, appliedTokens: -posted.tokens }
      await finish?.(trx, charged)
      return charged
    })
  }

  /**
   * Adds tokens to a workspace with a ledger entry (sign-up allowance,
   * admin grants, top-ups).
   */
  async grant(workspaceId: number, tokens: number, description: string, trx?: TransactionClientContract) {
    // Free tokens: no money changes hands (top-ups record what was paid).
    return this.ledger.post({ workspaceId, type: 'grant', tokens, amount: 0, description }, trx)
  }
}
