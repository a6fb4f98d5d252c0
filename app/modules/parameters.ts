import colorNames from 'color-name'
import { FIELD_TYPES, type FieldDefinition, type ParameterSpec } from './types.js'

/**
 * Checking the values of module parameters. They may come from an AI model, so they are untrusted:
 * every value is checked against its declared type and constraints, and the generated app reads them
 * from xbasis.config.json at run time (they are never pasted into source code).
 */
export type CheckResult = { value?: unknown; error?: string }

/** Control characters other than tab and newline never belong in a parameter. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/
const DEFAULT_MAX = { string: 200, text: 5000, items: 50, fields: 20, records: 20 }
const FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/
const RESERVED_FIELDS = new Set(['id', 'created_at', 'updated_at'])

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' && url.hostname !== '' && !/\s/.test(value)
  } catch {
    return false
  }
}

/** A path of the site: "//host" and "/\host" would take a browser to another site. */
const SITE_PATH = /^\/(?![/\\])[^\s\\]*$/

/**
 * A colour goes into the app's stylesheet: only #rgb/#rgba/#rrggbb/#rrggbbaa and the CSS colour names
 * (case-insensitive) are accepted, nothing that could end a declaration or load a URL.
 */
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i
export function isCssColor(value: string): boolean {
  return HEX_COLOR.test(value) || Object.hasOwn(colorNames, value.toLowerCase())
}

/**
 * A font: one of the named stacks the app knows (system, sans, serif, mono, rounded, humanist,
 * geometric, slab) or a list of family names — letters, digits, spaces and dashes, comma-separated,
 * no quotes or semicolons (it is written into a CSS declaration).
 */
export const FONT_STACKS = ['system', 'sans', 'serif', 'mono', 'rounded', 'humanist', 'geometric', 'slab']
const FONT_FAMILIES = /^[A-Za-z][A-Za-z0-9 -]{0,40}(?:,\s*[A-Za-z][A-Za-z0-9 -]{0,40}){0,5}$/

/** Checks a format; returns the problem or null. */
function formatError(format: ParameterSpec['format'], value: string): string | null {
  switch (format) {
    case 'email':
      return EMAIL.test(value) ? null : 'must be an e-mail address'
    case 'https-url':
      return isHttpsUrl(value) ? null : 'must be an https:// URL'
    case 'path':
      return SITE_PATH.test(value) ? null : 'must be a path on the site, starting with "/"'
    case 'color':
      return isCssColor(value) ? null : 'must be a colour: #rgb, #rrggbb or a CSS colour name (e.g. navy)'
    case 'font':
      return FONT_STACKS.includes(value) || FONT_FAMILIES.test(value)
        ? null
        : `must be one of ${FONT_STACKS.join(', ')} or font family names separated by commas`
    case 'link':
      // What may go into an href: no javascript:, data: or protocol-relative URLs.
      if (/^(https?:\/\/[^\s/]+|mailto:[^\s]+)\S*$/i.test(value) || SITE_PATH.test(value) || /^#\S*$/.test(value)) {
        return /^https?:/i.test(value) && !URL.canParse(value) ? 'must be a valid URL' : null
      }
      return 'must be an http(s) URL, a mailto: address, a path starting with "/" or an #anchor'
    default:
      return null
  }
}

function checkString(spec: ParameterSpec, value: unknown, multiline: boolean): CheckResult {
  if (typeof value !== 'string') return { error: 'must be a string' }
  if (CONTROL.test(value) || (!multiline && /[\r\n\t]/.test(value))) {
    return { error: multiline ? 'contains control characters' : 'must be a single line without control characters' }
  }
  const max = spec.maxLength ?? (multiline ? DEFAULT_MAX.text : DEFAULT_MAX.string)
  if (value.length > max) return { error: `must be at most ${max} characters` }
  if (spec.minLength !== undefined && value.length < spec.minLength) return { error: `must be at least ${spec.minLength} characters` }
  if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) return { error: `must match ${spec.pattern}` }
  if (spec.format && (value !== '' || spec.minLength)) {
    const problem = formatError(spec.format, value)
    if (problem) return { error: problem }
  }
  return { value }
}

function checkItems(spec: ParameterSpec, value: unknown, fallbackMax: number): string | null {
  if (!Array.isArray(value)) return 'must be a list'
  const max = spec.maxItems ?? fallbackMax
  if (value.length > max) return `must have at most ${max} items`
  if (spec.minItems !== undefined && value.length < spec.minItems) return `must have at least ${spec.minItems} items`
  return null
}

function checkFields(spec: ParameterSpec, value: unknown): CheckResult {
  const problem = checkItems(spec, value, DEFAULT_MAX.fields)
  if (problem) return { error: problem }
  const names = new Set<string>()
  const fields: FieldDefinition[] = []
  for (const [i, item] of (value as unknown[]).entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return { error: `item ${i + 1} must be an object {name, type}` }
    const { name, type, required, label, options, ...rest } = item as Record<string, unknown>
    if (Object.keys(rest).length) return { error: `item ${i + 1} has unknown keys: ${Object.keys(rest).join(', ')}` }
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) return { error: `item ${i + 1}: name must be lowercase letters, digits and "_"` }
    if (RESERVED_FIELDS.has(name)) return { error: `item ${i + 1}: "${name}" is reserved` }
    if (names.has(name)) return { error: `field "${name}" is declared twice` }
    names.add(name)
    if (!FIELD_TYPES.includes(type as any)) return { error: `field "${name}": type must be one of ${FIELD_TYPES.join(', ')}` }
    if (required !== undefined && typeof required !== 'boolean') return { error: `field "${name}": required must be true or false` }
    if (label !== undefined) {
      const checked = checkString({ name: 'label', type: 'string', description: '', maxLength: 80 }, label, false)
      if (checked.error) return { error: `field "${name}": label ${checked.error}` }
    }
    // A choice field offers a fixed list of options (its filter on the list page); no other type has one.
    let choices: string[] | undefined
    if (type === 'choice') {
      const checked = checkParameterValue({ name: 'options', type: 'string-list', description: '', minItems: 1, maxItems: 30, minLength: 1, maxLength: 60 }, options)
      if (checked.error) return { error: `field "${name}": options ${options === undefined ? 'are required for a choice' : checked.error}` }
      choices = [...new Set((checked.value as string[]).map((option) => option.trim()).filter(Boolean))]
      if (!choices.length) return { error: `field "${name}": options must not be blank` }
    } else if (options !== undefined) {
      return { error: `field "${name}": only a choice field has options` }
    }
    fields.push({
      name,
      type: type as FieldDefinition['type'],
      ...(required !== undefined ? { required } : {}),
      ...(label !== undefined ? { label: label as string } : {}),
      ...(choices ? { options: choices } : {}),
    })
  }
  return { value: fields }
}

function checkRecords(spec: ParameterSpec, value: unknown): CheckResult {
  const problem = checkItems(spec, value, DEFAULT_MAX.records)
  if (problem) return { error: problem }
  const properties = spec.properties ?? []
  const items: Record<string, unknown>[] = []
  for (const [i, item] of (value as unknown[]).entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return { error: `item ${i + 1} must be an object` }
    const unknown = Object.keys(item).filter((key) => !properties.some((p) => p.name === key))
    if (unknown.length) return { error: `item ${i + 1} has unknown keys: ${unknown.join(', ')}` }
    const checked: Record<string, unknown> = {}
    for (const property of properties) {
      const given = (item as Record<string, unknown>)[property.name]
      if (given === undefined || given === null) {
        if (property.default !== undefined) checked[property.name] = structuredClone(property.default)
        else if (property.required) return { error: `item ${i + 1}: ${property.name} is required` }
        continue
      }
      const result = checkParameterValue(property, given)
      if (result.error) return { error: `item ${i + 1}: ${property.name} ${result.error}` }
      if (property.unique && items.some((earlier) => earlier[property.name] === result.value)) {
        return { error: `item ${i + 1}: ${property.name} "${String(result.value)}" is used twice` }
      }
      checked[property.name] = result.value
    }
    items.push(checked)
  }
  return { value: items }
}

/**
 * Checks one value against its parameter. Numbers and booleans written as strings ("10", "true")
 * are accepted and converted, because forms and models often send them so.
 */
export function checkParameterValue(spec: ParameterSpec, value: unknown): CheckResult {
  switch (spec.type) {
    case 'string':
      return checkString(spec, value, false)
    case 'text':
      return checkString(spec, value, true)
    case 'number': {
      const number = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value
      if (typeof number !== 'number' || !Number.isFinite(number)) return { error: 'must be a number' }
      if (spec.integer && !Number.isInteger(number)) return { error: 'must be a whole number' }
      if (spec.min !== undefined && number < spec.min) return { error: `must be at least ${spec.min}` }
      if (spec.max !== undefined && number > spec.max) return { error: `must be at most ${spec.max}` }
      return { value: number }
    }
    case 'boolean': {
      if (value === 'true' || value === 'false') return { value: value === 'true' }
      return typeof value === 'boolean' ? { value } : { error: 'must be true or false' }
    }
    case 'enum':
      return typeof value === 'string' && spec.values!.includes(value) ? { value } : { error: `must be one of ${spec.values!.join(', ')}` }
    case 'string-list': {
      const problem = checkItems(spec, value, DEFAULT_MAX.items)
      if (problem) return { error: problem }
      const items: string[] = []
      for (const [i, item] of (value as unknown[]).entries()) {
        const result = checkString(spec, item, false)
        if (result.error) return { error: `item ${i + 1} ${result.error}` }
        items.push(result.value as string)
      }
      return { value: items }
    }
    case 'fields':
      return checkFields(spec, value)
    case 'records':
      return checkRecords(spec, value)
  }
}

export type ParameterProblem = { param: string; message: string }

/**
 * The full parameters of a module: the given values checked, defaults for the others. `null` means
 * "use the default". Returns the problems instead when there are any (unknown names included).
 */
export function resolveParameters(
  specs: ParameterSpec[],
  given: Record<string, unknown>
): { params: Record<string, unknown>; problems: ParameterProblem[] } {
  const problems: ParameterProblem[] = []
  const params: Record<string, unknown> = {}
  for (const name of Object.keys(given)) {
    if (!specs.some((spec) => spec.name === name)) {
      const known = specs.map((spec) => spec.name).join(', ') || 'none'
      problems.push({ param: name, message: `unknown parameter (known: ${known})` })
    }
  }
  for (const spec of specs) {
    const value = given[spec.name]
    if (value === undefined || value === null) {
      if (spec.default !== undefined) params[spec.name] = structuredClone(spec.default)
      else problems.push({ param: spec.name, message: 'is required' })
      continue
    }
    const result = checkParameterValue(spec, value)
    if (result.error) problems.push({ param: spec.name, message: result.error })
    else params[spec.name] = result.value
  }
  return { params, problems }
}
