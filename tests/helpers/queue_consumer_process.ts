/*
| A job consumer in a process of its own, for tests that kill it: it takes
| jobs from the Redis queue named in argv (QUEUE_NAME, REDIS_* from the env),
| prints "claimed <deploymentId>" for each and never finishes them.
| Run with: node --import ts-node-maintained/register/esm <this file>
*/
import { Redis } from 'ioredis'
import { RedisJobQueue } from '#services/job_queue'

const connection = new Redis({
  host: process.env.REDIS_HOST || '127.0.0.1',
  port: Number(process.env.REDIS_PORT || 6379),
  password: process.env.REDIS_PASSWORD || undefined,
  keyPrefix: process.env.REDIS_KEY_PREFIX ?? '',
})
const queue = new RedisJobQueue(() => connection, { name: process.env.QUEUE_NAME!, leaseMs: Number(process.env.QUEUE_LEASE_MS), blockSeconds: 0.2 })
queue.consume(
  async (job) => {
    console.log(`claimed ${job.deploymentId}`)
    await new Promise(() => {})
  },
  { concurrency: 1 }
)
console.log('consuming')
