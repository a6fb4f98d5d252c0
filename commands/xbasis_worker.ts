import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * node ace xbasis:worker: runs queued jobs (deployments) in a process of its
 * own, next to or instead of the platform's web processes (XBASIS_WORKER=false
 * turns their consumer off). Needs Redis: that is where the queue lives.
 * Stops on SIGTERM/SIGINT, handing unfinished jobs back to the queue.
 */
export default class XbasisWorker extends BaseCommand {
  static commandName = 'xbasis:worker'
  static description = 'Run queued jobs (deployments) from the Redis queue until stopped'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.number({ description: 'Jobs run at the same time (default XBASIS_WORKER_CONCURRENCY or 2)' })
  declare concurrency?: number

  async run() {
    const { jobQueue, workerConcurrency } = await import('#services/platform_queue')
    const { default: DeployService, shutdownLocalApps } = await import('#services/deploy_service')
    const queue = jobQueue()
    if (queue.driver !== 'redis') {
      this.logger.error('xbasis:worker needs Redis (set REDIS_HOST): without it, jobs run inside the platform process')
      this.exitCode = 1
      process.exitCode = 1
      await this.terminate()
      return
    }
    const deploys = new DeployService()
    const consumer = queue.consume((job) => deploys.runJob(job.deploymentId), { concurrency: this.concurrency ?? workerConcurrency() })
    this.logger.info(`worker ${consumer.id} is running jobs (concurrency ${this.concurrency ?? workerConcurrency()})`)
    let stopping: Promise<void> | null = null
    const stop = () =>
      (stopping ??= (async () => {
        this.logger.info('stopping: unfinished jobs go back to the queue')
        await consumer.stop(5000)
        // Apps of the process target are children of this process; their last lines are written before the connections close.
        await shutdownLocalApps()
        await this.terminate()
        // Nothing of the worker is left to finish; a connection of the app must not keep it up.
        setTimeout(() => process.exit(), 2000).unref()
      })())
    process.once('SIGTERM', () => void stop())
    process.once('SIGINT', () => void stop())
  }
}
