import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * Sessions live in Redis when REDIS_HOST is set (shared by every platform
 * instance), otherwise in an encrypted cookie (embedded default).
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'xbasis-session',
  clearWithBrowser: false,
  age: '2h',
  cookie: {
    path: '/',
    httpOnly: true,
    secure: env.get(
      'COOKIE_SECURE',
      app.inProduction && (env.get('APP_URL') ?? '').startsWith('https://')
    ),
    sameSite: 'lax',
  },
  store: env.get('REDIS_HOST') ? 'redis' : 'cookie',
  stores: {
    cookie: stores.cookie(),
    redis: stores.redis({ connection: 'main' }),
  },
})

export default sessionConfig
