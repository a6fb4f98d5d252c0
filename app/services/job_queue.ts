import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Redis } from 'ioredis'

/** Where the queue reports problems (the app's logger; pino-compatible). */
export type QueueLogger = {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}
const quiet: QueueLogger = { warn() {}, error() {} }

/**
 * Background jobs of the platform. Deployments are the only kind so far.
 */
export type Job = { kind: 'deploy'; deploymentId: number }
export type JobHandler = (job: Job) => Promise<void>

/** A job as stored: a unique id so a delivery can be acknowledged exactly. */
type Envelope = Job & { id: string; enqueuedAt: number }

export interface Consumer {
  readonly id: string
  /** Jobs being run by this consumer right now. */
  readonly active: number
  /** Stops taking jobs; waits up to `graceMs` for running ones, then hands the rest back. */
  stop(graceMs?: number): Promise<void>
}

export interface JobQueue {
  readonly driver: 'memory' | 'redis'
  enqueue(job: Job): Promise<void>
  consume(handler: JobHandler, options?: { concurrency?: number }): Consumer
  /** Jobs waiting or being run (by any consumer). */
  jobs(): Promise<Job[]>
}

function parseJob(raw: string): Envelope | null {
  try {
    const value = JSON.parse(raw)
    if (value?.kind === 'deploy' && Number.isSafeInteger(value.deploymentId) && typeof value.id === 'string') return value
  } catch {}
  return null
}

const plain = ({ kind, deploymentId }: Envelope): Job => ({ kind, deploymentId })

/**
 * In-process queue (no Redis): jobs live in this process's memory and run
 * here, `concurrency` at a time. A job enqueued before any consumer exists
 * waits for the first one.
 */
export class MemoryJobQueue implements JobQueue {
  readonly driver = 'memory' as const
  #waiting: Envelope[] = []
  #running = new Set<Envelope>()
  #consumers: { pump: () => void }[] = []

  constructor(private logger: QueueLogger = quiet) {}

  async enqueue(job: Job) {
    this.#waiting.push({ ...job, id: randomUUID(), enqueuedAt: Date.now() })
    for (const consumer of this.#consumers) consumer.pump()
  }

  async jobs() {
    return [...this.#running, ...this.#waiting].map(plain)
  }

  consume(handler: JobHandler, options: { concurrency?: number } = {}): Consumer {
    const concurrency = Math.max(1, options.concurrency ?? 2)
    let active = 0
    let stopped = false
    const idle: (() => void)[] = []
    const pump = () => {
      while (!stopped && active < concurrency && this.#waiting.length) {
        const job = this.#waiting.shift()!
        active += 1
        this.#running.add(job)
        handler(plain(job))
          .catch((error) => this.logger.error({ err: error, job: plain(job) }, 'job failed'))
          .finally(() => {
            active -= 1
            this.#running.delete(job)
            if (active === 0) idle.splice(0).forEach((done) => done())
            pump()
          })
      }
    }
    const entry = { pump }
    this.#consumers.push(entry)
    pump()
    const queue = this
    return {
      id: `memory:${process.pid}`,
      get active() {
        return active
      },
      async stop(graceMs = 0) {
        stopped = true
        queue.#consumers = queue.#consumers.filter((c) => c !== entry)
        if (active > 0 && graceMs > 0) {
          await Promise.race([new Promise<void>((done) => idle.push(done)), new Promise((done) => setTimeout(done, graceMs).unref())])
        }
      },
    }
  }
}

export type RedisJobQueueOptions = {
  /** Key namespace below the connection's own prefix. */
  name?: string
  /** A consumer that has not renewed its lease for this long is dead: its jobs go back to the queue. */
  leaseMs?: number
  /** How long one blocking fetch waits (seconds) before checking whether to stop. */
  blockSeconds?: number
  logger?: QueueLogger
}

/**
 * Requeues the jobs of a consumer whose lease expired, atomically, so two
 * consumers reaping at once never hand the same job back twice.
 * KEYS: lease, processing list, pending list, consumer set. ARGV: consumer id.
 */
const REAP_SCRIPT = `
if redis.call('exists', KEYS[1]) == 1 then return -1 end
local moved = 0
while redis.call('lmove', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do moved = moved + 1 end
redis.call('srem', KEYS[4], ARGV[1])
return moved
`

/**
 * Redis-backed queue, shared by every platform instance and worker process
 * using the same Redis (and key prefix). Reliable-queue pattern:
 *
 * - `enqueue` LPUSHes the job onto `<name>:pending`;
 * - a consumer BLMOVEs it atomically into its own `<name>:processing:<id>`
 *   list, so exactly one consumer receives it, and removes it from there
 *   (LREM) once the job has run;
 * - each consumer renews a lease key (`<name>:lease:<id>`, PX) while it
 *   lives; any consumer periodically reaps consumers whose lease expired
 *   (process killed, machine gone) by moving their processing list back to
 *   pending, so a claimed job whose consumer died runs again elsewhere.
 *
 * Delivery is therefore at-least-once: a job runs once unless its consumer
 * dies mid-run, in which case it runs again; handlers are idempotent.
 */
export class RedisJobQueue implements JobQueue {
  readonly driver = 'redis' as const
  readonly name: string
  readonly leaseMs: number
  readonly blockSeconds: number
  private logger: QueueLogger

  constructor(
    private connection: () => Redis,
    options: RedisJobQueueOptions = {}
  ) {
    this.name = options.name ?? 'jobs'
    this.leaseMs = Math.max(1000, options.leaseMs ?? 30_000)
    this.blockSeconds = Math.max(0.1, options.blockSeconds ?? 2)
    this.logger = options.logger ?? quiet
  }

  get keys() {
    return {
      pending: `${this.name}:pending`,
      consumers: `${this.name}:consumers`,
      processing: (id: string) => `${this.name}:processing:${id}`,
      lease: (id: string) => `${this.name}:lease:${id}`,
    }
  }

  async enqueue(job: Job) {
    const envelope: Envelope = { kind: job.kind, deploymentId: job.deploymentId, id: randomUUID(), enqueuedAt: Date.now() }
    await this.connection().lpush(this.keys.pending, JSON.stringify(envelope))
  }

  async jobs() {
    const redis = this.connection()
    const consumers = await redis.smembers(this.keys.consumers)
    const multi = redis.multi().lrange(this.keys.pending, 0, -1)
    for (const id of consumers) multi.lrange(this.keys.processing(id), 0, -1)
    const results = (await multi.exec()) ?? []
    return results.flatMap(([error, list]) => (error ? [] : (list as string[]))).flatMap((raw) => {
      const job = parseJob(raw)
      return job ? [plain(job)] : []
    })
  }

  /** Hands the jobs of dead consumers back to the queue; returns how many. */
  async reap(redis = this.connection()) {
    let requeued = 0
    for (const id of await redis.smembers(this.keys.consumers)) {
      const moved = Number(await redis.eval(REAP_SCRIPT, 4, this.keys.lease(id), this.keys.processing(id), this.keys.pending, this.keys.consumers, id))
      if (moved > 0) {
        requeued += moved
        this.logger.warn({ consumer: id, jobs: moved }, 'a job consumer stopped renewing its lease: its jobs go back to the queue')
      }
    }
    return requeued
  }

  consume(handler: JobHandler, options: { concurrency?: number } = {}): Consumer {
    const concurrency = Math.max(1, options.concurrency ?? 2)
    const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
    // Connections of its own: the fetch blocks one, and the other outlives the
    // app's (closed when the app terminates) until the jobs are handed back.
    const redis = this.connection().duplicate()
    const blocking = redis.duplicate({ maxRetriesPerRequest: null })
    const processing = this.keys.processing(id)
    const running = new Set<Promise<void>>()
    let stopped = false
    let slotFreed: (() => void) | null = null

    // The lease, and the membership that lets others reap this consumer's jobs should it die.
    const renew = () => redis.multi().set(this.keys.lease(id), '1', 'PX', this.leaseMs).sadd(this.keys.consumers, id).exec()
    const housekeeping = async () => {
      try {
        await renew()
        await this.reap(redis)
      } catch (error) {
        this.logger.error({ err: error }, 'job queue housekeeping failed')
      }
    }
    const timer = setInterval(() => void housekeeping(), Math.max(200, Math.floor(this.leaseMs / 3)))
    timer.unref()

    const runOne = (raw: string) => {
      const job = parseJob(raw)
      const task = (async () => {
        try {
          if (job) await handler(plain(job))
          else this.logger.error({ raw }, 'dropping a malformed job')
        } catch (error) {
          this.logger.error({ err: error, job: job && plain(job) }, 'job failed')
        } finally {
          await redis.lrem(processing, 1, raw).catch((error) => this.logger.error({ err: error }, 'acknowledging a job failed'))
        }
      })()
      running.add(task)
      task.finally(() => {
        running.delete(task)
        slotFreed?.()
      })
    }

    const loop = (async () => {
      // Redis unreachable at first: the fetch below retries, housekeeping renews later.
      await housekeeping()
      while (!stopped) {
        if (running.size >= concurrency) {
          await new Promise<void>((done) => (slotFreed = done))
          slotFreed = null
          continue
        }
        let raw: string | null = null
        try {
          raw = await blocking.blmove(this.keys.pending, processing, 'RIGHT', 'LEFT', this.blockSeconds)
        } catch (error) {
          if (stopped) break
          this.logger.error({ err: error }, 'fetching a job failed')
          await new Promise((done) => setTimeout(done, 1000))
          continue
        }
        // Fetched while stopping: left in the processing list, handed back below.
        if (raw !== null && !stopped) runOne(raw)
      }
    })()

    return {
      id,
      get active() {
        return running.size
      },
      stop: async (graceMs = 0) => {
        stopped = true
        clearInterval(timer)
        slotFreed?.()
        await loop.catch(() => {})
        blocking.disconnect()
        if (running.size && graceMs > 0) {
          await Promise.race([Promise.allSettled([...running]), new Promise((done) => setTimeout(done, graceMs).unref())])
        }
        // Jobs still running are handed back: another consumer runs them again.
        try {
          await redis.del(this.keys.lease(id))
          await this.reap(redis)
        } catch (error) {
          this.logger.error({ err: error }, 'handing jobs back failed: they run again once the lease expires')
        }
        redis.disconnect()
      },
    }
  }
}
