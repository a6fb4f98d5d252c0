import env from '#start/env'
import xbasis from '#config/xbasis'
import { defineConfig } from '@adonisjs/lucid'

/**
 * SQLite is the embedded default (a single file in DATA_DIR); PostgreSQL is
 * for production and for the test suite.
 */
const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: {
        filename: xbasis.paths.database,
      },
      pool: {
        afterCreate: (conn: any, done: (error: Error | null, conn: any) => void) => {
          // Foreign keys are off by default in SQLite; WAL lets readers run
          // while a write is in progress.
          conn.pragma('foreign_keys = ON')
          conn.pragma('journal_mode = WAL')
          conn.pragma('busy_timeout = 5000')
          done(null, conn)
        },
      },
      useNullAsDefault: true,
      migrations: {
        naturalSort: true,
        paths: ['database/migrations'],
      },
    },
    pg: {
      client: 'pg',
      connection: {
        host: env.get('PG_HOST', '127.0.0.1'),
        port: env.get('PG_PORT', 5432),
        user: env.get('PG_USER', 'postgres'),
        password: env.get('PG_PASSWORD'),
        database: env.get('PG_DATABASE', 'xbasis'),
        ssl: env.get('PG_SSL', false) ? { rejectUnauthorized: false } : false,
      },
      migrations: {
        naturalSort: true,
        paths: ['database/migrations'],
      },
    },
  },
})

export default dbConfig
