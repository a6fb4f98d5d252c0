import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROJECT_ROOT } from '#tests/helpers/platform_process'

/**
 * Runs `node ace xbasis:doctor` (boots the app, validating the environment) with the
 * given variables on top of a clean environment.
 */
function bootWith(vars: Record<string, string>): Promise<{ code: number; output: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp' }
  Object.assign(env, { DATA_DIR: mkdtempSync(join(tmpdir(), 'xbasis-env-')) }, vars)
  return new Promise((resolve) => {
    execFile(process.execPath, ['ace', 'xbasis:doctor'], { cwd: PROJECT_ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr })
    })
  })
}

// Every test boots the app in a child process, several seconds each on a busy machine.
test.group('Environment validation at boot', () => {
  test('no configuration at all boots (embedded default)', async ({ assert }) => {
    const { code, output } = await bootWith({})
    assert.equal(code, 0, output)
    assert.include(output, 'sqlite')
    assert.include(output, 'off (sessions in cookies, limiter in memory)')
    assert.include(output, 'Successfully connected to the database server')
  }).timeout(60_000)

  test('DB_CONNECTION=pg without PG_* names every missing variable', async ({ assert }) => {
    const { code, output } = await bootWith({ DB_CONNECTION: 'pg' })
    assert.notEqual(code, 0)
    assert.include(output, 'PG_HOST is required when DB_CONNECTION=pg')
    assert.include(output, 'PG_USER is required when DB_CONNECTION=pg')
    assert.include(output, 'PG_DATABASE is required when DB_CONNECTION=pg')
    assert.notMatch(output, /\n\s+at /, 'a message, not a stack trace')
  }).timeout(60_000)

  test('APPS_DOMAIN and PLATFORM_ORIGINS: a bad value is named; the apps line of the doctor says where apps answer', async ({ assert }) => {
    const bad = await bootWith({ APPS_DOMAIN: 'https://apps.example.com/', PLATFORM_ORIGINS: 'https://ok.example.com, not an origin' })
    assert.notEqual(bad.code, 0)
    assert.include(bad.output, 'APPS_DOMAIN must be a host name with an optional port')
    assert.include(bad.output, 'PLATFORM_ORIGINS: "not an origin" is not an origin')
    assert.notInclude(bad.output, '"https://ok.example.com"')

    const byDefault = await bootWith({ APP_URL: 'http://localhost:3333' })
    assert.equal(byDefault.code, 0, byDefault.output)
    assert.include(byDefault.output, 'apps         <app>.localhost:3333 (wildcard DNS *.localhost) and sandboxed /apps/<app>/')
    const byIp = await bootWith({ APP_URL: 'http://192.0.2.10:3333' })
    assert.include(byIp.output, 'apps         only sandboxed /apps/<app>/')
  }).timeout(120_000)

  test('ill-typed values are named with what is wrong', async ({ assert }) => {
    const badPort = await bootWith({ PORT: 'eighty' })
    assert.notEqual(badPort.code, 0)
    assert.match(badPort.output, /PORT/)
    const badDb = await bootWith({ DB_CONNECTION: 'mysql' })
    assert.notEqual(badDb.code, 0)
    assert.match(badDb.output, /DB_CONNECTION/)
    const shortKey = await bootWith({ APP_KEY: 'short' })
    assert.notEqual(shortKey.code, 0)
    assert.include(shortKey.output, 'APP_KEY must be at least 32 characters')
  }).timeout(120_000)
})
