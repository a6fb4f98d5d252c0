import logger from '@adonisjs/core/services/logger'
import Deployment from '#models/deployment'
import DeployService from '#services/deploy_service'
import { deployEvents } from '#services/deploy_events'
import { DROPPED_STREAM } from '#services/deploy_log_writer'
import type { EventStream } from '#lib/sse'

export const FINAL_STATES = ['live', 'failed', 'stopped']

export type LogStreamTiming = {
  /** Reads the database again this often without a wake-up (other instances without Redis, raw updates). */
  pollMs: number
  /** Once final, the stream ends after this long without a new line (the closing line comes right after the status)… */
  quietMs: number
  /** …or after this long at most. */
  graceMs: number
  heartbeatMs: number
}

const DEFAULT_TIMING: LogStreamTiming = { pollMs: 1000, quietMs: 300, graceMs: 3000, heartbeatMs: 15_000 }

function statusEvent(deployment: Deployment) {
  return { id: deployment.id, status: deployment.status, url: deployment.url, reason: deployment.reason }
}

/**
 * Streams a deployment's logs as Server-Sent Events: the lines after
 * `after` (Last-Event-ID on a reconnection), then each new one as it is
 * written (`log`, its id as the event id), a `status` event at the start
 * and at every change, and `end` once the deployment is live, failed or
 * stopped. The "… N lines dropped" line (stream `dropped`) comes again,
 * with its id but without an event id, each time its count changes. Wake-ups come from deployEvents; the database is read again on
 * each, and every `pollMs` without one.
 */
export async function streamDeploymentLogs(deploymentId: number, stream: EventStream, after = 0, timing: LogStreamTiming = DEFAULT_TIMING) {
  const deploys = new DeployService()
  let woken = false
  let wake: (() => void) | null = null
  const unfollow = deployEvents.follow(deploymentId, () => {
    woken = true
    wake?.()
  })
  const onAbort = () => wake?.()
  stream.signal.addEventListener('abort', onAbort)
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stream.signal.aborted) return resolve()
      const done = () => {
        clearTimeout(timer)
        wake = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      wake = done
    })

  let lastId = after
  let lastDropped = 0
  let lastStatus: string | null = null
  let finalSince = 0
  let lastLineAt = 0
  let lastWrite = Date.now()
  try {
    while (!stream.signal.aborted) {
      woken = false
      const current = await Deployment.find(deploymentId)
      if (!current) {
        // Deleted with its project meanwhile.
        stream.send('end', { id: deploymentId, status: 'deleted' })
        break
      }
      if (current.status !== lastStatus) {
        lastStatus = current.status
        stream.send('status', statusEvent(current))
        lastWrite = Date.now()
      }
      const lines = await deploys.logs(current, lastId)
      for (const line of lines) {
        stream.send('log', line, line.id)
        lastId = line.id
      }
      // The "… N lines dropped" line is updated in place: sent again (same id, no event id) when its count changed.
      if (current.logLinesDropped !== lastDropped) {
        lastDropped = current.logLinesDropped
        if (!lines.some((line) => line.stream === DROPPED_STREAM)) {
          const marker = await deploys.droppedMarker(current)
          if (marker) stream.send('log', marker)
        }
      }
      const now = Date.now()
      if (lines.length) lastLineAt = lastWrite = now
      // More than a page waiting: send it right away.
      if (lines.length >= 2000) continue

      if (FINAL_STATES.includes(current.status)) {
        finalSince ||= now
        const quiet = now - Math.max(lastLineAt, finalSince) >= timing.quietMs
        if (quiet || now - finalSince >= timing.graceMs) {
          stream.send('end', statusEvent(current))
          break
        }
        await sleep(timing.quietMs)
        continue
      }
      if (now - lastWrite >= timing.heartbeatMs) {
        stream.comment('waiting')
        lastWrite = now
      }
      await sleep(timing.pollMs)
    }
  } catch (error) {
    logger.error({ err: error, deployment: deploymentId }, 'deployment logs stream failed')
    stream.send('error', { error: 'Internal error while following the logs' })
  } finally {
    unfollow()
    stream.signal.removeEventListener('abort', onAbort)
    stream.close()
  }
}
