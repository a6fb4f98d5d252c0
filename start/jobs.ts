/*
| The job queue's consumer in this process (web server and tests): deploy
| jobs run here unless XBASIS_WORKER=false. With Redis, several platform
| instances and `node ace xbasis:worker` processes share the queue; without
| it the queue lives in this process, which therefore always runs its jobs.
*/
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import { jobQueue, workerConcurrency } from '#services/platform_queue'

// Preloads are imported together: wait for the migrations (web) and the boot recovery.
if (app.getEnvironment() === 'web') await import('#start/sweeper')

const queue = jobQueue()
if (env.get('XBASIS_WORKER', true) || queue.driver === 'memory') {
  if (!env.get('XBASIS_WORKER', true)) logger.warn('XBASIS_WORKER=false needs Redis (REDIS_HOST): without it, this process runs its own jobs')
  const { default: DeployService } = await import('#services/deploy_service')
  const deploys = new DeployService()
  const consumer = queue.consume((job) => deploys.runJob(job.deploymentId), { concurrency: workerConcurrency() })
  app.terminating(() => consumer.stop(5000))
}
