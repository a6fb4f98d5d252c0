/*
| Test entrypoint (`node ace test` / `npm test`). Japa runs inside the
| booted application in the "test" environment.
*/
process.env.NODE_ENV = 'test'

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/*
| `REDIS_HOST= npm test` means "without Redis" (the embedded default), but
| the env loader fills a variable that is empty in the process from
| .env.test. The suite then reads a copy of the env files without their
| REDIS_HOST line (ENV_PATH), so the no-Redis paths really run.
*/
if (process.env.REDIS_HOST === '') {
  const root = new URL('../', import.meta.url).pathname
  const dir = mkdtempSync(join(tmpdir(), 'xbasis-test-env-'))
  for (const name of ['.env', '.env.test']) {
    const file = join(root, name)
    if (!existsSync(file)) continue
    writeFileSync(join(dir, name), readFileSync(file, 'utf8').split('\n').filter((line) => !/^\s*REDIS_HOST\s*=/.test(line)).join('\n'))
  }
  process.env.ENV_PATH = dir
  delete process.env.REDIS_HOST
}

import 'reflect-metadata'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    app.listen('SIGTERM', () => app.terminate())
    app.listenIf(app.managedByPm2, 'SIGINT', () => app.terminate())
  })
  .testRunner()
  .configure(async (app) => {
    const { runnerHooks, ...config } = await import('../tests/bootstrap.js')

    processCLIArgs(process.argv.splice(2))
    configure({
      ...app.rcFile.tests,
      ...config,
      ...{
        setup: runnerHooks.setup,
        teardown: runnerHooks.teardown.concat([() => app.terminate()]),
      },
    })
  })
  .run(() => run())
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
