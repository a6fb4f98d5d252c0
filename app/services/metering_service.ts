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
  reservedTokens: number
  provider: string
  model: ModelInfo
  inputTokens: number
  outputTokens: number
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
   * Charges a finished (or interrupted) turn: releases its hold, takes the
   * price from the balance and writes the ledger entry, in one transaction.
   * The balance never goes below zero: a turn that outgrew its hold is
   * charged at most what is free.
   */
  async settle(input: Settlement): Promise<TurnPrice & { appliedTokens: number }> {
    const price = priceTurn(input.model, input.inputTokens, input.outputTokens)
    return db.transaction(async (trx) => {
      await trx
        .from('workspaces')
        .where('id', input.workspaceId)
        .update({ tokens_reserved: db.knexRawQuery('tokens_reserved - ?', [input.reservedTokens]) })
      const posted = await this.ledger.post(
        {
          workspaceId: input.workspaceId,
          userId: input.userId,
          projectId: input.projectId,
          type: 'ai_usage',
          amount: -price.chargedTokens * aiConfig.microsPerBalanceToken,
          tokens: -price.chargedTokens,
          // Never below zero: a turn that outgrew its hold is charged at most what is free.
          shortfall: 'partial',
          description: `${input.provider}/${input.model.id}: ${input.inputTokens} in, ${input.outputTokens} out`,
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
      return { ...price, appliedTokens: -posted.tokens }
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
