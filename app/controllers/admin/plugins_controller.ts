import type { HttpContext } from '@adonisjs/core/http'
import registry from '#plugins/registry'
import ai from '#ai/ai_manager'
import PluginSettingsService from '#plugins/settings_service'

export default class PluginsController {
  async index({ view }: HttpContext) {
    const settings = new PluginSettingsService()
    const plugins = await Promise.all(
      registry.all().map(async (entry) => {
        const described = entry.definition ? await settings.describe(entry.definition, null) : []
        const missing = described.filter((s) => s.required && !s.isSet)
        return {
          id: entry.id,
          name: entry.definition?.name ?? entry.id,
          kind: entry.kind ?? '—',
          version: entry.definition?.version ?? '—',
          status: entry.status,
          configured: entry.status === 'enabled' ? missing.length === 0 : null,
          missing: missing.map((s) => (s.env ? `${s.label} (${s.env})` : s.label)),
          error: entry.error ?? null,
          lastError: entry.lastError ?? null,
          path: entry.path,
          hasPlatformSettings: Boolean(entry.definition?.settings.some((s) => s.scopes.includes('platform'))),
        }
      })
    )
    return view.render('pages/admin/plugins', { plugins, chain: ai.chain() })
  }
}
