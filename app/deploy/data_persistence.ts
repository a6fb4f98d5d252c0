import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { DeployEnvironment } from '#deploy/contract'
import type Project from '#models/project'
import type { ModuleCatalogue } from '#modules/catalogue'

/**
 * An app's data that outlives its deployments (the records its visitors
 * save: items, sign-ups, messages, posts).
 *
 * The platform names it per project × environment (`appDataKey`) and hands
 * the name to the deploy target in `persistentData`; the target gives every
 * deployment of the key the same place. The key holds the project's id and
 * a random token stored with the project (`data_token`, made on its first
 * deployment): a project that gets the id of a deleted one (a database reset
 * while DATA_DIR or the Docker volumes stayed) never sees that project's
 * data, and nothing about the machine (its time zone) changes the name.
 */
export function appDataKey(project: { id: number; dataToken: string | null }, environment: DeployEnvironment) {
  if (!project.dataToken || !/^[a-z0-9]{6,32}$/.test(project.dataToken)) throw new Error(`project ${project.id} has no data token yet`)
  return `p${project.id}-${project.dataToken}-${environment}`
}

/**
 * The project's data token, made once: concurrent first deployments (preview
 * and production at once) agree on the one that got stored first.
 */
export async function ensureDataToken(project: Project): Promise<Project> {
  if (project.dataToken) return project
  await db.from('projects').where('id', project.id).whereNull('data_token').update({ data_token: randomBytes(8).toString('hex') })
  const row = await db.from('projects').where('id', project.id).select('data_token').first()
  project.dataToken = row?.data_token ?? null
  if (!project.dataToken) throw new Error(`project ${project.id} is gone`)
  return project
}

export type DataPersistence = {
  /** `kept`: across redeploys, rollbacks and restarts until the project is deleted; `lost`: not kept. */
  kept: boolean
  /** What persists on the target, for the user (the editor and the API say it as it is). */
  note: string
}

/** What persists on each deploy target (the README's Deploys section says the same). */
const PERSISTENCE: Record<string, DataPersistence> = {
  process: {
    kept: true,
    note: 'Data the app saves (items, sign-ups, messages, posts) is kept in a folder of its own on this machine (DATA_DIR/app-data): redeploys, rollbacks and restarts keep it; the preview has its own. Deleting the project removes it.',
  },
  docker: {
    kept: true,
    note: 'Data the app saves is kept in a Docker volume of its own (xbasis-data-…): redeploys, rollbacks and restarts keep it; the preview has its own. Deleting the project removes it.',
  },
  railway: {
    kept: true,
    note: 'Data the app saves is kept in a Railway volume mounted into its service (/xbasis-data): redeploys and rollbacks keep it (Railway stops the old deployment before the new one mounts the volume: a few seconds without the app); the preview has its own. Deleting the project removes it.',
  },
  vercel: {
    kept: false,
    note: 'Vercel functions are stateless: the data the app saves (items, sign-ups, messages) is lost, often between two requests. Use the process or docker target for apps that keep data.',
  },
}

export function dataPersistence(target: string): DataPersistence {
  return PERSISTENCE[target] ?? { kept: false, note: `The "${target}" target does not say whether it keeps the data the app saves: assume it does not.` }
}

/**
 * The modules of an app (its xbasis.config.json) that keep data of their own
 * (they require the data store), by title; [] when it keeps none or the file
 * is missing or unreadable (hand-written apps: the platform cannot tell).
 */
export function modulesKeepingData(configText: string | null, catalogue: ModuleCatalogue): string[] {
  if (!configText) return []
  let modules: Record<string, unknown> = {}
  try {
    const parsed = JSON.parse(configText)
    if (parsed && typeof parsed.modules === 'object' && parsed.modules !== null) modules = parsed.modules
  } catch {
    return []
  }
  const ids = Object.keys(modules)
  if (!ids.includes('data-store')) return []
  return ids
    .filter((id) => id !== 'data-store' && catalogue.get(id)?.requires.includes('data-store'))
    .map((id) => catalogue.get(id)!.title)
}
