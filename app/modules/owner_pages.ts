import type { ComposedRoute } from './composer.js'

/** A page of the generated app meant for its owner (new item, submissions, posts…). */
export type OwnerPage = { path: string; label: string; module: string }

/**
 * The owner pages of a composed app: the GET routes its modules' manifests mark with an `owner`
 * label, once per path, in the order of the modules.
 */
export function ownerPages(routes: ComposedRoute[]): OwnerPage[] {
  const pages = new Map<string, OwnerPage>()
  for (const route of routes) {
    if (route.method !== 'GET' || !route.owner || pages.has(route.path)) continue
    pages.set(route.path, { path: route.path, label: route.owner, module: route.module })
  }
  return [...pages.values()]
}
