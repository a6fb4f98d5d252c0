import db from '@adonisjs/lucid/services/db'
import { dbTime } from '#lib/db_time'
import encryption from '@adonisjs/core/services/encryption'
import type { PluginDefinition, PluginSettings, SettingDefinition } from '#plugins/definition'

export class PluginNotConfiguredError extends Error {
  constructor(
    public pluginId: string,
    public missing: SettingDefinition[]
  ) {
    super(
      `The ${pluginId} plugin is not configured: ${missing
        .map((s) => (s.env ? `${s.label} (${s.env})` : s.label))
        .join(', ')} missing`
    )
  }
}

export type SettingView = SettingDefinition & { isSet: boolean; source: 'workspace' | 'platform' | 'env' | 'default' | null; value?: string }

/**
 * Plugin settings: platform-wide (admin page or env) and per workspace
 * ("bring your own key", where the plugin allows it). Secrets are encrypted
 * with the app key at rest and never returned to a page: views only say
 * whether a secret is set.
 */
export default class PluginSettingsService {
  async #stored(pluginId: string, workspaceId: number | null): Promise<Map<string, string>> {
    const query = db.from('plugin_settings').where('plugin_id', pluginId)
    workspaceId === null ? query.whereNull('workspace_id') : query.where('workspace_id', workspaceId)
    const rows = await query.select('key', 'value', 'secret')
    const values = new Map<string, string>()
    for (const row of rows) {
      const value = row.secret ? encryption.decrypt<string>(row.value) : row.value
      // A secret that no longer decrypts (APP_KEY changed) counts as unset.
      if (typeof value === 'string') values.set(row.key, value)
    }
    return values
  }

  /**
   * The effective settings for a workspace: workspace value (if the setting
   * allows that scope) over the platform's stored value, over the env
   * variable, over the default.
   */
  async resolve(definition: PluginDefinition, workspaceId?: number | null): Promise<PluginSettings> {
    return Object.fromEntries((await this.describe(definition, workspaceId, true)).map((s) => [s.name, s.value]))
  }

  async describe(definition: PluginDefinition, workspaceId?: number | null, withValues = false): Promise<SettingView[]> {
    const platform = await this.#stored(definition.id, null)
    const workspace = workspaceId ? await this.#stored(definition.id, workspaceId) : new Map<string, string>()
    return definition.settings.map((setting) => {
      let value: string | undefined
      let source: SettingView['source'] = null
      if (setting.scopes.includes('workspace') && workspace.get(setting.name)) {
        value = workspace.get(setting.name)
        source = 'workspace'
      } else if (setting.scopes.includes('platform') && platform.get(setting.name)) {
        value = platform.get(setting.name)
        source = 'platform'
      } else if (setting.env && process.env[setting.env]) {
        value = process.env[setting.env]
        source = 'env'
      } else if (setting.default !== undefined) {
        value = setting.default
        source = 'default'
      }
      const view: SettingView = { ...setting, isSet: value !== undefined && value !== '', source }
      if (withValues || !setting.secret) view.value = value
      return view
    })
  }

  missingRequired(definition: PluginDefinition, settings: PluginSettings): SettingDefinition[] {
    return definition.settings.filter((s) => s.required && !settings[s.name])
  }

  /**
   * Stores values (platform-wide when workspaceId is null). An empty value
   * removes the setting. Keys the plugin does not declare for that scope are
   * refused.
   */
  async save(definition: PluginDefinition, workspaceId: number | null, values: Record<string, string | null | undefined>) {
    const scope = workspaceId === null ? 'platform' : 'workspace'
    await db.transaction(async (trx) => {
      for (const [key, raw] of Object.entries(values)) {
        const setting = definition.settings.find((s) => s.name === key)
        if (!setting || !setting.scopes.includes(scope)) {
          throw new Error(`${definition.id} has no ${scope} setting "${key}"`)
        }
        const query = trx.from('plugin_settings').where({ plugin_id: definition.id, key })
        workspaceId === null ? query.whereNull('workspace_id') : query.where('workspace_id', workspaceId)
        await query.delete()
        if (raw === null || raw === undefined || raw === '') continue
        const now = dbTime()
        await trx.table('plugin_settings').insert({
          plugin_id: definition.id,
          workspace_id: workspaceId,
          key,
          value: setting.secret ? encryption.encrypt(raw) : raw,
          secret: Boolean(setting.secret),
          created_at: now,
          updated_at: now,
        })
      }
    })
  }
}
