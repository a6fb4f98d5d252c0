import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import type { LogLine } from '#deploy/contract'
import { dbTime } from '#lib/db_time'
import { deployEvents } from '#services/deploy_events'
import xbasisConfig from '#config/xbasis'

/**
 * Who wrote a line: the platform itself ("Exporting version…", "Live at…",
 * "Stopped by the user": always kept) or the deploy target (build output and
 * the app's own output: bounded).
 */
export type LogSource = 'platform' | 'target'

/** The `stream` of the one row per deployment that counts what was not kept. */
export const DROPPED_STREAM = 'dropped'

/** Longest text of a stored line (longer ones are cut). */
const MAX_TEXT = 8000
/** Rows per INSERT (SQLite allows 999 bound values per statement in old builds: 4 columns × 200). */
const INSERT_CHUNK = 200
/** A deployment silent this long is forgotten (its counters are read again from the database on its next line). */
const IDLE_MS = 30_000

/** `at`: milliseconds, formatted for the database only for the lines that are written. */
type Pending = { stream: LogLine['stream']; text: string; at: number; source: LogSource }

export function droppedText(count: number) {
  const limits = xbasisConfig.logs
  const n = (value: number) => value.toLocaleString('en-US')
  return (
    `… ${n(count)} line${count === 1 ? '' : 's'} dropped ` +
    `(kept: the last ${n(limits.linesPerDeployment)} lines of the app's output, at most ${n(limits.linesPerSecond)} a second, ` +
    `and the first ${n(limits.buildLinesPerDeployment)} build lines)`
  )
}

class DeploymentLog {
  pending: Pending[] = []
  /** Runtime lines in `pending`. */
  runtimePending = 0
  buildPending = 0
  loaded = false
  /** Forgotten (its deployment was deleted, or the tables emptied): a new line starts a new one. */
  gone = false
  runtimeStored = 0
  buildStored = 0
  /** Lines not kept, as stored on the deployment and its marker. */
  dropped = 0
  /** Lines not kept since the last write. */
  droppedUnsaved = 0
  markerId: number | null = null
  /** Token bucket of the rate limit: runtime lines that may be stored now. */
  tokens = xbasisConfig.logs.linesPerSecond
  refilledAt = Date.now()
  timer: NodeJS.Timeout | null = null
  idle: NodeJS.Timeout | null = null
  writing = false
  /** A write is queued and has not taken the pending lines yet. */
  queued = false
  chain: Promise<void> = Promise.resolve()

  constructor(readonly deploymentId: number) {}
}

/**
 * The only writer of deployment_logs. A deployed app can print without
 * limit; what reaches the database is bounded per deployment:
 *
 * - runtime output: a ring buffer of the newest `linesPerDeployment` lines
 *   (older rows are deleted as new ones come), stored at most
 *   `linesPerSecond` a second: lines beyond the rate are dropped, the older
 *   ones first, so the newest output of a flood is what stays;
 * - the target's build lines: the first `buildLinesPerDeployment`;
 * - the platform's own lines: always;
 * - one marker row (stream `dropped`), "… N lines dropped", inserted at the
 *   first line dropped and updated in place afterwards (never repeated);
 *   `deployments.log_lines_dropped` holds the same count.
 *
 * Lines are queued in memory and written in batches (a multi-row insert,
 * the eviction and the marker in one transaction) every `flushMs` or once
 * `flushLines` are waiting, and followers are woken once per batch: a flood
 * costs a few queries a second, not one per line. The queue itself is
 * bounded (older runtime lines beyond one second's worth are dropped
 * before they are written), so a slow database does not grow memory.
 */
export class DeployLogWriter {
  #logs = new Map<number, DeploymentLog>()

  /** Queues a line; written within `flushMs`. */
  append(deploymentId: number, line: Pick<LogLine, 'stream' | 'text'>, source: LogSource = 'target') {
    const log = this.#of(deploymentId)
    if (log.gone) return
    const limits = xbasisConfig.logs
    const stream = line.stream === 'build' ? 'build' : 'runtime'
    if (source === 'target' && stream === 'build' && log.loaded && log.buildStored + log.buildPending >= limits.buildLinesPerDeployment) {
      log.droppedUnsaved += 1
      this.#schedule(log)
      return
    }
    log.pending.push({ stream, text: String(line.text ?? ''), at: Date.now(), source })
    if (stream === 'runtime' && source === 'target') {
      log.runtimePending += 1
      // More waiting than one write may store: the oldest go now (amortised: once every `burst` lines).
      const burst = Math.min(limits.linesPerSecond, limits.linesPerDeployment)
      if (log.runtimePending > 2 * burst) this.#trimPending(log, burst)
    } else if (stream === 'build' && source === 'target') {
      log.buildPending += 1
    }
    this.#schedule(log)
  }

  /** Writes everything queued for the deployment (the lines the platform waits on: its own, the end of a build). */
  flush(deploymentId: number): Promise<void> {
    const log = this.#logs.get(deploymentId)
    if (!log) return Promise.resolve()
    return this.#write(log)
  }

  /** Writes what is queued for every deployment (before the platform stops). */
  async flushAll() {
    await Promise.all([...this.#logs.values()].map((log) => this.#write(log).catch(() => {})))
  }

  /** Forgets every queued line and counter (the tests empty the tables, and ids start again). */
  forgetAll() {
    for (const log of this.#logs.values()) {
      log.gone = true
      log.pending = []
      if (log.timer) clearTimeout(log.timer)
      if (log.idle) clearTimeout(log.idle)
    }
    this.#logs.clear()
  }

  /** The deployment was deleted (with its project): its lines go nowhere, and its counters are forgotten. */
  #gone(log: DeploymentLog) {
    log.gone = true
    log.pending = []
    if (this.#logs.get(log.deploymentId) === log) this.#logs.delete(log.deploymentId)
  }

  #of(deploymentId: number) {
    let log = this.#logs.get(deploymentId)
    if (!log) {
      log = new DeploymentLog(deploymentId)
      this.#logs.set(deploymentId, log)
    }
    if (log.idle) {
      clearTimeout(log.idle)
      log.idle = null
    }
    return log
  }

  #trimPending(log: DeploymentLog, keep: number) {
    let excess = log.runtimePending - keep
    log.pending = log.pending.filter((line) => {
      if (excess > 0 && line.stream === 'runtime' && line.source === 'target') {
        excess -= 1
        return false
      }
      return true
    })
    log.droppedUnsaved += log.runtimePending - keep
    log.runtimePending = keep
  }

  #schedule(log: DeploymentLog) {
    const limits = xbasisConfig.logs
    // A full batch that the rate limit lets through: write it now.
    if (log.runtimePending + log.buildPending >= limits.flushLines && this.#available(log) >= Math.min(limits.flushLines, limits.linesPerSecond)) {
      if (log.timer) clearTimeout(log.timer)
      log.timer = null
      if (!log.writing && !log.queued) void this.#write(log).catch((error) => this.#warn(log, error))
      return
    }
    if (log.timer) return
    log.timer = setTimeout(() => {
      log.timer = null
      void this.#write(log).catch((error) => this.#warn(log, error))
    }, limits.flushMs)
    log.timer.unref?.()
  }

  /** The rate limit's budget now (without taking from it). */
  #available(log: DeploymentLog) {
    const rate = xbasisConfig.logs.linesPerSecond
    return Math.min(rate, log.tokens + ((Date.now() - log.refilledAt) / 1000) * rate)
  }

  #warn(log: DeploymentLog, error: unknown) {
    logger.warn({ err: error, deployment: log.deploymentId }, 'writing deployment logs failed')
  }

  /** Serialised per deployment: one batch at a time, in order. */
  #write(log: DeploymentLog): Promise<void> {
    log.queued = true
    const run = log.chain.then(() => this.#writeBatch(log))
    log.chain = run.catch(() => {})
    return run
  }

  async #writeBatch(log: DeploymentLog) {
    if (log.timer) {
      clearTimeout(log.timer)
      log.timer = null
    }
    log.writing = true
    log.queued = false
    try {
      if (log.gone) return
      if (!log.loaded) await this.#load(log)
      if (log.gone) return
      const limits = xbasisConfig.logs
      const batch = log.pending
      log.pending = []
      log.runtimePending = 0
      log.buildPending = 0

      // The rate limit: a bucket of one second's worth, refilled continuously.
      log.tokens = this.#available(log)
      log.refilledAt = Date.now()
      const runtimeInBatch = batch.filter((line) => line.stream === 'runtime' && line.source === 'target').length
      const runtimeAllowed = Math.min(Math.floor(log.tokens), limits.linesPerDeployment)
      let skipRuntime = Math.max(0, runtimeInBatch - runtimeAllowed)
      let dropped = log.droppedUnsaved + skipRuntime
      log.droppedUnsaved = 0
      let keptRuntime = 0
      let keptBuild = 0
      const rows: { deployment_id: number; stream: string; text: string; at: string }[] = []
      for (const line of batch) {
        if (line.source === 'target' && line.stream === 'runtime') {
          if (skipRuntime > 0) {
            skipRuntime -= 1
            continue
          }
          keptRuntime += 1
        } else if (line.stream === 'build') {
          if (line.source === 'target') {
            if (log.buildStored + keptBuild >= limits.buildLinesPerDeployment) {
              dropped += 1
              continue
            }
            keptBuild += 1
          }
        } else {
          // A platform line on the runtime stream: kept, and counted in the ring.
          keptRuntime += 1
        }
        rows.push({ deployment_id: log.deploymentId, stream: line.stream, text: clean(line.text), at: dbTime(new Date(line.at)) })
      }
      log.tokens = Math.max(0, log.tokens - keptRuntime)
      // The ring buffer: the oldest runtime rows beyond the cap go.
      const evict = Math.max(0, log.runtimeStored + keptRuntime - limits.linesPerDeployment)
      dropped += evict
      if (!rows.length && !dropped) return

      const total = log.dropped + dropped
      await db.transaction(async (trx) => {
        if (dropped && log.markerId === null) log.markerId = await this.#insertMarker(trx, log.deploymentId, total)
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) await trx.table('deployment_logs').multiInsert(rows.slice(i, i + INSERT_CHUNK))
        if (evict) {
          await trx
            .from('deployment_logs')
            .whereIn('id', trx.from('deployment_logs').where('deployment_id', log.deploymentId).where('stream', 'runtime').orderBy('id').limit(evict).select('id'))
            .delete()
        }
        if (dropped) {
          await trx.from('deployment_logs').where('id', log.markerId!).update({ text: droppedText(total), at: dbTime() })
          await trx.from('deployments').where('id', log.deploymentId).update({ log_lines_dropped: total })
        }
      })
      log.dropped = total
      log.runtimeStored += keptRuntime - evict
      log.buildStored += keptBuild
      deployEvents.notify(log.deploymentId)
    } catch (error) {
      // Counters are read again from the database on the next write.
      log.loaded = false
      log.markerId = null
      if (!(await db.from('deployments').where('id', log.deploymentId).first().catch(() => true))) {
        // Deleted with its project while it ran: its logs went with it.
        this.#gone(log)
        return
      }
      throw error
    } finally {
      log.writing = false
      this.#settle(log)
    }
  }

  /** After a write: more is waiting (it came in meanwhile), or the deployment goes idle. */
  #settle(log: DeploymentLog) {
    if (log.gone) return
    if (log.pending.length || log.droppedUnsaved) {
      this.#schedule(log)
      return
    }
    if (log.idle || log.timer) return
    log.idle = setTimeout(() => {
      log.idle = null
      if (!log.pending.length && !log.droppedUnsaved && !log.timer && !log.writing && !log.queued && this.#logs.get(log.deploymentId) === log) {
        this.#logs.delete(log.deploymentId)
      }
    }, IDLE_MS)
    log.idle.unref?.()
  }

  async #insertMarker(trx: TransactionClientContract, deploymentId: number, count: number) {
    const [row] = await trx.table('deployment_logs').insert({ deployment_id: deploymentId, stream: DROPPED_STREAM, text: droppedText(count), at: dbTime() }).returning('id')
    return Number(typeof row === 'object' ? row.id : row)
  }

  /** What is stored already (a deployment written to by an earlier platform process, or by another one). */
  async #load(log: DeploymentLog) {
    const deployment = await db.from('deployments').where('id', log.deploymentId).select('log_lines_dropped').first()
    if (!deployment) {
      this.#gone(log)
      return
    }
    const counts = await db.from('deployment_logs').where('deployment_id', log.deploymentId).groupBy('stream').select('stream').count('* as n')
    const count = (stream: string) => Number(counts.find((row) => row.stream === stream)?.n ?? 0)
    log.runtimeStored = count('runtime')
    // The platform's own build lines are among them (not told apart once stored): a few target lines fewer after a restart.
    log.buildStored = count('build')
    log.dropped = Number(deployment.log_lines_dropped ?? 0)
    const marker = count(DROPPED_STREAM) ? await db.from('deployment_logs').where('deployment_id', log.deploymentId).where('stream', DROPPED_STREAM).orderBy('id').select('id').first() : null
    log.markerId = marker ? Number(marker.id) : null
    log.loaded = true
  }
}

/** Text a database column takes: NUL (refused by PostgreSQL) replaced, cut at MAX_TEXT. */
function clean(text: string) {
  return (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text).replace(/\u0000/g, '\uFFFD')
}

/** The platform process's writer (one per process: its counters are per deployment). */
export const deployLogs = new DeployLogWriter()
