import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

// Fixture module folders for the loader and composer tests.

/** A valid manifest, changed by `overrides` (which may also break it). */
export function manifest(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    title: `Module ${id}`,
    description: `A fixture module called ${id}, for the loader tests.`,
    category: 'test',
    version: '1.0.0',
    parameters: [],
    files: [],
    dependencies: {},
    env: [],
    requires: [],
    conflicts: [],
    routes: [],
    ...overrides,
  }
}

type Fixture = { manifest?: unknown; raw?: string; files?: Record<string, string> }

/** A folder of modules: each with its module.json (object or raw text) and its files/. */
export function modulesFolder(modules: Record<string, Fixture>): string {
  const root = mkdtempSync(join(tmpdir(), 'xbasis-modules-'))
  for (const [name, fixture] of Object.entries(modules)) {
    mkdirSync(join(root, name))
    const text = fixture.raw ?? (fixture.manifest === undefined ? undefined : JSON.stringify(fixture.manifest))
    if (text !== undefined) writeFileSync(join(root, name, 'module.json'), text)
    for (const [path, contents] of Object.entries(fixture.files ?? {})) {
      mkdirSync(dirname(join(root, name, 'files', path)), { recursive: true })
      writeFileSync(join(root, name, 'files', path), contents)
    }
  }
  return root
}
