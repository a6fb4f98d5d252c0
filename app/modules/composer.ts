import { randomBytes } from 'node:crypto'
import semver from 'semver'
import app from '@adonisjs/core/services/app'
import { ModuleCatalogue, loadCatalogueFrom } from './catalogue.js'
import { resolveParameters, type ParameterProblem } from './parameters.js'
import type { EnvSpec, ModuleManifest, RouteSpec } from './types.js'
import { slugify } from '#lib/slug'

export { ModuleCatalogue } from './catalogue.js'
export type { ModuleManifest } from './types.js'

/**
 * The composer: turns a list of module selections into the files of a generated app. It adds the
 * modules the selected ones require, refuses conflicts and invalid parameters, and writes the
 * parameters into xbasis.config.json, which the app reads at run time: parameters may come from an
 * AI model, so they are data, never source code.
 *
 * Output is deterministic: the same catalogue, selections and existing files give byte-identical
 * files, whatever order the selections come in. Only generated secrets differ, and they come from
 * `options.random`, which tests replace.
 */
export type ModuleSelection = { id: string; params?: Record<string, unknown> }

export type ComposedRoute = RouteSpec & { module: string }

export type ComposedApp = {
  /** Every file of the app, sorted by path. */
  files: Map<string, string | Buffer>
  /** The values written to .env (generated secrets, defaults, and variables kept from `existing`). */
  env: Record<string, string>
  /** Only the secrets (`generate: "secret"` variables), generated now or kept from `existing`. */
  secrets: Record<string, string>
  /** The modules of the app, requirements first. */
  modules: string[]
  warnings: string[]
  /** The documented routes, with parameters such as {entity} filled in. */
  routes: ComposedRoute[]
  /** Files of `existing` that belonged to modules no longer in the app. */
  removed: string[]
}

export type ComposeOptions = {
  /** The app's name, used for app-base's `name` (slugified) and `title` when they are not given. */
  appName?: string
  /** The files of the app composed earlier: its modules, parameters and .env values are kept. */
  existing?: Map<string, string | Buffer>
  /** Modules to take out of an existing app. */
  remove?: string[]
  /** The source of generated secrets (tests make it predictable). */
  random?: (size: number) => Buffer
}

export type ModuleErrorCode =
  | 'unknown_module'
  | 'duplicate_module'
  | 'conflict'
  | 'missing_requirement'
  | 'invalid_params'
  | 'file_conflict'
  | 'route_conflict'
  | 'dependency_conflict'
  | 'invalid_existing'

export class ModuleError extends Error {
  constructor(
    readonly code: ModuleErrorCode,
    message: string,
    /** For invalid_params: one entry per problem. */
    readonly details: (ParameterProblem & { module: string })[] = []
  ) {
    super(message)
    this.name = 'ModuleError'
  }
}

/** The catalogue of plugins/modules (or `dir`), loaded once and cached. */
export function loadCatalogue(dir?: string, options: { fresh?: boolean } = {}): Promise<ModuleCatalogue> {
  return loadCatalogueFrom(dir ?? app.makePath('plugins', 'modules'), options)
}

export const CONFIG_FILE = 'xbasis.config.json'
const BASE = 'app-base'

type Recorded = {
  modules: Map<string, Record<string, unknown>>
  env: Map<string, string>
  /** The existing package.json, when it is a JSON object. */
  packageJson?: Record<string, any>
}

function text(file: string | Buffer | undefined): string | undefined {
  return file === undefined ? undefined : file.toString()
}

/** Reads what an earlier composition left: its modules with their parameters, and its .env. */
function readExisting(catalogue: ModuleCatalogue, existing: Map<string, string | Buffer> | undefined): Recorded {
  const recorded: Recorded = { modules: new Map(), env: new Map() }
  const config = text(existing?.get(CONFIG_FILE))
  if (config !== undefined) {
    let parsed: any
    try {
      parsed = JSON.parse(config)
    } catch {
      throw new ModuleError('invalid_existing', `${CONFIG_FILE} of the existing app is not valid JSON`)
    }
    if (!parsed || typeof parsed.modules !== 'object' || Array.isArray(parsed.modules)) {
      throw new ModuleError('invalid_existing', `${CONFIG_FILE} of the existing app has no "modules" object`)
    }
    for (const [id, entry] of Object.entries<any>(parsed.modules)) {
      if (!catalogue.get(id)) throw new ModuleError('unknown_module', `the existing app uses "${id}", which is not in the catalogue`)
      const params = entry?.params && typeof entry.params === 'object' && !Array.isArray(entry.params) ? entry.params : {}
      recorded.modules.set(id, params)
    }
  }
  try {
    const parsed = JSON.parse(text(existing?.get('package.json')) ?? 'null')
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) recorded.packageJson = parsed
  } catch {
    // Rebuilt from app-base's template below.
  }
  for (const line of (text(existing?.get('.env')) ?? '').split(/\r?\n/)) {
    const match = line.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/)
    if (match) recorded.env.set(match[1], match[2])
  }
  return recorded
}

/** Adds requirements, checks conflicts, and orders the modules: requirements first, then by id. */
function resolveModules(catalogue: ModuleCatalogue, wanted: string[], removed: Set<string>, warnings: string[]): ModuleManifest[] {
  const chosen = new Map<string, ModuleManifest>()
  const asked = new Set(wanted)
  const visit = (id: string, by?: string) => {
    if (chosen.has(id)) return
    if (removed.has(id)) throw new ModuleError('missing_requirement', `"${by}" requires "${id}", which was asked to be removed`)
    const manifest = catalogue.get(id)
    if (!manifest) throw new ModuleError('missing_requirement', `"${by}" requires "${id}", which is not in the catalogue`)
    chosen.set(id, manifest)
    if (by && !asked.has(id)) warnings.push(`added "${id}": "${by}" requires it`)
    for (const requirement of manifest.requires) visit(requirement, id)
  }
  for (const id of wanted) visit(id)

  const ids = [...chosen.keys()].sort()
  for (const id of ids) {
    for (const other of chosen.get(id)!.conflicts) {
      if (chosen.has(other)) throw new ModuleError('conflict', `"${id}" cannot be combined with "${other}" (declared by "${id}")`)
    }
  }

  // Kahn's algorithm, always taking the smallest id that is ready: a canonical order.
  const order: ModuleManifest[] = []
  const placed = new Set<string>()
  while (order.length < ids.length) {
    const next = ids.find((id) => !placed.has(id) && chosen.get(id)!.requires.every((r) => placed.has(r)))!
    placed.add(next)
    order.push(chosen.get(next)!)
  }
  return order
}


/** The app's name fills app-base's name and title when neither the caller nor the app set them. */
function appNameDefaults(appName: string | undefined, recorded: Record<string, unknown>, given: Record<string, unknown>) {
  const defaults: Record<string, unknown> = {}
  const title = appName?.replace(/\s+/g, ' ').trim().slice(0, 80)
  if (!title) return defaults
  const slug = slugify(title, 50, '')
  if (slug && recorded.name === undefined && given.name === undefined) defaults.name = slug
  if (recorded.title === undefined && given.title === undefined) defaults.title = title
  return defaults
}

/**
 * The parameters of one module: recorded values (from an earlier composition) under the given ones.
 * Recorded values the module no longer accepts (renamed parameter, new constraint) fall back to the
 * default with a warning; given values must be valid.
 */
function moduleParams(manifest: ModuleManifest, recorded: Record<string, unknown>, given: Record<string, unknown>, warnings: string[]) {
  const kept: Record<string, unknown> = { ...recorded }
  for (const problem of resolveParameters(manifest.parameters, recorded).problems) {
    if (!(problem.param in recorded)) continue
    warnings.push(`"${manifest.id}": the recorded parameter "${problem.param}" ${problem.message}; it was reset to its default`)
    delete kept[problem.param]
  }
  const { params, problems } = resolveParameters(manifest.parameters, { ...kept, ...given })
  return { params, problems: problems.map((p) => ({ ...p, module: manifest.id })) }
}

function mergeDependencies(modules: ModuleManifest[], existing: Record<string, string>, warnings: string[]): Record<string, string> {
  const merged = new Map<string, { range: string; from: string }>()
  for (const manifest of modules) {
    for (const [name, range] of Object.entries(manifest.dependencies)) {
      const previous = merged.get(name)
      if (!previous) {
        merged.set(name, { range, from: manifest.id })
      } else if (previous.range !== range) {
        if (!semver.intersects(previous.range, range)) {
          throw new ModuleError('dependency_conflict', `"${previous.from}" needs ${name}@${previous.range} and "${manifest.id}" needs ${name}@${range}`)
        }
        // A space in a semver range means "and": a version both accept.
        merged.set(name, { range: `${previous.range} ${range}`, from: previous.from })
      }
    }
  }
  // Dependencies added to the app by other means (the model, by hand) stay; a module's range wins.
  for (const [name, range] of Object.entries(existing)) {
    const fromModule = merged.get(name)
    if (!fromModule) merged.set(name, { range: String(range), from: 'package.json' })
    else if (fromModule.range !== range) warnings.push(`package.json: ${name}@${range} was replaced by ${name}@${fromModule.range}, which "${fromModule.from}" needs`)
  }
  return Object.fromEntries([...merged.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, { range }]) => [name, range]))
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === false || (Array.isArray(value) && value.length === 0)
}

function resolveRoutes(modules: ModuleManifest[], params: Map<string, Record<string, unknown>>): ComposedRoute[] {
  const routes: ComposedRoute[] = []
  const seen = new Map<string, string>()
  for (const manifest of modules) {
    const values = params.get(manifest.id)!
    for (const route of manifest.routes) {
      if (route.unless !== undefined && !isEmpty(values[route.unless])) continue
      // {records.property}: the route once per item of that records parameter (none for an empty list).
      const list = route.path.match(/\{([a-z0-9_]+)\.[a-z0-9_]+\}/)?.[1]
      const items: Record<string, unknown>[] = list ? (Array.isArray(values[list]) ? (values[list] as Record<string, unknown>[]) : []) : [{}]
      for (const item of items) {
        const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
          const [head, property] = name.split('.')
          return encodeURIComponent(String(property === undefined ? values[head] : item[property]))
        })
        // Routes differing only in a placeholder's name are the same route; the same route documented
        // twice by one module (say, once with and once without the admin password) is fine.
        const key = `${route.method} ${path.replace(/\/:[^/]+/g, '/:')}`
        const owner = seen.get(key)
        if (owner && owner !== manifest.id) {
          throw new ModuleError('route_conflict', `"${owner}" and "${manifest.id}" both answer ${route.method} ${path}`)
        }
        seen.set(key, manifest.id)
        // An owner page's label names the module's things ("New {singular}"); it is shown escaped.
        const ownerLabel = route.owner?.replace(/\{([^}]+)\}/g, (_, name: string) => {
          const [head, property] = name.split('.')
          return String((property === undefined ? values[head] : item[property]) ?? '')
        })
        routes.push({ ...route, path, module: manifest.id, ...(ownerLabel ? { owner: ownerLabel } : {}) })
      }
    }
  }
  return routes
}

type EnvEntry = EnvSpec & { modules: string[] }

function collectEnv(modules: ModuleManifest[]): EnvEntry[] {
  const entries = new Map<string, EnvEntry>()
  for (const manifest of modules) {
    for (const variable of manifest.env) {
      const entry = entries.get(variable.name)
      if (!entry) {
        entries.set(variable.name, { ...variable, modules: [manifest.id] })
        continue
      }
      entry.modules.push(manifest.id)
      if (variable.generate) entry.generate = 'secret'
      entry.default ??= variable.default
    }
  }
  return [...entries.values()]
}

function envFiles(entries: EnvEntry[], recorded: Map<string, string>, random: (size: number) => Buffer) {
  const values: Record<string, string> = {}
  const secrets: Record<string, string> = {}
  for (const entry of entries) {
    const value = recorded.get(entry.name) ?? (entry.generate ? random(32).toString('base64url') : entry.default)
    if (value !== undefined) values[entry.name] = value
    if (value !== undefined && entry.generate) secrets[entry.name] = value
  }
  // Variables someone added to .env by hand stay.
  for (const [name, value] of [...recorded.entries()].sort(([a], [b]) => a.localeCompare(b))) values[name] ??= value

  const env = [
    '# Configuration of this app. Generated by xBasis; secrets were generated for this app only.',
    '# Variables set in the real environment take precedence over this file.',
    ...Object.entries(values).map(([name, value]) => `${name}=${value}`),
  ].join('\n') + '\n'
  const example = [
    '# The variables this app reads (copy to .env). Generated by xBasis.',
    ...entries.flatMap((entry) => [
      '',
      `# ${entry.description} (${entry.modules.join(', ')})`,
      ...(entry.generate ? ['# A long random secret: generate one, e.g. `openssl rand -base64 32`.'] : []),
      `${entry.name}=${entry.generate ? '' : entry.default ?? ''}`,
    ]),
  ].join('\n') + '\n'
  return { values, secrets, env, example }
}

function readme(name: string, modules: ModuleManifest[], routes: ComposedRoute[], entries: EnvEntry[]): string {
  // Only catalogue text and the app's name (a slug) go in here, never free-form parameters.
  const lines = [
    `# ${name}`,
    '',
    'Generated by xBasis from tested code modules. Plain Node.js 20, no dependencies.',
    '',
    '```bash',
    'npm start            # http://localhost:3000 (PORT, HOST)',
    '```',
    '',
    'Data is kept in `DATA_DIR` (default `./data`). Module parameters are in `xbasis.config.json`;',
    'settings and secrets come from the environment or a `.env` file (see `.env.example`).',
    '',
    '## Modules',
    '',
    '| module | version | what it does |',
    '| --- | --- | --- |',
    ...modules.map((m) => `| \`${m.id}\` | ${m.version} | ${m.title} |`),
    '',
    '## Routes',
    '',
    ...routes.filter((r) => r.description && !r.auth).map((r) => `- \`${r.method} ${r.path}\` — ${r.description}`),
    '',
    '## Environment',
    '',
    ...entries.map((e) => `- \`${e.name}\` — ${e.description}${e.generate ? ' (generated secret)' : e.default !== undefined ? ` (default \`${e.default}\`)` : ''}`),
    '',
  ]
  return lines.join('\n')
}

/**
 * package.json: app-base's template, under what the existing app's package.json has (its scripts
 * and fields survive a new composition), with the app's name, ES modules and the merged dependencies.
 */
function packageJson(template: string | Buffer | undefined, existing: Record<string, any> | undefined, name: string, dependencies: Record<string, string>): string {
  let base: Record<string, any>
  try {
    base = template === undefined ? {} : JSON.parse(template.toString())
  } catch {
    throw new ModuleError('file_conflict', `the package.json of "${BASE}" is not valid JSON`)
  }
  const scripts = { ...base.scripts, ...existing?.scripts }
  const merged = { ...base, ...existing, name, ...(base.type ? { type: base.type } : {}), ...(Object.keys(scripts).length ? { scripts } : {}), dependencies }
  return JSON.stringify(merged, null, 2) + '\n'
}

/**
 * Composes an app from module selections (plus, with `existing`, the modules of an earlier
 * composition, whose parameters are kept unless given again).
 */
export function composeApp(catalogue: ModuleCatalogue, selections: ModuleSelection[], options: ComposeOptions = {}): ComposedApp {
  const warnings: string[] = []
  const recorded = readExisting(catalogue, options.existing)

  const given = new Map<string, Record<string, unknown>>()
  for (const selection of selections) {
    if (given.has(selection.id)) throw new ModuleError('duplicate_module', `"${selection.id}" is selected twice`)
    given.set(selection.id, selection.params ?? {})
  }
  const removed = new Set(options.remove ?? [])
  const unknown = [...given.keys(), ...removed].filter((id) => !catalogue.get(id))
  if (unknown.length) {
    const known = catalogue.list().map((m) => m.id).join(', ')
    throw new ModuleError('unknown_module', `unknown module${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')} (the catalogue has: ${known})`)
  }
  for (const id of removed) {
    if (given.has(id)) throw new ModuleError('conflict', `"${id}" is both selected and removed`)
  }

  const wanted = [...recorded.modules.keys(), ...given.keys()].filter((id) => !removed.has(id))
  // Every app is built on app-base.
  const modules = resolveModules(catalogue, [BASE, ...wanted], removed, warnings)

  const params = new Map<string, Record<string, unknown>>()
  const problems: (ParameterProblem & { module: string })[] = []
  for (const manifest of modules) {
    const before = recorded.modules.get(manifest.id) ?? {}
    const now = given.get(manifest.id) ?? {}
    const fromName = manifest.id === BASE ? appNameDefaults(options.appName, before, now) : {}
    const result = moduleParams(manifest, before, { ...fromName, ...now }, warnings)
    problems.push(...result.problems)
    params.set(manifest.id, result.params)
  }
  if (problems.length) {
    const list = problems.map((p) => `${p.module}.${p.param} ${p.message}`).join('; ')
    throw new ModuleError('invalid_params', `invalid parameters: ${list}`, problems)
  }

  const files = new Map<string, string | Buffer>()
  const owners = new Map<string, string>()
  for (const manifest of modules) {
    for (const [path, contents] of catalogue.files(manifest.id)) {
      const owner = owners.get(path)
      if (owner) throw new ModuleError('file_conflict', `"${owner}" and "${manifest.id}" both provide ${path}`)
      owners.set(path, manifest.id)
      files.set(path, contents)
    }
  }

  const appSlug = String(params.get(BASE)!.name)
  const previous = recorded.packageJson?.dependencies
  const dependencies = mergeDependencies(modules, previous && typeof previous === 'object' && !Array.isArray(previous) ? previous : {}, warnings)
  files.set('package.json', packageJson(files.get('package.json'), recorded.packageJson, appSlug, dependencies))

  const routes = resolveRoutes(modules, params)
  const envEntries = collectEnv(modules)
  const env = envFiles(envEntries, recorded.env, options.random ?? randomBytes)
  files.set('.env', env.env)
  files.set('.env.example', env.example)

  const config = {
    generator: 'xbasis',
    schema: 1,
    modules: Object.fromEntries(modules.map((m) => [m.id, { version: m.version, params: params.get(m.id) }])),
  }
  files.set(CONFIG_FILE, JSON.stringify(config, null, 2) + '\n')
  files.set('README.md', readme(appSlug, modules, routes, envEntries))

  const gone = [...recorded.modules.keys()].filter((id) => !params.has(id))
  const removedFiles = [...new Set(gone.flatMap((id) => [...catalogue.files(id).keys()]))].filter((path) => !files.has(path)).sort()

  return {
    files: new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    env: env.values,
    secrets: env.secrets,
    modules: modules.map((m) => m.id),
    warnings,
    routes,
    removed: removedFiles,
  }
}
