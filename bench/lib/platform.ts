/**
 * The platform as a child process, started the way `npm start` starts it,
 * plus a sampler of its resident memory. Shared by benchmarks that need a
 * real server rather than the in-process test app.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** A port the kernel just handed out on loopback, so runs never collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * Inherited variables that would silently change what is measured: another
 * database or Redis (the bench measures the embedded default), NODE_ENV
 * (bin/start.js sets production itself), and AI settings (a stray
 * AI_FALLBACK or OPENAI_* would add providers to the chain).
 */
const STRIPPED = /^(DB_|PG_|REDIS_|AI_|ANTHROPIC_|OPENAI_)|^NODE_ENV$/

export interface PlatformOptions {
  /** The repository root (where bin/start.js is). */
  root: string
  port: number
  dataDir: string
  /** Added to the cleaned environment (AI provider settings…). */
  env: Record<string, string>
  readyTimeoutMs: number
  /** Told once when bin/start.js says it is rebuilding (can take ~20 s). */
  onBuild?: () => void
}

export interface Platform {
  readonly base: string
  /** The pid of `node bin/start.js`, which imports the server in-process. */
  readonly pid: number
  /** The last lines the platform wrote (stdout and stderr), for failure reports. */
  output(): string
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>
}

const KEEP_OUTPUT_CHARS = 64 * 1024

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !STRIPPED.test(key)) env[key] = value
  }
  Object.assign(env, {
    PORT: String(options.port),
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    ...options.env,
  })

  const child = spawn(process.execPath, ['bin/start.js'], {
    cwd: options.root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let buildTold = false
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-KEEP_OUTPUT_CHARS)
    if (!buildTold && output.includes('building the platform')) {
      buildTold = true
      options.onBuild?.()
    }
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const platform: Platform = {
    base: `http://127.0.0.1:${options.port}`,
    pid: child.pid!,
    output: () => output,
    stop: (graceMs = 15_000) => stopChild(child, exited, graceMs),
  }

  try {
    await waitReady(platform, child, options.readyTimeoutMs)
  } catch (error) {
    await platform.stop()
    throw error
  }
  return platform
}

async function waitReady(platform: Platform, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the platform exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${platform.output()}`)
    }
    try {
      const response = await fetch(`${platform.base}/health/ready`, { signal: AbortSignal.timeout(2_000) })
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // Not listening yet (or still building): try again.
    }
    await sleep(250)
  }
  throw new Error(`the platform was not ready within ${timeoutMs / 1000} s:\n${platform.output()}`)
}

async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/**
 * Samples VmRSS of one process every `intervalMs` from /proc (Linux), so
 * peaks between two phases of a benchmark can be read afterwards.
 */
export class RssSampler {
  readonly #samples: Array<{ at: number; kb: number }> = []
  #timer: NodeJS.Timeout | undefined

  constructor(
    private pid: number,
    private intervalMs = 100
  ) {}

  /** False where /proc is not available (not Linux): RSS is then not reported. */
  get available(): boolean {
    return readRssKb(this.pid) !== null
  }

  start(): void {
    if (this.#timer) return
    const sample = () => {
      const kb = readRssKb(this.pid)
      if (kb !== null) this.#samples.push({ at: performance.now(), kb })
    }
    sample()
    this.#timer = setInterval(sample, this.intervalMs)
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Highest RSS (kB) sampled between two `performance.now()` times. */
  peakKb(from: number, to: number): number | null {
    const kbs = this.#between(from, to)
    return kbs.length ? Math.max(...kbs) : null
  }

  /** Median RSS (kB) sampled between two times: steadier than one sample. */
  medianKb(from: number, to: number): number | null {
    const kbs = this.#between(from, to).sort((a, b) => a - b)
    return kbs.length ? kbs[Math.floor(kbs.length / 2)] : null
  }

  #between(from: number, to: number): number[] {
    return this.#samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.kb)
  }
}

function readRssKb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}
