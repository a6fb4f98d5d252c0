import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * Work that must not be on the request path: it starts once the response
 * has been handed to the client (or the connection closed), so its duration
 * can never be measured by the client — e.g. a password reset mail, whose
 * lookup and SMTP round trip would otherwise tell an existing account from
 * an unknown one. A failure is logged (the client already has its answer).
 * Pending tasks are awaited when the platform shuts down.
 */
const pending = new Set<Promise<void>>()

export function afterResponse(ctx: HttpContext, description: string, task: () => Promise<void>) {
  let started = false
  const start = () => {
    if (started) return
    started = true
    const run = (async () => {
      try {
        await task()
      } catch (error) {
        logger.error({ err: error }, `${description} failed`)
      }
    })()
    pending.add(run)
    run.finally(() => pending.delete(run))
  }
  const res = ctx.response.response
  if (res.writableFinished || res.destroyed) {
    setImmediate(start)
    return
  }
  res.once('finish', () => setImmediate(start))
  res.once('close', () => setImmediate(start))
}

/**
 * Resolves once every task started so far has ended.
 */
export async function backgroundTasksSettled() {
  while (pending.size) await Promise.allSettled([...pending])
}

app.terminating(() => backgroundTasksSettled())
