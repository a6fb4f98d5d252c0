import type { HttpContext } from '@adonisjs/core/http'
import { loadCatalogue } from '#modules/composer'
import type { ModuleManifest } from '#modules/types'

function present(module: ModuleManifest) {
  return {
    id: module.id,
    title: module.title,
    description: module.description,
    category: module.category,
    version: module.version,
    parameters: module.parameters.map((p) => ({ name: p.name, type: p.type, description: p.description, default: p.default ?? null, required: Boolean(p.required) })),
    requires: module.requires,
    conflicts: module.conflicts,
    env: module.env.map((e) => ({ name: e.name, description: e.description, generated: e.generate === 'secret' })),
    routes: module.routes.map((r) => ({ method: r.method, path: r.path, status: r.status, description: r.description ?? null })),
  }
}

/**
 * The code module catalogue: GET /api/v1/modules and the /modules page.
 */
export default class ModulesController {
  async index() {
    const catalogue = await loadCatalogue()
    return { modules: catalogue.list().map(present) }
  }

  async page({ view }: HttpContext) {
    const catalogue = await loadCatalogue()
    return view.render('pages/modules', { modules: catalogue.list().map(present) })
  }
}
