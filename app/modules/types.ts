/**
 * Types of the code module catalogue, shared by the manifest validation, the parameter checks and
 * the composer. A module's manifest (`plugins/modules/<id>/module.json`) says what the module is for
 * (written for the model that picks modules), the parameters it reads at run time, the files it
 * contributes to a generated app, and the routes it answers (checked by its test, shown in the UI).
 */
export type ParameterType = 'string' | 'text' | 'number' | 'boolean' | 'enum' | 'string-list' | 'fields' | 'records'
export const PARAMETER_TYPES: ParameterType[] = ['string', 'text', 'number', 'boolean', 'enum', 'string-list', 'fields', 'records']

/** Formats a string (or each item of a string-list) must have. */
export type StringFormat = 'email' | 'https-url' | 'link' | 'path' | 'color' | 'font'
export const STRING_FORMATS: StringFormat[] = ['email', 'https-url', 'link', 'path', 'color', 'font']

/** Field types of a `fields` parameter (the columns of a crud resource). */
export const FIELD_TYPES = ['text', 'textarea', 'number', 'email', 'date', 'choice', 'boolean', 'url'] as const
export type FieldType = (typeof FIELD_TYPES)[number]
/** `options` only for (and required by) `choice` fields. */
export type FieldDefinition = { name: string; type: FieldType; required?: boolean; label?: string; options?: string[] }

export type ParameterSpec = {
  name: string
  type: ParameterType
  description: string
  default?: unknown
  /** Must be given when there is no default. */
  required?: boolean
  /** string, text, and each item of a string-list. */
  minLength?: number
  maxLength?: number
  /** A regular expression (JavaScript syntax) the whole value must match. */
  pattern?: string
  format?: StringFormat
  /** number */
  min?: number
  max?: number
  integer?: boolean
  /** enum */
  values?: string[]
  /** string-list, fields, records */
  minItems?: number
  maxItems?: number
  /** records: the properties of each item (scalars, string-lists or fields). */
  properties?: ParameterSpec[]
  /** A property of records: no two items may have the same value. */
  unique?: boolean
}

export type EnvSpec = {
  name: string
  description: string
  default?: string
  /** "secret": the composer generates a random value into .env. */
  generate?: 'secret'
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type RouteSpec = {
  method: HttpMethod
  /**
   * `{param}` is replaced by the module's parameter; `{records.property}` makes one route per item
   * of a records parameter; `:name` segments are placeholders for ids.
   */
  path: string
  /** The route exists only while this parameter is empty (an empty list, "" or false). */
  unless?: string
  status: number
  /** Text the response body contains. */
  contains?: string
  description?: string
  /** The request is made with the admin password (HTTP Basic, ADMIN_PASSWORD). */
  auth?: 'admin'
  /**
   * This GET page is one of the owner's pages (new item, submissions, posts…): the chat and the editor
   * list it under this label, and open it signed in. `{param}` is replaced by the module's parameter.
   */
  owner?: string
  /** An example body for the route's check: URL-encoded form fields, or a JSON object. */
  form?: Record<string, string>
  json?: Record<string, unknown>
}

/** A module.json, as validated by validateManifest(). */
export type ModuleManifest = {
  id: string
  title: string
  description: string
  category: string
  version: string
  parameters: ParameterSpec[]
  files: string[]
  dependencies: Record<string, string>
  env: EnvSpec[]
  requires: string[]
  conflicts: string[]
  routes: RouteSpec[]
}
