import { existsSync } from 'node:fs'
import type { Config } from '@japa/runner/types'
import { browserClient } from '@japa/browser-client'
import { sessionBrowserClient } from '@adonisjs/session/plugins/browser_client'
import { authBrowserClient } from '@adonisjs/auth/plugins/browser_client'
import app from '@adonisjs/core/services/app'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/**
 * Flags for Debian's chromium on these machines (root, no network).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

export function chromiumAvailable() {
  return existsSync(CHROMIUM)
}

export function browserPlugins(): NonNullable<Config['plugins']> {
  return [
    browserClient({
      runInSuites: ['browser'],
      launcher: async (launchOptions) => {
        const { chromium } = await import('playwright-core')
        return chromium.launch({
          ...launchOptions,
          headless: true,
          executablePath: CHROMIUM,
          args: CHROMIUM_ARGS,
        })
      },
    }),
    sessionBrowserClient(app),
    authBrowserClient(app),
  ]
}
