import { HealthChecks, MemoryHeapCheck } from '@adonisjs/core/health'
import { DbCheck } from '@adonisjs/lucid/database'
import { RedisCheck } from '@adonisjs/redis'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import xbasis from '#config/xbasis'

const checks = [new DbCheck(db.connection()), new MemoryHeapCheck().warnWhenExceeds('500 mb').failWhenExceeds('2 gb')]
if (xbasis.redisEnabled) {
  checks.push(new RedisCheck(redis.connection()) as any)
}

export const healthChecks = new HealthChecks().register(checks)

const startedAt = Date.now()
export function livenessReport() {
  return { status: 'ok', uptime_seconds: Math.round((Date.now() - startedAt) / 1000) }
}
