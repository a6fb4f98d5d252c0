import vine from '@vinejs/vine'
import { PACK_IDS, PLAN_IDS, type PackId, type PlanId } from '#config/billing'
import type { CheckoutItem } from '#billing/contract'
import { LEDGER_TYPES } from '#services/ledger_service'

/** POST /billing/checkout and /api/v1/billing/checkout: one plan or one pack. */
export const checkoutValidator = vine.compile(
  vine.object({
    plan: vine.enum(PLAN_IDS.filter((id) => id !== 'free')).optional().requiredIfMissing('pack'),
    pack: vine.enum(PACK_IDS).optional(),
    workspace_id: vine.number().withoutDecimals().positive().optional(),
  })
)

/** Filters of the usage and transactions views (days as YYYY-MM-DD). */
export const billingQueryValidator = vine.compile(
  vine.object({
    workspace_id: vine.number().withoutDecimals().positive().optional(),
    from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    to: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    type: vine.enum(LEDGER_TYPES).optional(),
    project_id: vine.number().withoutDecimals().positive().optional(),
    page: vine.number().withoutDecimals().range([1, 100_000]).optional(),
    per_page: vine.number().withoutDecimals().range([1, 200]).optional(),
    format: vine.enum(['json', 'csv'] as const).optional(),
  })
)

/** The validated checkout input as the billing contract's item. */
export const checkoutItem = (input: { plan?: string; pack?: string }): CheckoutItem =>
  input.plan ? { kind: 'plan', plan: input.plan as PlanId } : { kind: 'pack', pack: input.pack as PackId }

/** A YYYY-MM-DD the validator parsed (local midnight) as that day at UTC midnight. */
export const utcDay = (date: Date | undefined) => (date ? new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate())) : undefined)
