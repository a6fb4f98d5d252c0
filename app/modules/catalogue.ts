import { existsSync } from 'node:fs'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { validateManifest } from './manifest.js'
import type { ModuleManifest } from './types.js'

export type CatalogueError = { id: string; error: string }

/** A module whose manifest is valid, with the contents of its files (read once, at load). */
export type LoadedModule = {
  manifest: ModuleManifest
  /** Path in the generated app → contents; text files as strings, others as Buffers. */
  files: Map<string, string | Buffer>
}

/**
 * The code modules found in a folder. A broken module is reported in `errors` (like a broken plugin)
 * and left out; it never stops the others from loading.
 */
export class ModuleCatalogue {
  readonly #modules: Map<string, LoadedModule>
  readonly errors: CatalogueError[]

  constructor(modules: LoadedModule[], errors: CatalogueError[] = []) {
    this.#modules = new Map(modules.map((m) => [m.manifest.id, m]))
    this.errors = errors
  }

  /** Every valid module, sorted by id. */
  list(): ModuleManifest[] {
    return [...this.#modules.values()].map((m) => m.manifest).sort((a, b) => a.id.localeCompare(b.id))
  }

  get(id: string): ModuleManifest | undefined {
    return this.#modules.get(id)?.manifest
  }

  /** The files a module contributes (path in the app → contents). */
  files(id: string): Map<string, string | Buffer> {
    const loaded = this.#modules.get(id)
    if (!loaded) throw new Error(`unknown module "${id}"`)
    return loaded.files
  }
}

async function listFiles(root: string, folder = root): Promise<string[]> {
  const found: string[] = []
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) found.push(...(await listFiles(root, path)))
    else if (entry.isFile()) found.push(relative(root, path).split(sep).join('/'))
    else throw new Error(`files/${relative(root, path)} is neither a file nor a folder (symbolic links are not allowed)`)
  }
  return found
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Text files become strings (so the composer and the UI can show them); anything else stays bytes. */
function decode(bytes: Buffer): string | Buffer {
  if (bytes.includes(0)) return bytes
  try {
    return utf8.decode(bytes)
  } catch {
    return bytes
  }
}

async function loadModule(folder: string, name: string): Promise<LoadedModule> {
  const manifestFile = join(folder, 'module.json')
  if (!existsSync(manifestFile)) throw new Error('no module.json in the folder')
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(manifestFile, 'utf8'))
  } catch (error) {
    throw new Error(`module.json is not valid JSON (${(error as Error).message})`)
  }
  const manifest = await validateManifest(raw, name)

  const filesFolder = join(folder, 'files')
  const present = existsSync(filesFolder) ? await listFiles(filesFolder) : []
  const listed = new Set(manifest.files)
  const problems = [
    ...manifest.files.filter((file) => !present.includes(file)).map((file) => `lists "${file}" but files/${file} does not exist`),
    ...present.filter((file) => !listed.has(file)).map((file) => `files/${file} is not listed in module.json`),
  ]
  if (problems.length) throw new Error(problems.join('; '))

  const files = new Map<string, string | Buffer>()
  for (const file of [...manifest.files].sort()) files.set(file, decode(await readFile(join(filesFolder, file))))
  return { manifest, files }
}

/**
 * Drops modules whose requirements are missing (repeatedly: dropping one may orphan another) or that
 * require each other in a cycle, so that every module left can be composed.
 */
function checkRequirements(modules: LoadedModule[], errors: CatalogueError[]): LoadedModule[] {
  let kept = modules
  for (;;) {
    const ids = new Set(kept.map((m) => m.manifest.id))
    const orphans = kept.filter((m) => m.manifest.requires.some((id) => !ids.has(id)))
    if (orphans.length === 0) break
    for (const orphan of orphans) {
      const missing = orphan.manifest.requires.filter((id) => !ids.has(id))
      errors.push({ id: orphan.manifest.id, error: `requires ${missing.map((id) => `"${id}"`).join(', ')}, which is not in the catalogue` })
    }
    kept = kept.filter((m) => !orphans.includes(m))
  }
  const byId = new Map(kept.map((m) => [m.manifest.id, m.manifest]))
  const inCycle = (start: string): boolean => {
    const seen = new Set<string>()
    const stack = [...byId.get(start)!.requires]
    while (stack.length) {
      const id = stack.pop()!
      if (id === start) return true
      if (seen.has(id)) continue
      seen.add(id)
      stack.push(...byId.get(id)!.requires)
    }
    return false
  }
  const cyclic = new Set([...byId.keys()].filter(inCycle))
  for (const id of cyclic) errors.push({ id, error: 'its requirements form a cycle' })
  return kept.filter((m) => !cyclic.has(m.manifest.id))
}

/** Reads every module folder of `dir` (sorted by name). */
export async function readCatalogue(dir: string): Promise<ModuleCatalogue> {
  const errors: CatalogueError[] = []
  const loaded: LoadedModule[] = []
  const names = existsSync(dir) ? (await readdir(dir)).sort() : []
  for (const name of names) {
    const folder = join(dir, name)
    if (name.startsWith('.') || !(await stat(folder)).isDirectory()) continue
    try {
      loaded.push(await loadModule(folder, name))
    } catch (error) {
      errors.push({ id: name, error: error instanceof Error ? error.message : String(error) })
    }
  }
  const modules = checkRequirements(loaded, errors)
  errors.sort((a, b) => a.id.localeCompare(b.id))
  return new ModuleCatalogue(modules, errors)
}

const cache = new Map<string, Promise<ModuleCatalogue>>()

/**
 * The catalogue of a folder, loaded once and cached (modules are data shipped with the platform; they
 * change with a deploy, not at run time). `fresh` reloads it.
 */
export function loadCatalogueFrom(dir: string, options: { fresh?: boolean } = {}): Promise<ModuleCatalogue> {
  const key = resolve(dir)
  if (options.fresh || !cache.has(key)) {
    const loading = readCatalogue(key)
    loading.catch(() => cache.delete(key))
    cache.set(key, loading)
  }
  return cache.get(key)!
}
