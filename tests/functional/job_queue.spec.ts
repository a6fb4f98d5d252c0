import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import env from '#start/env'
import { MemoryJobQueue, RedisJobQueue, type Job } from '#services/job_queue'
import { PROJECT_ROOT } from '#tests/helpers/platform_process'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}
const jobs = (n: number): Job[] => Array.from({ length: n }, (_, i) => ({ kind: 'deploy', deploymentId: i + 1 }))

/*
| The Redis queue is tested against the machine's Redis whether or not the
| platform is configured with one (the suite also runs with REDIS_HOST=).
*/
const redisOptions = {
  host: env.get('REDIS_HOST') || '127.0.0.1',
  port: env.get('REDIS_PORT', 6379),
  password: env.get('REDIS_PASSWORD') || undefined,
  keyPrefix: env.get('REDIS_KEY_PREFIX', 'xbasis:'),
}

test.group('Job queue: in process', () => {
  test('runs each job once, at most `concurrency` at a time, and waits for a consumer', async ({ assert }) => {
    const queue = new MemoryJobQueue()
    for (const job of jobs(6)) await queue.enqueue(job)
    assert.lengthOf(await queue.jobs(), 6, 'jobs wait for a consumer')
    const ran: number[] = []
    let active = 0
    let peak = 0
    const consumer = queue.consume(
      async (job) => {
        peak = Math.max(peak, ++active)
        await sleep(20)
        ran.push(job.deploymentId)
        active--
        if (job.deploymentId === 3) throw new Error('a failing job does not stop the others')
      },
      { concurrency: 2 }
    )
    await until('all jobs', () => ran.length === 6)
    assert.sameMembers(ran, [1, 2, 3, 4, 5, 6])
    assert.equal(peak, 2)
    await queue.enqueue({ kind: 'deploy', deploymentId: 7 })
    await until('a later job', () => ran.length === 7)
    await consumer.stop()
    assert.deepEqual(await queue.jobs(), [])
  })
})

test.group('Job queue: Redis', (group) => {
  let redis: Redis
  let name: string
  const consumers: { stop: (ms?: number) => Promise<void> }[] = []
  group.setup(() => {
    redis = new Redis(redisOptions)
    return async () => {
      await redis.quit()
    }
  })
  group.each.setup(() => {
    name = `test-jobs-${randomUUID().slice(0, 8)}`
    return async () => {
      for (const consumer of consumers.splice(0)) await consumer.stop()
      const keys = await redis.keys(`${redisOptions.keyPrefix}${name}:*`)
      if (keys.length) await redis.del(...keys.map((key) => key.slice(redisOptions.keyPrefix.length)))
    }
  })
  const queueFor = (leaseMs = 30_000) => new RedisJobQueue(() => redis, { name, leaseMs, blockSeconds: 0.2 })

  test('two consumers share the jobs; each job runs exactly once', async ({ assert }) => {
    const producer = queueFor()
    for (const job of jobs(30)) await producer.enqueue(job)
    const ranBy = new Map<number, string[]>()
    const start = (label: string) => {
      const consumer = queueFor().consume(
        async (job) => {
          ranBy.set(job.deploymentId, [...(ranBy.get(job.deploymentId) ?? []), label])
          await sleep(15)
        },
        { concurrency: 2 }
      )
      consumers.push(consumer)
    }
    start('a')
    start('b')
    await until('every job', () => ranBy.size === 30)
    await until('the queue to empty', async () => (await producer.jobs()).length === 0)
    await sleep(300)
    assert.equal(ranBy.size, 30)
    for (const [id, runs] of ranBy) assert.lengthOf(runs, 1, `job ${id} ran ${runs.length} times`)
    const labels = [...ranBy.values()].flat()
    assert.isAbove(labels.filter((l) => l === 'a').length, 0, 'consumer a took jobs')
    assert.isAbove(labels.filter((l) => l === 'b').length, 0, 'consumer b took jobs')
  }).timeout(30_000)

  test('a job claimed by a consumer that dies is run again by another; a live consumer keeps its jobs', async ({ assert }) => {
    const leaseMs = 1500
    const producer = queueFor(leaseMs)
    await producer.enqueue({ kind: 'deploy', deploymentId: 42 })
    const child = spawn(process.execPath, ['--import', 'ts-node-maintained/register/esm', 'tests/helpers/queue_consumer_process.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, QUEUE_NAME: name, QUEUE_LEASE_MS: String(leaseMs), REDIS_HOST: redisOptions.host, REDIS_PORT: String(redisOptions.port), REDIS_KEY_PREFIX: redisOptions.keyPrefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (chunk) => (output += chunk))
    child.stderr!.on('data', (chunk) => (output += chunk))
    try {
      await until('the other process to claim the job', () => output.includes('claimed 42'), 30_000)
      const ran: number[] = []
      consumers.push(queueFor(leaseMs).consume(async (job) => void ran.push(job.deploymentId)))
      // Longer than the lease: the other process renews it, so its job stays its own.
      await sleep(leaseMs * 2.5)
      assert.deepEqual(ran, [], output)
      assert.deepEqual(await producer.jobs(), [{ kind: 'deploy', deploymentId: 42 }])

      child.kill('SIGKILL')
      await until('the job to be run again', () => ran.length > 0, leaseMs * 6)
      await sleep(leaseMs)
      assert.deepEqual(ran, [42], 'run once more, by the live consumer')
      assert.deepEqual(await producer.jobs(), [])
    } finally {
      child.kill('SIGKILL')
    }
  }).timeout(60_000)

  test('a consumer that stops hands its unfinished jobs back', async ({ assert }) => {
    const producer = queueFor()
    await producer.enqueue({ kind: 'deploy', deploymentId: 7 })
    let started = false
    const slow = queueFor().consume(async () => {
      started = true
      await new Promise(() => {})
    })
    await until('the job to start', () => started)
    await slow.stop(100)
    const ran: number[] = []
    consumers.push(queueFor().consume(async (job) => void ran.push(job.deploymentId)))
    await until('another consumer to run it', () => ran.length === 1)
    assert.deepEqual(ran, [7])
  }).timeout(30_000)
})
