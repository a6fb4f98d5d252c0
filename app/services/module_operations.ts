import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import type { OutputOp } from '#ai/output_protocol'
import type Project from '#models/project'
import { dbTime } from '#lib/db_time'
import { projectEnv } from '#services/project_env_service'
import { CONFIG_FILE, ModuleError, composeApp, loadCatalogue } from '#modules/composer'
import type { ChangeOp, ProjectRepository } from '#workspace/project_repository'

type ModuleOp = Extract<OutputOp, { op: 'module' }>
type DependencyOp = Extract<OutputOp, { op: 'dependency' }>
type RemoveOp = Extract<OutputOp, { op: 'remove-module' }>
type UpdateOp = Extract<OutputOp, { op: 'update-module' }>

/** Module removals and parameter updates of a turn (see the output protocol). */
export type ModuleChanges = { remove?: RemoveOp[]; update?: UpdateOp[] }

/** Files the composer reads back from an existing app. */
const COMPOSER_INPUTS = [CONFIG_FILE, 'package.json']

/**
 * The project's app environment (generated module secrets and the user's
 * variables), decrypted: see ProjectEnvService. Kept in the database, never
 * in the files: a zip or a push never carries a secret.
 */
export { projectEnv }

async function saveNewEnv(projectId: number, env: Record<string, string>) {
  const existing = await projectEnv(projectId)
  for (const [key, value] of Object.entries(env)) {
    if (key in existing) continue
    await db.table('project_env_vars').insert({ project_id: projectId, key, environment: 'all', source: 'module', value: encryption.encrypt(value), secret: true, created_at: dbTime(), updated_at: dbTime() })
  }
}

/** The ids of the modules an existing app was composed from (its xbasis.config.json). */
function recordedModules(config: string | undefined): Set<string> {
  try {
    const parsed = JSON.parse(config ?? 'null')
    const modules = parsed?.modules
    return new Set(modules && typeof modules === 'object' && !Array.isArray(modules) ? Object.keys(modules) : [])
  } catch {
    // The composer reports an unreadable config itself.
    return new Set()
  }
}

/**
 * Turns the module and dependency instructions of a turn into file
 * changes, through the composer: requirements added, parameters validated,
 * the app's earlier modules and their parameters kept. A removal takes a
 * module of the app out (its files go, so its routes and navigation links
 * do); an update changes parameters of a module the app already has (or
 * one added in the same turn) and never adds one.
 */
export async function resolveModuleOperations(
  repo: ProjectRepository,
  project: Project,
  modules: ModuleOp[],
  dependencies: DependencyOp[],
  changes: ModuleChanges = {}
) {
  const ops: ChangeOp[] = []
  const problems: string[] = []
  const present = new Set((await repo.listFiles()).map((f) => f.path))
  const read = async (path: string) => (present.has(path) ? ((await repo.readFile(path))?.toString('utf8') ?? undefined) : undefined)

  const existing = new Map<string, string>()
  for (const path of COMPOSER_INPUTS) {
    const content = await read(path)
    if (content !== undefined) existing.set(path, content)
  }
  const env = await projectEnv(project.id)
  existing.set('.env', Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'))

  let packageJson = existing.get('package.json')
  const removals = [...new Set((changes.remove ?? []).map((op) => op.id))]
  const updates = changes.update ?? []
  const inApp = recordedModules(existing.get(CONFIG_FILE))
  // The last word wins when a module is asked for twice.
  const selections = new Map(modules.map((m) => [m.id, m.params]))
  for (const id of removals) {
    if (id === 'app-base') problems.push('Modules: every app is built on "app-base"; it cannot be removed')
    else if (!inApp.has(id)) problems.push(`Modules: "${id}" is not in the app, so it cannot be removed`)
  }
  for (const update of updates) {
    if (!inApp.has(update.id) && !selections.has(update.id)) {
      problems.push(`Modules: "${update.id}" is not in the app, so its parameters cannot be updated (add it with <xb-module> instead)`)
      continue
    }
    selections.set(update.id, { ...(selections.get(update.id) ?? {}), ...update.params })
  }
  if (problems.length === 0 && (selections.size || removals.length)) {
    try {
      const catalogue = await loadCatalogue()
      const composed = composeApp(catalogue, [...selections].map(([id, params]) => ({ id, params })), { appName: project.name, existing, remove: removals })
      for (const [path, content] of composed.files) {
        if (path === '.env') continue
        const text = typeof content === 'string' ? content : content.toString('utf8')
        if ((await read(path)) !== text) ops.push({ op: 'write', path, content })
      }
      for (const path of composed.removed) if (present.has(path)) ops.push({ op: 'delete', path })
      // Only generated secrets: defaults such as PORT belong to the deploy target.
      await saveNewEnv(project.id, composed.secrets)
      const composedPackage = composed.files.get('package.json')
      if (composedPackage !== undefined) packageJson = composedPackage.toString()
    } catch (error) {
      if (!(error instanceof ModuleError)) throw error
      problems.push(`Modules: ${error.message}${error.details.length ? ' — ' + error.details.map((d) => `${d.module}.${d.param}: ${d.message}`).join('; ') : ''}`)
    }
  }

  if (dependencies.length) {
    let manifest: any
    try {
      manifest = JSON.parse(packageJson ?? '')
    } catch {
      problems.push('Dependencies can only be added to an app with a valid package.json (add the app-base module first)')
    }
    if (manifest) {
      manifest.dependencies = { ...(manifest.dependencies ?? {}) }
      for (const dep of dependencies) manifest.dependencies[dep.name] = dep.version
      const content = JSON.stringify(manifest, null, 2) + '\n'
      const index = ops.findIndex((op) => op.op === 'write' && op.path === 'package.json')
      if (index >= 0) ops.splice(index, 1)
      ops.push({ op: 'write', path: 'package.json', content })
    }
  }
  return { ops, problems }
}
