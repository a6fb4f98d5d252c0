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
  const res = ctx.response.response
  // Counted as pending from now on, so a shutdown (or a test) waiting for
  // background work also waits for work whose response is still going out.
  const run = new Promise<void>((resolve) => {
    if (res.writableFinished || res.destroyed) return setImmediate(resolve)
    const go = () => setImmediate(resolve)
    res.once('finish', go)
    res.once('close', go)
  }).then(async () => {
    try {
      await task()
    } catch (error) {
      logger.error({ err: error }, `${description} failed`)
    }
  })
  pending.add(run)
  run.finally(() => pending.delete(run))
}

/**
 * Resolves once every task started so far has ended.
 */
export async function backgroundTasksSettled() {
  while (pending.size) await Promise.allSettled([...pending])
}

app.terminating(() => backgroundTasksSettled())
