import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * Sessions are always kept on the server, so that logging out, a password
 * change or a reset really ends them (a copied cookie holds only an id):
 * in Redis when REDIS_HOST is set (shared by every platform instance),
 * otherwise in the database's `sessions` table — the session package's own
 * database store, on SQLite and PostgreSQL alike. Both stores tag a session
 * with its user (app/services/session_service.ts lists and revokes them).
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
  store: env.get('REDIS_HOST') ? 'redis' : 'database',
  stores: {
    redis: stores.redis({ connection: 'main' }),
    database: stores.database({ tableName: 'sessions' }),
  },
})

export default sessionConfig
