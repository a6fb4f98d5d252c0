import { EventEmitter } from 'node:events'
import { randomUUID } from 'node:crypto'
import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import xbasis from '#config/xbasis'

/**
 * Wake-ups for whoever follows a deployment live (the logs stream): "this
 * deployment has a new log line or a new status". They carry no data: the
 * database stays the only source of truth, a follower reads what is new
 * from it, so a lost or doubled wake-up is harmless.
 *
 * In-process always. With Redis configured, wake-ups also go through a
 * pub/sub channel, so a stream served by one platform instance follows a
 * deployment run by another (or by a worker process).
 */
const local = new EventEmitter()
local.setMaxListeners(0)

const instance = randomUUID()
// Pub/sub channels are not prefixed by ioredis' keyPrefix: the prefix is added here.
const CHANNEL = `${env.get('REDIS_KEY_PREFIX', 'xbasis:')}deployment-events`
let subscribed = false

async function redisConnection() {
  const { default: redis } = await import('@adonisjs/redis/services/main')
  return redis.connection()
}

function subscribeToRedis() {
  if (subscribed || !xbasis.redisEnabled) return
  subscribed = true
  redisConnection()
    .then((connection) => {
      connection.subscribe(CHANNEL, (message: string) => {
        const [from, id] = message.split(':')
        if (from !== instance && /^\d+$/.test(id ?? '')) local.emit(id)
      })
    })
    .catch((error) => {
      subscribed = false
      logger.warn({ err: error }, 'deployment events: no Redis subscription, streams rely on polling')
    })
}

export const deployEvents = {
  channel: CHANNEL,

  /** A deployment has a new log line or status. */
  notify(deploymentId: number) {
    local.emit(String(deploymentId))
    if (!xbasis.redisEnabled) return
    redisConnection()
      .then((connection) => connection.publish(CHANNEL, `${instance}:${deploymentId}`))
      .catch((error) => logger.warn({ err: error }, 'deployment events: publishing failed'))
  },

  /** Calls `listener` on every wake-up of the deployment; returns the unsubscribe. */
  follow(deploymentId: number, listener: () => void): () => void {
    subscribeToRedis()
    const key = String(deploymentId)
    local.on(key, listener)
    return () => {
      local.off(key, listener)
    }
  },
}
