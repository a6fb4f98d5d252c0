import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { ENV_NAME, isReservedEnvName } from '#services/project_env_service'

/** PORT, HOST, NODE_ENV, NODE_*, XBASIS_*…: set by the platform, never by a project. */
const notReserved = vine.createRule((value: unknown, _: unknown, field: FieldContext) => {
  if (typeof value === 'string' && isReservedEnvName(value)) {
    field.report(`${value} is reserved by the platform`, 'reserved', field)
  }
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
  'name.regex': 'Use capital letters, digits and underscores, not starting with a digit (e.g. STRIPE_KEY)',
  'value.regex': 'The value cannot contain a NUL character',
})
setEnvVarValidator.messagesProvider = messages
removeEnvVarValidator.messagesProvider = messages
