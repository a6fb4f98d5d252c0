import semver from 'semver'
import vine, { errors as vineErrors } from '@vinejs/vine'
import { HOST_API_VERSION, PLUGIN_KINDS, type PluginDefinition } from '#plugins/definition'

const settingSchema = vine.object({
  name: vine.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  label: vine.string().minLength(1).maxLength(100),
  type: vine.enum(['string', 'url', 'number'] as const).optional(),
  required: vine.boolean().optional(),
  secret: vine.boolean().optional(),
  scopes: vine.array(vine.enum(['platform', 'workspace'] as const)).minLength(1),
  env: vine.string().regex(/^[A-Z][A-Z0-9_]*$/).optional(),
  default: vine.string().maxLength(2000).optional(),
  help: vine.string().maxLength(500).optional(),
})

const definitionValidator = vine.compile(
  vine.object({
    id: vine.string().regex(/^[a-z][a-z0-9-]{1,40}$/),
    kind: vine.enum(PLUGIN_KINDS),
    name: vine.string().minLength(1).maxLength(80),
    description: vine.string().minLength(1).maxLength(1000),
    version: vine.string().maxLength(64),
    hostApi: vine.string().maxLength(64),
    settings: vine.array(settingSchema),
  })
)

export class InvalidPluginError extends Error {}

/**
 * Checks a plugin's default export: shape, version strings, host API range
 * and a factory. Throws an InvalidPluginError whose message says what is
 * wrong, in words an author can act on.
 */
export async function validateDefinition(candidate: unknown, folderName: string): Promise<PluginDefinition> {
  if (!candidate || typeof candidate !== 'object') {
    throw new InvalidPluginError('the entry file has no default export (export default definePlugin({...}))')
  }
  try {
    await definitionValidator.validate(candidate)
  } catch (error) {
    if (error instanceof vineErrors.E_VALIDATION_ERROR) {
      const details = (error.messages as { field: string; message: string }[])
        .map((m) => `${m.field}: ${m.message}`)
        .join('; ')
      throw new InvalidPluginError(`invalid definition (${details})`)
    }
    throw error
  }
  const definition = candidate as PluginDefinition
  if (definition.id !== folderName) {
    throw new InvalidPluginError(`its id "${definition.id}" does not match its folder "${folderName}"`)
  }
  if (!semver.valid(definition.version)) {
    throw new InvalidPluginError(`version "${definition.version}" is not a semver version`)
  }
  if (!semver.validRange(definition.hostApi)) {
    throw new InvalidPluginError(`hostApi "${definition.hostApi}" is not a semver range`)
  }
  if (!semver.satisfies(HOST_API_VERSION, definition.hostApi)) {
    throw new InvalidPluginError(
      `it supports host API ${definition.hostApi}, this xBasis provides ${HOST_API_VERSION}`
    )
  }
  if (typeof definition.create !== 'function') {
    throw new InvalidPluginError('create must be a function that builds the driver')
  }
  const names = new Set<string>()
  for (const setting of definition.settings) {
    if (names.has(setting.name)) throw new InvalidPluginError(`setting "${setting.name}" is declared twice`)
    names.add(setting.name)
  }
  return definition
}
