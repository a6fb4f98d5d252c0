import semver from 'semver'
import vine, { errors as vineErrors } from '@vinejs/vine'
import { checkParameterValue } from './parameters.js'
import { PARAMETER_TYPES, STRING_FORMATS, type ModuleManifest, type ParameterSpec } from './types.js'

export type { ModuleManifest } from './types.js'

const ID = /^[a-z][a-z0-9-]{1,40}$/
const PARAM_NAME = /^[a-z][a-z0-9_]{0,39}$/
/** Files the composer writes itself; no module may contribute them. */
export const RESERVED_FILES = new Set(['xbasis.config.json', '.env', '.env.example', 'README.md', 'package-lock.json'])

const lengthLimits = {
  minLength: vine.number().withoutDecimals().min(0).optional(),
  maxLength: vine.number().withoutDecimals().min(1).max(100_000).optional(),
  pattern: vine.string().maxLength(500).optional(),
  format: vine.enum(STRING_FORMATS).optional(),
  min: vine.number().optional(),
  max: vine.number().optional(),
  integer: vine.boolean().optional(),
  values: vine.array(vine.string().minLength(1).maxLength(100)).minLength(1).maxLength(100).optional(),
  minItems: vine.number().withoutDecimals().min(0).optional(),
  maxItems: vine.number().withoutDecimals().min(1).max(1000).optional(),
}

const propertySchema = vine.object({
  name: vine.string().regex(PARAM_NAME),
  type: vine.enum(['string', 'text', 'number', 'boolean', 'enum', 'string-list', 'fields'] as const),
  description: vine.string().minLength(1).maxLength(1000),
  default: vine.any().optional(),
  required: vine.boolean().optional(),
  unique: vine.boolean().optional(),
  ...lengthLimits,
})

const parameterSchema = vine.object({
  name: vine.string().regex(PARAM_NAME),
  type: vine.enum(PARAMETER_TYPES),
  description: vine.string().minLength(1).maxLength(1000),
  default: vine.any().optional(),
  required: vine.boolean().optional(),
  ...lengthLimits,
  properties: vine.array(propertySchema).minLength(1).maxLength(30).optional(),
})

const manifestValidator = vine.compile(
  vine.object({
    id: vine.string().regex(ID),
    title: vine.string().minLength(1).maxLength(80),
    description: vine.string().minLength(20).maxLength(2000),
    category: vine.string().regex(/^[a-z][a-z0-9-]{1,30}$/),
    version: vine.string().maxLength(64),
    parameters: vine.array(parameterSchema).maxLength(50),
    files: vine.array(vine.string().minLength(1).maxLength(200)).maxLength(500),
    dependencies: vine.record(vine.string().maxLength(200)),
    env: vine.array(
      vine.object({
        name: vine.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
        description: vine.string().minLength(1).maxLength(500),
        default: vine.string().maxLength(1000).optional(),
        generate: vine.enum(['secret'] as const).optional(),
      })
    ),
    requires: vine.array(vine.string().regex(ID)),
    conflicts: vine.array(vine.string().regex(ID)),
    routes: vine.array(
      vine.object({
        method: vine.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const),
        path: vine.string().regex(/^\/[A-Za-z0-9\-._~/:{}]*$/).maxLength(200),
        status: vine.number().withoutDecimals().range([100, 599]),
        contains: vine.string().minLength(1).maxLength(200).optional(),
        description: vine.string().maxLength(500).optional(),
        auth: vine.enum(['admin'] as const).optional(),
        owner: vine.string().minLength(1).maxLength(60).optional(),
        unless: vine.string().regex(PARAM_NAME).optional(),
        form: vine.record(vine.string().maxLength(1000)).optional(),
        json: vine.record(vine.any()).optional(),
      })
    ),
  })
)

/**
 * Keys each object of a manifest may have. VineJS drops unknown keys silently; a manifest is data
 * written by hand, so a misspelt key ("defualt") must be an error, not a no-op.
 */
const KNOWN_KEYS: Record<string, string[]> = {
  manifest: ['id', 'title', 'description', 'category', 'version', 'parameters', 'files', 'dependencies', 'env', 'requires', 'conflicts', 'routes'],
  parameter: ['name', 'type', 'description', 'default', 'required', ...Object.keys(lengthLimits), 'properties'],
  // Records do not nest.
  property: ['name', 'type', 'description', 'default', 'required', 'unique', ...Object.keys(lengthLimits)],
  env: ['name', 'description', 'default', 'generate'],
  route: ['method', 'path', 'status', 'contains', 'description', 'auth', 'owner', 'unless', 'form', 'json'],
}

export class InvalidManifestError extends Error {}

function unknownKeys(value: unknown, allowed: string[], where: string): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return []
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}: unknown key "${key}"`)
}

function strictnessProblems(raw: any): string[] {
  const problems = unknownKeys(raw, KNOWN_KEYS.manifest, 'module.json')
  const list = (value: unknown) => (Array.isArray(value) ? value : [])
  list(raw?.parameters).forEach((p: any, i: number) => {
    problems.push(...unknownKeys(p, KNOWN_KEYS.parameter, `parameters.${i}`))
    list(p?.properties).forEach((q: unknown, j: number) => problems.push(...unknownKeys(q, KNOWN_KEYS.property, `parameters.${i}.properties.${j}`)))
  })
  list(raw?.env).forEach((e: unknown, i: number) => problems.push(...unknownKeys(e, KNOWN_KEYS.env, `env.${i}`)))
  list(raw?.routes).forEach((r: unknown, i: number) => problems.push(...unknownKeys(r, KNOWN_KEYS.route, `routes.${i}`)))
  return problems
}

/** A relative path inside the app, without "..", "." or empty segments, in forward slashes. */
export function isSafeRelativePath(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..')
}

const NPM_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

function checkParameter(spec: ParameterSpec, where: string): string[] {
  const problems: string[] = []
  if (spec.type === 'enum' && !spec.values) problems.push(`${where}: an enum needs "values"`)
  if (spec.type !== 'enum' && spec.values) problems.push(`${where}: "values" is only for enums`)
  if (spec.type === 'records' && !spec.properties) problems.push(`${where}: records need "properties"`)
  if (spec.type !== 'records' && spec.properties) problems.push(`${where}: "properties" is only for records`)
  if (spec.pattern !== undefined) {
    try {
      new RegExp(spec.pattern)
    } catch {
      problems.push(`${where}: pattern is not a valid regular expression`)
    }
  }
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) problems.push(`${where}: min is above max`)
  if (spec.minLength !== undefined && spec.maxLength !== undefined && spec.minLength > spec.maxLength) {
    problems.push(`${where}: minLength is above maxLength`)
  }
  const names = new Set<string>()
  for (const property of spec.properties ?? []) {
    if (names.has(property.name)) problems.push(`${where}: property "${property.name}" is declared twice`)
    names.add(property.name)
    problems.push(...checkParameter(property, `${where}.${property.name}`))
  }
  if (problems.length) return problems
  if (spec.default === undefined) {
    if (!spec.required) problems.push(`${where}: give a default or mark it required`)
  } else {
    // The default must pass the parameter's own rules: the composer fills it in unchecked.
    const error = checkParameterValue(spec, spec.default).error
    if (error) problems.push(`${where}: the default is invalid (${error})`)
  }
  return problems
}

/**
 * Checks a parsed module.json and returns it typed, or throws an InvalidManifestError whose message
 * lists every problem found.
 */
export async function validateManifest(raw: unknown, folderName: string): Promise<ModuleManifest> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidManifestError('module.json must hold a JSON object')
  let manifest: ModuleManifest
  try {
    manifest = (await manifestValidator.validate(raw)) as ModuleManifest
  } catch (error) {
    if (error instanceof vineErrors.E_VALIDATION_ERROR) {
      const details = (error.messages as { field: string; message: string }[]).map((m) => `${m.field}: ${m.message}`)
      throw new InvalidManifestError(`invalid manifest (${details.join('; ')})`)
    }
    throw error
  }
  const problems = strictnessProblems(raw)
  if (manifest.id !== folderName) problems.push(`its id "${manifest.id}" does not match its folder "${folderName}"`)
  if (!semver.valid(manifest.version)) problems.push(`version "${manifest.version}" is not a semver version`)

  const paramNames = new Set<string>()
  for (const parameter of manifest.parameters) {
    if (paramNames.has(parameter.name)) problems.push(`parameter "${parameter.name}" is declared twice`)
    paramNames.add(parameter.name)
    problems.push(...checkParameter(parameter, `parameters.${parameter.name}`))
  }

  const files = new Set<string>()
  for (const file of manifest.files) {
    if (!isSafeRelativePath(file)) problems.push(`files: "${file}" is not a relative path inside the app`)
    else if (RESERVED_FILES.has(file)) problems.push(`files: "${file}" is written by the composer, not by modules`)
    if (files.has(file)) problems.push(`files: "${file}" is listed twice`)
    files.add(file)
  }

  for (const [name, range] of Object.entries(manifest.dependencies)) {
    if (!NPM_NAME.test(name) || name.length > 214) problems.push(`dependencies: "${name}" is not an npm package name`)
    if (!semver.validRange(range)) problems.push(`dependencies: "${range}" (${name}) is not a semver range`)
  }

  const envNames = new Set<string>()
  for (const variable of manifest.env) {
    if (envNames.has(variable.name)) problems.push(`env: "${variable.name}" is declared twice`)
    envNames.add(variable.name)
    if (variable.default !== undefined && variable.generate) problems.push(`env: "${variable.name}" has both a default and generate`)
    if (variable.default !== undefined && /[\r\n]/.test(variable.default)) problems.push(`env: the default of "${variable.name}" spans lines`)
  }

  for (const id of manifest.requires) {
    if (id === manifest.id) problems.push('requires: a module cannot require itself')
    if (manifest.conflicts.includes(id)) problems.push(`"${id}" is both required and in conflict`)
  }
  if (manifest.conflicts.includes(manifest.id)) problems.push('conflicts: a module cannot conflict with itself')

  manifest.routes.forEach((route, i) => {
    if (route.form && route.json) problems.push(`routes.${i}: give either an example form or a JSON body, not both`)
    if (route.owner !== undefined && (route.method !== 'GET' || route.path.includes(':'))) {
      problems.push(`routes.${i}: only a GET page without :placeholders can be an owner page`)
    }
    const lists = new Set<string>()
    for (const [, name] of route.path.matchAll(/\{([^}]*)\}/g)) {
      // {records.property}: one route per item of a records parameter.
      const [head, property, ...more] = name.split('.')
      let parameter = manifest.parameters.find((p) => p.name === head)
      if (property !== undefined) {
        if (parameter?.type === 'records') lists.add(head)
        parameter = parameter?.type === 'records' && !more.length ? parameter.properties?.find((p) => p.name === property) : undefined
      }
      // Placeholders become URL segments: only values restricted by a pattern or an enum are safe.
      if (!parameter || !(parameter.type === 'enum' || (parameter.type === 'string' && parameter.pattern))) {
        problems.push(`routes.${i}: {${name}} must name a string parameter with a pattern, or an enum (or such a property of records)`)
      }
    }
    if (lists.size > 1) problems.push(`routes.${i}: placeholders may come from one records parameter only`)
    if (route.unless !== undefined && !paramNames.has(route.unless)) problems.push(`routes.${i}: unless names no parameter ("${route.unless}")`)
  })

  if (problems.length) throw new InvalidManifestError(problems.join('; '))
  return manifest
}
