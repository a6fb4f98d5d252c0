import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import registry from '#plugins/registry'
import ai from '#ai/ai_manager'
import PluginSettingsService from '#plugins/settings_service'
import type { PluginDefinition, SettingScope } from '#plugins/definition'
import { validateForm } from '#lib/forms'
import { errors as lucidErrors } from '@adonisjs/lucid'

/**
 * A validator for the settings of one plugin in one scope: every value is
 * optional (an empty secret keeps the stored one), URLs must be URLs.
 */
function settingsValidator(definition: PluginDefinition, scope: SettingScope) {
  const fields: Record<string, any> = {}
  for (const setting of definition.settings.filter((s) => s.scopes.includes(scope))) {
    let rule = vine.string().trim().maxLength(2000)
    if (setting.type === 'url') rule = rule.url({ require_tld: false, protocols: ['http', 'https'] })
    if (setting.type === 'number') rule = rule.regex(/^\d+(\.\d+)?$/)
    fields[setting.name] = rule.optional()
    fields[`clear_${setting.name}`] = vine.boolean().optional()
  }
  return vine.compile(vine.object(fields))
}

/**
 * Plugin settings pages: platform-wide for admins (/admin/plugins/:id),
 * per workspace for its owner ("bring your own key", /settings/ai). Secret
 * values are write-only: pages only say whether one is set.
 */
export default class PluginSettingsController {
  #settings = new PluginSettingsService()

  #definition(id: string, scope: SettingScope): PluginDefinition {
    const entry = registry.get(id)
    if (!entry?.definition || !entry.definition.settings.some((s) => s.scopes.includes(scope))) {
      throw new lucidErrors.E_ROW_NOT_FOUND()
    }
    return entry.definition
  }

  async #save(ctx: HttpContext, definition: PluginDefinition, scope: SettingScope, workspaceId: number | null, view: string, state: Record<string, unknown>) {
    const input = (await validateForm(ctx, settingsValidator(definition, scope), view, state)) as Record<string, any>
    const changes: Record<string, string | null> = {}
    for (const setting of definition.settings.filter((s) => s.scopes.includes(scope))) {
      if (input[`clear_${setting.name}`]) changes[setting.name] = null
      else if (input[setting.name]) changes[setting.name] = input[setting.name]
      // An empty field keeps the stored value (secrets are never shown, so
      // the form cannot send them back).
    }
    await this.#settings.save(definition, workspaceId, changes)
    ai.flush()
  }

  async showPlatform({ params, view }: HttpContext) {
    const definition = this.#definition(params.id, 'platform')
    const settings = (await this.#settings.describe(definition, null)).filter((s) => s.scopes.includes('platform'))
    return view.render('pages/admin/plugin_settings', { plugin: definition, settings, action: `/admin/plugins/${definition.id}` })
  }

  async updatePlatform(ctx: HttpContext) {
    const definition = this.#definition(ctx.params.id, 'platform')
    const settings = (await this.#settings.describe(definition, null)).filter((s) => s.scopes.includes('platform'))
    await this.#save(ctx, definition, 'platform', null, 'pages/admin/plugin_settings', { plugin: definition, settings, action: `/admin/plugins/${definition.id}` })
    ctx.session.flash('success', `${definition.name} settings saved`)
    return ctx.response.redirect(`/admin/plugins/${definition.id}`)
  }

  async showWorkspace({ auth, view }: HttpContext) {
    const workspace = await auth.getUserOrFail().personalWorkspace()
    return view.render('pages/settings/ai', { providers: await this.#workspaceProviders(workspace.id), workspace })
  }

  async updateWorkspace(ctx: HttpContext) {
    const workspace = await ctx.auth.getUserOrFail().personalWorkspace()
    await ctx.bouncer.with('WorkspacePolicy').authorize('manage', workspace)
    const definition = this.#definition(ctx.params.id, 'workspace')
    await this.#save(ctx, definition, 'workspace', workspace.id, 'pages/settings/ai', {
      providers: await this.#workspaceProviders(workspace.id),
      workspace,
    })
    ctx.session.flash('success', `Your ${definition.name} settings were saved`)
    return ctx.response.redirect('/settings/ai')
  }

  async #workspaceProviders(workspaceId: number) {
    const result = []
    for (const entry of ai.entries().filter((e) => e.status === 'enabled')) {
      const definition = entry.definition!
      const settings = (await this.#settings.describe(definition, workspaceId)).filter((s) => s.scopes.includes('workspace'))
      if (settings.length) result.push({ plugin: definition, settings })
    }
    return result
  }
}
