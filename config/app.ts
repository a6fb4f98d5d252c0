import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { Secret } from '@adonisjs/core/helpers'
import { defineConfig } from '@adonisjs/core/http'
import { parseTrustedProxies } from '#lib/trusted_proxies'

/**
 * The app key encrypts cookies, sessions and secrets at rest. It comes from
 * APP_KEY or, when unset, from DATA_DIR/app.key (created on first start).
 */
export const appKey = new Secret(env.get('APP_KEY')!)

/**
 * Public URL of the platform, used in e-mails (password reset links).
 */
export const appUrl = (
  env.get('APP_URL') ?? `http://localhost:${env.get('PORT', 3333)}`
).replace(/\/+$/, '')

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  // Forwarded headers are believed only from TRUSTED_PROXIES (loopback by default).
  trustProxy: parseTrustedProxies(env.get('TRUSTED_PROXIES')),
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: env.get('COOKIE_SECURE', app.inProduction && appUrl.startsWith('https://')),
    sameSite: 'lax',
  },
})
