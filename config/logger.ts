import env from '#start/env'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'

/**
 * Development: pretty output. Production: JSON to stdout (for containers and
 * process managers) and to DATA_DIR/logs/xbasis.log, so an instance's logs
 * live with the rest of its state.
 */
const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'xbasis',
      level: env.get('LOG_LEVEL', app.inTest ? 'warn' : 'info'),
      transport: {
        targets: targets()
          .pushIf(!app.inProduction && !app.inTest, targets.pretty())
          .pushIf(app.inProduction || app.inTest, targets.file({ destination: 1 }))
          .pushIf(app.inProduction, targets.file({ destination: join(env.get('DATA_DIR')!, 'logs', 'xbasis.log'), mkdir: true }))
          .toArray(),
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
