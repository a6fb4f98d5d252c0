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
    // Only what a probe needs: no pid, platform or versions to the world.
    const body = {
      status: report.isHealthy ? 'ok' : 'error',
      checks: report.checks.map((check) => ({
        name: check.name,
        status: check.status,
        message: check.message,
      })),
    }
    return report.isHealthy ? response.ok(body) : response.serviceUnavailable(body)
  }
}
