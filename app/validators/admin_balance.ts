import vine from '@vinejs/vine'

/** An admin's grant or revoke of balance tokens. */
export const balanceAdjustmentValidator = vine.compile(
  vine.object({
    action: vine.enum(['grant', 'revoke'] as const),
    tokens: vine.number().withoutDecimals().min(1).max(1_000_000_000),
    reason: vine.string().trim().minLength(3).maxLength(300),
    idempotency_key: vine.string().uuid().optional(),
  })
)
