import type { HttpContext } from '@adonisjs/core/http'
import { healthChecks, livenessReport } from '#start/health'

export default class HealthController {
  /**
   * The process is up and serving requests.
   */
  async live({ response }: HttpContext) {
    return response.ok(livenessReport())
  }

  /**
   * Ready to serve users: the database answers (and Redis, when configured).
   */
  async ready({ response }: HttpContext) {
    const report = await healthChecks.run()
    return report.isHealthy ? response.ok(report) : response.serviceUnavailable(report)
  }
}
