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

/**
 * Turns the module and dependency instructions of a turn into file
 * changes, through the composer: requirements added, parameters validated,
 * the app's earlier modules and their parameters kept.
 */
export async function resolveModuleOperations(repo: ProjectRepository, project: Project, modules: ModuleOp[], dependencies: DependencyOp[]) {
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
  if (modules.length) {
    // The last word wins when a module is asked for twice.
    const selections = new Map(modules.map((m) => [m.id, m.params]))
    try {
      const catalogue = await loadCatalogue()
      const composed = composeApp(catalogue, [...selections].map(([id, params]) => ({ id, params })), { appName: project.name, existing })
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
