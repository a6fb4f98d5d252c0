import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { ENV_NAME } from '#services/project_env_service'
import { appEnvNameProblem } from '#deploy/app_env'

/**
 * PORT, HOST, NODE_*, OPENSSL_*, LD_*, PREFIX, XBASIS_*…: set by the
 * platform or read by the runtime, never set by a project (#deploy/app_env
 * says which and why; the message says it to the user).
 */
const notReserved = vine.createRule((value: unknown, _: unknown, field: FieldContext) => {
  if (typeof value !== 'string' || !ENV_NAME.test(value)) return
  const problem = appEnvNameProblem(value)
  if (problem) field.report(problem, 'reserved', field)
})

const name = () =>
  vine
    .string()
    .trim()
    .maxLength(128)
    .regex(ENV_NAME)
    .use(notReserved())

/** "both" is accepted for "all". */
const environment = () =>
  vine
    .enum(['all', 'both', 'preview', 'production'] as const)
    .optional()
    .transform((value) => (value === 'both' ? 'all' : value) as 'all' | 'preview' | 'production')

export const setEnvVarValidator = vine.compile(
  vine.object({
    name: name(),
    // An empty value arrives as null (empty strings become null): it is ''.
    // NUL cannot be part of an environment variable.
    value: vine
      .string()
      .maxLength(32_768)
      .regex(/^[^\0]*$/)
      .nullable()
      .transform((value) => value ?? ''),
    secret: vine.boolean().optional(),
    environment: environment(),
  })
)

export const removeEnvVarValidator = vine.compile(
  vine.object({
    name: name(),
    environment: environment(),
  })
)

const messages = new SimpleMessagesProvider({
  'name.regex': 'Use capital letters, digits and underscores, starting with a letter (e.g. STRIPE_KEY)',
  'value.regex': 'The value cannot contain a NUL character',
})
setEnvVarValidator.messagesProvider = messages
removeEnvVarValidator.messagesProvider = messages
