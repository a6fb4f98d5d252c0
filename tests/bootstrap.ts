import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { browserPlugins } from '#tests/helpers/browser'
import { prepareDatabase, resetRateLimits } from '#tests/helpers/services'

/**
 * Japa plugins. The browser plugins drive Debian's chromium
 * (/usr/bin/chromium), never a downloaded browser.
 */
export const plugins: Config['plugins'] = [
  assert(),
  apiClient(),
  pluginAdonisJS(app),
  ...browserPlugins(),
]

/**
 * Runner hooks: a database of its own for the test run (created when
 * missing, migrated fresh), rate limit counters cleared.
 */
export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [prepareDatabase, () => testUtils.db().migrate(), resetRateLimits],
  // The docker target's tests may have started a private dockerd: stop it and remove what they made.
  teardown: [async () => (await import('#tests/helpers/docker')).stopTestDocker()],
}

/**
 * Suites that need the HTTP server start it once.
 */
export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional', 'e2e'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
