import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PluginDefinition, PluginKind } from '#plugins/definition'
import { validateDefinition } from '#plugins/validate_definition'

export type PluginStatus = 'enabled' | 'disabled' | 'error'

export type PluginEntry = {
  /** The folder name (equal to the definition's id when valid). */
  id: string
  path: string
  status: PluginStatus
  kind?: PluginKind
  definition?: PluginDefinition
  /** Why the plugin is not usable (status "error"), for the admin page and logs. */
  error?: string
  /** The last error a driver of this plugin raised at run time. */
  lastError?: { message: string; at: Date }
}

/**
 * Folders of plugins/ that are not plugins.
 */
const RESERVED = new Set(['modules', 'node_modules'])
const IMPORT_TIMEOUT_MS = 10_000

/**
 * The entry of a plugin folder. `index.ts` is imported as `index.js` (the
 * TypeScript loader in development, the compiled file in the build).
 */
function entryFile(folder: string): string | null {
  if (existsSync(join(folder, 'index.mjs'))) return join(folder, 'index.mjs')
  for (const name of ['index.ts', 'index.js']) {
    if (existsSync(join(folder, name))) return join(folder, 'index.js')
  }
  return null
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish loading within ${ms / 1000} s`)), ms)
    }),
  ])
}

/**
 * Every plugin folder found at boot, valid or not. A broken or incompatible
 * plugin is kept as an entry with status "error" and a reason; it never
 * stops the platform from starting.
 */
export class PluginRegistry {
  #entries = new Map<string, PluginEntry>()

  /**
   * Loads every folder of the given directories. Later directories cannot
   * replace a plugin of an earlier one (first wins, the duplicate is an error).
   */
  async discover(directories: string[], options: { disabled?: string[] } = {}): Promise<PluginEntry[]> {
    const disabled = new Set(options.disabled ?? [])
    const found: PluginEntry[] = []
    for (const directory of directories) {
      if (!existsSync(directory)) continue
      for (const name of readdirSync(directory).sort()) {
        const folder = join(directory, name)
        if (RESERVED.has(name) || name.startsWith('.') || !statSync(folder).isDirectory()) continue
        found.push(await this.#load(name, folder, disabled))
      }
    }
    return found
  }

  async #load(name: string, folder: string, disabled: Set<string>): Promise<PluginEntry> {
    const entry: PluginEntry = { id: name, path: folder, status: 'error' }
    const existing = this.#entries.get(name)
    if (existing) {
      const duplicate = { ...entry, id: `${name}@${folder}`, error: `a plugin "${name}" is already loaded from ${existing.path}` }
      this.#entries.set(duplicate.id, duplicate)
      return duplicate
    }
    this.#entries.set(name, entry)

    const file = entryFile(folder)
    if (!file) {
      entry.error = 'no index.ts, index.js or index.mjs in the folder'
      return entry
    }
    try {
      const module = await withTimeout(import(pathToFileURL(file).href), IMPORT_TIMEOUT_MS, 'its entry file')
      const definition = await validateDefinition(module.default, name)
      entry.definition = definition
      entry.kind = definition.kind
      entry.status = disabled.has(name) ? 'disabled' : 'enabled'
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error)
    }
    return entry
  }

  /**
   * Registers a definition directly (built-in drivers, tests).
   */
  async register(definition: PluginDefinition, path = '(registered in code)') {
    const valid = await validateDefinition(definition, definition.id)
    const entry: PluginEntry = { id: valid.id, path, status: 'enabled', kind: valid.kind, definition: valid }
    this.#entries.set(valid.id, entry)
    return entry
  }

  all(): PluginEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.id.localeCompare(b.id))
  }

  get(id: string): PluginEntry | undefined {
    return this.#entries.get(id)
  }

  ofKind(kind: PluginKind): PluginEntry[] {
    return this.all().filter((entry) => entry.kind === kind)
  }

  recordError(id: string, error: unknown) {
    const entry = this.#entries.get(id)
    if (entry) entry.lastError = { message: error instanceof Error ? error.message : String(error), at: new Date() }
  }
}

const registry = new PluginRegistry()
export default registry
