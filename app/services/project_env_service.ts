import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import type Project from '#models/project'
import { dbTime } from '#lib/db_time'
import { APP_ENV_NAME, APP_ENV_NAME_MAX, appEnvNameProblem, isAllowedAppEnvName } from '#deploy/app_env'

/** Where a variable applies: both environments, or one (which then wins). */
export const ENV_SCOPES = ['all', 'preview', 'production'] as const
export type EnvScope = (typeof ENV_SCOPES)[number]
export type DeployEnvironment = 'preview' | 'production'

export const ENV_NAME = APP_ENV_NAME

/**
 * Can a project set this variable? An allow-list (see #deploy/app_env): a
 * plain name outside every family the platform, Node.js, the loader,
 * OpenSSL, npm or a shell interprets.
 */
export function isReservedEnvName(name: string) {
  return !isAllowedAppEnvName(name)
}

export type EnvVarRow = {
  id: number
  name: string
  environment: EnvScope
  secret: boolean
  source: 'module' | 'user'
  /** Decrypted; only ever shown when the variable is not a secret. */
  value: string
  updatedAt: Date
}

export class EnvVarError extends Error {
  constructor(
    message: string,
    public status: number,
    public code: string
  ) {
    super(message)
  }
}

function decrypt(value: string): string | null {
  const plain = encryption.decrypt<string>(value)
  return typeof plain === 'string' ? plain : null
}

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value))
}

/**
 * The env vars and secrets of a project's app: kept in project_env_vars,
 * every value encrypted with the app key, never in the project's files.
 * Secrets are write-only: their values leave this service only towards a
 * deploy target.
 */
function toEnvVarRow(row: any): EnvVarRow {
  return {
    id: Number(row.id),
    name: row.key,
    environment: row.environment,
    secret: Boolean(row.secret),
    source: row.source,
    value: decrypt(row.value) ?? '',
    updatedAt: toDate(row.updated_at),
  }
}

export default class ProjectEnvService {
  async list(project: Project): Promise<EnvVarRow[]> {
    const rows = await db.from('project_env_vars').where('project_id', project.id).orderBy('key').orderBy('environment')
    return rows.map(toEnvVarRow)
  }

  /**
   * Sets a variable for one scope. A generated module secret stays a
   * secret (its value can be rotated); a new variable is a secret unless
   * said otherwise, an existing one keeps its flag unless told.
   */
  async set(project: Project, input: { name: string; value: string; secret?: boolean; environment?: EnvScope }) {
    const environment = input.environment ?? 'all'
    const problem = appEnvNameProblem(input.name)
    if (problem) {
      const invalid = !ENV_NAME.test(input.name) || input.name.length > APP_ENV_NAME_MAX
      throw new EnvVarError(problem, 422, invalid ? 'invalid_name' : 'reserved_name')
    }
    const existing = await db.from('project_env_vars').where({ project_id: project.id, key: input.name, environment }).first()
    const value = encryption.encrypt(input.value)
    if (existing) {
      const secret = existing.source === 'module' ? true : (input.secret ?? Boolean(existing.secret))
      await db.from('project_env_vars').where('id', existing.id).update({ value, secret, updated_at: dbTime() })
      return { created: false, row: await this.#find(Number(existing.id)) }
    }
    const [inserted] = await db
      .table('project_env_vars')
      .insert({ project_id: project.id, key: input.name, environment, value, secret: input.secret ?? true, source: 'user', created_at: dbTime(), updated_at: dbTime() })
      .returning('id')
    const id = typeof inserted === 'object' ? inserted.id : inserted
    return { created: true, row: await this.#find(Number(id)) }
  }

  /**
   * Removes a variable. A module's generated secret cannot go (the app
   * needs it): set a new value to rotate it.
   */
  async remove(project: Project, input: { name: string; environment?: EnvScope }) {
    const environment = input.environment ?? 'all'
    const existing = await db.from('project_env_vars').where({ project_id: project.id, key: input.name, environment }).first()
    if (!existing) throw new EnvVarError(`No variable ${input.name} for ${environment}`, 404, 'not_found')
    if (existing.source === 'module') {
      throw new EnvVarError(`${input.name} is generated for a module of the app and cannot be removed; set a new value to rotate it`, 409, 'module_secret')
    }
    await db.from('project_env_vars').where('id', existing.id).delete()
  }

  async #find(id: number): Promise<EnvVarRow> {
    return toEnvVarRow(await db.from('project_env_vars').where('id', id).firstOrFail())
  }
}

/**
 * What a variable looks like from outside: a secret's value never.
 */
export function presentEnvVar(row: EnvVarRow) {
  return {
    name: row.name,
    environment: row.environment,
    secret: row.secret,
    generated: row.source === 'module',
    ...(row.secret ? {} : { value: row.value }),
    updated_at: row.updatedAt.toISOString(),
  }
}

/**
 * The project's app environment, decrypted. Without an environment: the
 * variables of both environments (what the module composer works with).
 * For a deploy: those, overridden by the ones set for that environment.
 * Names outside the allow-list never reach an app, whatever the table
 * holds (a row stored before its family was refused included).
 */
export async function projectEnv(projectId: number, environment?: DeployEnvironment): Promise<Record<string, string>> {
  const scopes: EnvScope[] = environment ? ['all', environment] : ['all']
  const rows = await db.from('project_env_vars').where('project_id', projectId).whereIn('environment', scopes).select('key', 'value', 'environment')
  // `all` first, so the environment's own value wins.
  rows.sort((a, b) => (a.environment === 'all' ? 0 : 1) - (b.environment === 'all' ? 0 : 1))
  const env: Record<string, string> = {}
  for (const row of rows) {
    if (isReservedEnvName(row.key)) continue
    const value = decrypt(row.value)
    if (value !== null) env[row.key] = value
  }
  return env
}
