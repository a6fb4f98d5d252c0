import logger from '@adonisjs/core/services/logger'
import redis from '@adonisjs/redis/services/main'
import env from '#start/env'
import xbasis from '#config/xbasis'
import { MemoryJobQueue, RedisJobQueue, type JobQueue } from '#services/job_queue'

let shared: JobQueue | null = null

/**
 * The platform's queue: on Redis when REDIS_HOST is set (shared by every
 * instance and `node ace xbasis:worker` process), in this process otherwise.
 */
export function jobQueue(): JobQueue {
  shared ??= xbasis.redisEnabled
    ? new RedisJobQueue(() => redis.connection().ioConnection, { leaseMs: env.get('XBASIS_WORKER_LEASE_SECONDS', 30) * 1000, logger })
    : new MemoryJobQueue(logger)
  return shared
}

/** How many jobs one consumer runs at a time. */
export function workerConcurrency() {
  return Math.max(1, env.get('XBASIS_WORKER_CONCURRENCY', 2))
}
