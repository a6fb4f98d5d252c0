import { createHash } from 'node:crypto'
import logger from '@adonisjs/core/services/logger'
import type { PluginKind } from '#plugins/definition'
import type { PluginEntry, PluginRegistry } from '#plugins/registry'
import PluginSettingsService, { PluginNotConfiguredError } from '#plugins/settings_service'

export class PluginUnavailableError extends Error {
  constructor(
    public pluginId: string,
    reason: string
  ) {
    super(`The plugin "${pluginId}" is not available: ${reason}`)
  }
}

/**
 * One manager per plugin kind, in the style of @adonisjs/mail and
 * @adonisjs/drive: `use(id)` builds the driver lazily from the plugin's
 * factory and its resolved settings and caches it; `fake(id, driver)` swaps
 * a driver for tests and `restore()` puts the real ones back.
 */
export class PluginManager<Driver> {
  #cache = new Map<string, Driver>()
  #fakes = new Map<string, Driver>()

  constructor(
    public kind: PluginKind,
    protected registry: PluginRegistry,
    protected settings = new PluginSettingsService()
  ) {}

  entries(): PluginEntry[] {
    return this.registry.ofKind(this.kind)
  }

  entry(id: string): PluginEntry {
    const entry = this.registry.get(id)
    if (!entry || entry.kind !== this.kind) {
      throw new PluginUnavailableError(id, `no ${this.kind} plugin with this id`)
    }
    if (entry.status === 'disabled') throw new PluginUnavailableError(id, 'disabled by configuration')
    if (entry.status === 'error') throw new PluginUnavailableError(id, entry.error ?? 'failed to load')
    return entry
  }

  /**
   * Is the plugin enabled and configured (for this workspace)?
   */
  async isUsable(id: string, workspaceId?: number | null): Promise<boolean> {
    if (this.#fakes.has(id)) return true
    try {
      const entry = this.entry(id)
      const values = await this.settings.resolve(entry.definition!, workspaceId)
      return this.settings.missingRequired(entry.definition!, values).length === 0
    } catch {
      return false
    }
  }

  async use(id: string, options: { workspaceId?: number | null } = {}): Promise<Driver> {
    const fake = this.#fakes.get(id)
    if (fake) return fake

    const entry = this.entry(id)
    const definition = entry.definition!
    const values = await this.settings.resolve(definition, options.workspaceId)
    const missing = this.settings.missingRequired(definition, values)
    if (missing.length) throw new PluginNotConfiguredError(id, missing)

    // Drivers are cached per distinct settings (a workspace's own key gets
    // its own client); the key is a hash, never the secret itself.
    const key = `${id}:${createHash('sha256').update(JSON.stringify(values)).digest('hex')}`
    const cached = this.#cache.get(key)
    if (cached) return cached
    const driver = (await definition.create({ settings: values, logger: logger.child({ plugin: id }) })) as Driver
    this.#cache.set(key, driver)
    return driver
  }

  /**
   * The drivers built so far (for shutdown hooks).
   */
  built(): Driver[] {
    return [...this.#cache.values()]
  }

  fake(id: string, driver: Driver) {
    this.#fakes.set(id, driver)
    return driver
  }

  restore(id?: string) {
    id ? this.#fakes.delete(id) : this.#fakes.clear()
  }

  /**
   * Forgets built drivers (after settings change).
   */
  flush() {
    this.#cache.clear()
  }

  recordError(id: string, error: unknown) {
    this.registry.recordError(id, error)
  }
}
