import type { Logger } from '@adonisjs/core/logger'

/**
 * The version of the contract between xBasis and its plugins. A plugin
 * declares the range it supports (`hostApi`, a semver range); one that does
 * not include this version is disabled at boot with a reason.
 */
export const HOST_API_VERSION = '1.0.0'

export const PLUGIN_KINDS = ['ai-provider', 'deploy-target', 'billing', 'dns', 'module'] as const
export type PluginKind = (typeof PLUGIN_KINDS)[number]

/**
 * Where a setting may be set: platform-wide (env or the admin page), and/or
 * per workspace ("bring your own key"), which then overrides the platform's.
 */
export type SettingScope = 'platform' | 'workspace'

export type SettingDefinition = {
  name: string
  label: string
  /** `url` and `number` are validated as such; everything is a string at rest. */
  type?: 'string' | 'url' | 'number'
  required?: boolean
  /** Encrypted at rest, never rendered back (write-only in forms). */
  secret?: boolean
  scopes: SettingScope[]
  /** Environment variable that sets the platform-wide value. */
  env?: string
  default?: string
  help?: string
}

export type PluginSettings = Record<string, string | undefined>

/**
 * What a plugin's factory receives. SDKs are imported inside the factory or
 * the driver's methods, so a disabled plugin never loads its SDK.
 */
export type PluginContext = {
  settings: PluginSettings
  logger: Logger
}

export type PluginDefinition<Driver = unknown> = {
  id: string
  kind: PluginKind
  name: string
  description: string
  version: string
  hostApi: string
  settings: SettingDefinition[]
  create: (context: PluginContext) => Driver | Promise<Driver>
}

/**
 * Identity helper that gives plugin authors type checking.
 */
export function definePlugin<Driver>(definition: PluginDefinition<Driver>): PluginDefinition<Driver> {
  return definition
}
