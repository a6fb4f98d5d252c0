import type { ApplicationService } from '@adonisjs/core/types'
import env from '#start/env'

/**
 * Loads every plugin folder at boot. A broken plugin is logged with its
 * reason and the platform starts anyway.
 */
export default class PluginsProvider {
  constructor(protected app: ApplicationService) {}

  async boot() {
    const { default: registry } = await import('#plugins/registry')
    const list = (value: string | undefined) =>
      (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    const entries = await registry.discover(
      [this.app.makePath('plugins'), ...list(env.get('XBASIS_PLUGIN_PATHS'))],
      { disabled: list(env.get('XBASIS_PLUGINS_DISABLED')) }
    )
    const logger = await this.app.container.make('logger')
    for (const entry of entries.filter((e) => e.status === 'error')) {
      logger.error('plugin "%s" (%s) is disabled: %s', entry.id, entry.path, entry.error)
    }
  }
}
