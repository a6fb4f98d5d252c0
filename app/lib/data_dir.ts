import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'

/**
 * The one folder that holds all the state of an instance. Relative values
 * are resolved from the working directory the platform was started in.
 */
export function resolveDataDir(value: string | undefined): string {
  const dir = value && value.trim() !== '' ? value : 'storage'
  const absolute = isAbsolute(dir) ? dir : resolve(process.cwd(), dir)
  mkdirSync(absolute, { recursive: true })
  return absolute
}

/**
 * Returns the APP_KEY stored in the data directory, creating it on first
 * start. This is what lets the embedded default run with no configuration:
 * the key survives restarts because it lives with the data it protects.
 */
export function ensureAppKey(dataDir: string): string {
  const file = join(dataDir, 'app.key')
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim()
    if (key.length >= 32) return key
    throw new Error(`${file} holds an invalid APP_KEY (shorter than 32 characters)`)
  }
  const key = randomBytes(32).toString('base64url')
  try {
    writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process started at the same moment and won the race: use its key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ensureAppKey(dataDir)
    throw error
  }
  return key
}
