#!/usr/bin/env node
/*
|--------------------------------------------------------------------------
| npm start: the platform on the embedded default, no configuration needed
|--------------------------------------------------------------------------
|
| 1. Reads ./.env when there is one (nothing is required).
| 2. Builds the app (TypeScript + assets) when the sources changed since the
|    last build, so `npm install && npm start` is all a newcomer types.
| 3. Starts the compiled HTTP server in production mode. Migrations run on
|    start (SQLite default), and the state of the instance lives in DATA_DIR.
*/
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const buildDir = join(root, 'build')
const stampFile = join(buildDir, '.source-stamp')

if (existsSync(join(root, '.env'))) {
  process.loadEnvFile(join(root, '.env'))
}
process.env.NODE_ENV ||= 'production'
process.env.DATA_DIR = resolve(root, process.env.DATA_DIR || 'storage')

/**
 * A fingerprint of everything the build reads: paths, sizes, modification
 * times. Cheap (no file contents read) and changes whenever a source does.
 */
function sourceStamp() {
  const hash = createHash('sha256')
  const dirs = ['app', 'bin', 'commands', 'config', 'database', 'plugins', 'providers', 'resources', 'start']
  const files = [
    'adonisrc.ts',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'vite.config.ts',
    'tailwind.config.js',
    'postcss.config.js',
  ]
  const visit = (path) => {
    let stat
    try {
      stat = statSync(path)
    } catch {
      return
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry === 'node_modules' || entry.startsWith('.')) continue
        visit(join(path, entry))
      }
    } else {
      hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`)
    }
  }
  for (const entry of [...dirs, ...files]) visit(join(root, entry))
  return hash.digest('hex')
}

const stamp = sourceStamp()
const built = existsSync(join(buildDir, 'bin', 'server.js')) && existsSync(stampFile)
if (!built || readFileSync(stampFile, 'utf8') !== stamp) {
  console.log('xBasis: building the platform (first start or sources changed)…')
  const result = spawnSync(process.execPath, ['ace', 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) {
    console.error('xBasis: the build failed, see above.')
    process.exit(result.status ?? 1)
  }
  writeFileSync(stampFile, stamp)
}

const port = process.env.PORT || '3333'
const host = process.env.HOST || '0.0.0.0'
console.log(`xBasis: starting on http://${host === '0.0.0.0' ? 'localhost' : host}:${port} (data in ${process.env.DATA_DIR})`)
await import(pathToFileURL(join(buildDir, 'bin', 'server.js')).href)
