// The app's configuration, read once at start. Every module imports it from here so that `.env` is
// loaded before anything reads process.env.
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The app's folder (where package.json and server.js are), whatever the working directory is. */
export const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Loads `.env` into process.env. Variables already set by the host (a deploy platform, the shell)
 * win over the file, so the file only provides defaults and generated secrets.
 */
function loadDotEnv(file) {
  if (!existsSync(file)) return
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/)
    if (!match) continue
    let value = match[2]
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1)
    if (process.env[match[1]] === undefined) process.env[match[1]] = value
  }
}
loadDotEnv(join(root, '.env'))

/**
 * xbasis.config.json: which modules the app is made of and their parameters. Parameters are data
 * read at run time (never pasted into source), so whatever they contain is rendered escaped.
 */
function readConfig() {
  const file = join(root, 'xbasis.config.json')
  if (!existsSync(file)) return { modules: {} }
  const parsed = JSON.parse(readFileSync(file, 'utf8'))
  return parsed && typeof parsed === 'object' && parsed.modules ? parsed : { modules: {} }
}
export const config = readConfig()

/** The parameters of one module, `{}` when the module is not part of the app. */
export function moduleParams(id) {
  return config.modules[id]?.params ?? {}
}

function toPort(value, fallback) {
  const port = Number(value)
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : fallback
}

export const port = toPort(process.env.PORT, 3000)
export const host = process.env.HOST || '0.0.0.0'

/**
 * Where the app keeps its data; relative paths are taken from the app's folder. A deploy platform
 * that keeps the app's data across deployments names that folder in XBASIS_DATA_DIR, which wins.
 */
const dir = process.env.XBASIS_DATA_DIR || process.env.DATA_DIR || 'data'
export const dataDir = isAbsolute(dir) ? dir : resolve(root, dir)
