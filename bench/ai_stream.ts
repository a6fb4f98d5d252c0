/*
|--------------------------------------------------------------------------
| AI gateway streaming benchmark
|--------------------------------------------------------------------------
|
|   node --import=ts-node-maintained/register/esm bench/ai_stream.ts
|
| What does relaying an AI answer through the platform cost, compared with
| reading the provider directly, and how many answers can stream at once?
|
| A fake Anthropic API (tests/fakes) runs in this process, on a worker
| thread (see bench/lib/fake_anthropic_thread.ts for why); the platform
| runs as `npm start` runs it (embedded SQLite, no Redis, fresh DATA_DIR)
| with its real `anthropic` plugin (real SDK) pointed at the fake. Then:
|
| 1. Single stream: a 2 000-chunk answer (one token per chunk) at the
|    fake's full speed, read N times directly with the Anthropic SDK and N
|    times through POST /api/v1/projects/:id/messages as SSE; interleaved.
| 2. Concurrency: 50, 100 and 200 simultaneous SSE streams of a slower
|    answer, checking every text, sampling the platform's RSS.
|
| Prints Markdown tables on stdout (progress goes to stderr); exits 1 when
| any stream failed, 2 on a setup error or the overall time limit.
|
| Knobs (env): BENCH_RUNS (20), BENCH_LEVELS ("50,100,200"),
| BENCH_CONC_CHUNKS (500), BENCH_CONC_DELAY_MS (20).
*/
import Anthropic from '@anthropic-ai/sdk'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, platform as osName, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { textScript, type LlmScript } from '../tests/fakes/anthropic_server.js'
import { FakeAnthropicThread } from './lib/fake_anthropic_thread.js'
import { RssSampler, freePort, startPlatform, type Platform } from './lib/platform.js'
import { readSse } from './lib/sse.js'
import { fmt, median, percentile, signed } from './lib/stats.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MODEL = 'claude-haiku-4-5'
/** What the gateway asks for (config/ai.ts): the direct client asks the same. */
const MAX_OUTPUT_TOKENS = 8192
const PROMPT = 'Benchmark: answer with the scripted text.'

const RUNS = Number(process.env.BENCH_RUNS || 20)
/** Unmeasured runs first, so both paths are compared with warm JIT and pools. */
const WARMUP_RUNS = 3
const FAST_CHUNKS = 2000
const LEVELS = (process.env.BENCH_LEVELS || '50,100,200').split(',').map(Number)
/**
 * 500 chunks 20 ms apart: ~10 s per stream, so all of a level overlap, at
 * 50 tokens/s, the pace of a real model. (2 000 chunks at 5 ms would have the
 * bench's own fake and SSE parser, on the same cores, saturate first.)
 */
const CONC_CHUNKS = Number(process.env.BENCH_CONC_CHUNKS || 500)
const CONC_DELAY_MS = Number(process.env.BENCH_CONC_DELAY_MS || 20)
/**
 * Every turn holds its worst case while it runs: 8 192 output tokens of
 * haiku ≈ 533 balance tokens (+ input). 15 × ~535 ≈ 8 000 fits the 10 000
 * a new workspace gets, and the bench cannot top balances up (no DB access),
 * so concurrent streams are spread over accounts.
 */
const STREAMS_PER_ACCOUNT = 15

const SINGLE_RUN_TIMEOUT_MS = 60_000
const LEVEL_TIMEOUT_MS = 180_000
const READY_TIMEOUT_MS = 180_000
/** Everything, build included: the bench must never hang a CI job. */
const OVERALL_TIMEOUT_MS = 20 * 60_000

/** A scripted answer and what a client must end up with. */
interface Answer {
  script: LlmScript
  text: string
  chunks: number
}

/** One token per chunk, numbered so that a lost or reordered chunk changes the text. */
function answer(chunks: number, opts: { delayMs: number }): Answer {
  const text = Array.from({ length: chunks }, (_, i) => `t${i}`).join(' ')
  const script = textScript(text, { delayMs: opts.delayMs, firstTokenDelayMs: 0 })
  if (script.chunks.length !== chunks) throw new Error('the scripted answer does not split as planned')
  return { script, text, chunks }
}

interface StreamResult {
  ok: boolean
  problem?: string
  /** Request sent → first text delta. */
  ttftMs: number
  /** Request sent → answer complete (SDK: stream over; gateway: `end` event). */
  totalMs: number
  /** First → last text delta: the relaying itself, without fixed costs. */
  spanMs: number
  /** Last text delta → answer complete (gateway: charge settled, message saved). */
  tailMs: number
  chunks: number
}

/** One concurrency level: its streams, and the platform's RSS (kB) around it. */
interface Level {
  streams: number
  results: StreamResult[]
  wallMs: number
  idleKb: number | null
  peakKb: number | null
}

function verdict(
  expected: Answer,
  got: { chunks: number; text: string },
  times: { started: number; first: number; last: number; done: number },
  problem: string | undefined
): StreamResult {
  problem ??=
    got.chunks !== expected.chunks
      ? `${got.chunks} chunks instead of ${expected.chunks}`
      : got.text !== expected.text
        ? 'the text differs from the script'
        : undefined
  return {
    ok: problem === undefined,
    problem,
    ttftMs: times.first - times.started,
    totalMs: times.done - times.started,
    spanMs: times.last - times.first,
    tailMs: times.done - times.last,
    chunks: got.chunks,
  }
}

/** The baseline: the provider read directly, the way the plugin reads it. */
async function directStream(client: Anthropic, expected: Answer): Promise<StreamResult> {
  const times = { started: performance.now(), first: Number.NaN, last: Number.NaN, done: Number.NaN }
  const got = { chunks: 0, text: '' }
  let problem: string | undefined
  try {
    const stream = await client.messages.create(
      { model: MODEL, max_tokens: MAX_OUTPUT_TOKENS, messages: [{ role: 'user', content: PROMPT }], stream: true },
      { signal: AbortSignal.timeout(SINGLE_RUN_TIMEOUT_MS) }
    )
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        times.last = performance.now()
        if (got.chunks++ === 0) times.first = times.last
        got.text += event.delta.text
      }
    }
    times.done = performance.now()
  } catch (error) {
    problem = describe(error)
  }
  return verdict(expected, got, times, problem)
}

/** The same answer through the platform: auth, balance hold, storage, SSE relay, settlement. */
async function gatewayStream(base: string, owner: Owner, expected: Answer, timeoutMs: number): Promise<StreamResult> {
  const times = { started: performance.now(), first: Number.NaN, last: Number.NaN, done: Number.NaN }
  const got = { chunks: 0, text: '' }
  let problem: string | undefined
  try {
    const response = await fetch(`${base}/api/v1/projects/${owner.projectId}/messages`, {
      method: 'POST',
      headers: {
        'authorization': `Bearer ${owner.token}`,
        'content-type': 'application/json',
        'accept': 'text/event-stream',
      },
      body: JSON.stringify({ content: PROMPT, provider: 'anthropic', model: MODEL }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.status !== 200 || !response.body) {
      problem = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`
    } else {
      for await (const event of readSse(response.body)) {
        if (event.event === 'delta') {
          times.last = performance.now()
          if (got.chunks++ === 0) times.first = times.last
          got.text += (JSON.parse(event.data) as { text: string }).text
        } else if (event.event === 'end') {
          times.done = performance.now()
          // The stored message must match too: it is what the user reloads.
          const message = (JSON.parse(event.data) as { message: { status: string; content: string } }).message
          if (message.status !== 'complete') problem ??= `stored with status "${message.status}"`
          else if (message.content !== expected.text) problem ??= 'the stored text differs from the script'
        } else if (event.event === 'error') {
          problem ??= `error event: ${(JSON.parse(event.data) as { error: string }).error}`
        } else if (event.event === 'fallback') {
          problem ??= `unexpected fallback: ${event.data}`
        }
      }
      if (Number.isNaN(times.done)) problem ??= 'the stream ended without an `end` event'
    }
  } catch (error) {
    problem = describe(error)
  }
  return verdict(expected, got, times, problem)
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out'
    const cause = (error as Error & { cause?: unknown }).cause
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message
  }
  return String(error)
}

/*
| Accounts and projects through the public API, as a client would make them.
*/

/** Who sends a turn: an account's token and a project of its own. */
interface Owner {
  token: string
  projectId: number
}

async function apiJson<T>(base: string, path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${text.slice(0, 300)}`)
  return JSON.parse(text) as T
}

let accountsMade = 0
async function registerAccount(base: string): Promise<string> {
  const n = ++accountsMade
  const body = await apiJson<{ token: { value: string } }>(base, '/api/v1/auth/register', {
    name: `Bench ${n}`,
    email: `bench-ai-${n}@example.com`,
    password: 'bench password 1',
  })
  return body.token.value
}

/**
 * `count` owners, STREAMS_PER_ACCOUNT per account. One project per turn:
 * each turn then sends the same one-message context (a shared project
 * would feed the previous answers back as history, growing every turn).
 */
async function makeOwners(base: string, count: number): Promise<Owner[]> {
  const tokens = await mapLimit(Array.from({ length: Math.ceil(count / STREAMS_PER_ACCOUNT) }), 4, () =>
    registerAccount(base)
  )
  return mapLimit(Array.from({ length: count }, (_, i) => i), 8, async (i) => {
    const token = tokens[Math.floor(i / STREAMS_PER_ACCOUNT)]
    const body = await apiJson<{ project: { id: number } }>(base, '/api/v1/projects', { name: `Bench ${i}` }, token)
    return { token, projectId: body.project.id }
  })
}

/** Setup requests a few at a time: the setup is not what is measured. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/*
| Run
*/

const failures: string[] = []
function collectFailures(label: string, results: StreamResult[]) {
  for (const [i, r] of results.entries()) if (!r.ok) failures.push(`${label} #${i + 1}: ${r.problem}`)
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`)

const dataDir = mkdtempSync(join(tmpdir(), 'xbasis-bench-ai-'))
const fake = new FakeAnthropicThread('bench-anthropic-key')
let server: Platform | undefined
let sampler: RssSampler | undefined

let shuttingDown: Promise<void> | undefined
function shutdown(): Promise<void> {
  shuttingDown ??= (async () => {
    sampler?.stop()
    await server?.stop().catch(() => {})
    await fake.close().catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
  })()
  return shuttingDown
}

// Bounded in time, and the spawned platform never outlives the bench.
setTimeout(() => {
  progress(`overall time limit (${OVERALL_TIMEOUT_MS / 60_000} min) reached, stopping`)
  void shutdown().finally(() => process.exit(2))
}, OVERALL_TIMEOUT_MS).unref()
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => void shutdown().finally(() => process.exit(code)))
}

async function main(): Promise<string[]> {
  await fake.start()
  const fast = answer(FAST_CHUNKS, { delayMs: 0 })
  const slow = answer(CONC_CHUNKS, { delayMs: CONC_DELAY_MS })
  await fake.setDefault(fast.script)

  progress('starting the platform (rebuilds first if sources changed)…')
  server = await startPlatform({
    root: ROOT,
    port: await freePort(),
    dataDir,
    env: { AI_PROVIDER: 'anthropic', ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: fake.apiKey },
    readyTimeoutMs: READY_TIMEOUT_MS,
    onBuild: () => progress('the platform is rebuilding (sources changed), this can take a while…'),
  })
  const base = server.base
  sampler = new RssSampler(server.pid)
  sampler.start()

  // 1. Single stream, direct vs. through the gateway. Interleaved, so drift
  // (GC, CPU frequency, the SQLite file growing) affects both paths alike.
  progress(`single stream: ${WARMUP_RUNS} warm-up + ${RUNS} runs of each path, ${FAST_CHUNKS} chunks`)
  const client = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 })
  const owners = await makeOwners(base, WARMUP_RUNS + RUNS)
  const direct: StreamResult[] = []
  const gateway: StreamResult[] = []
  for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
    const d = await directStream(client, fast)
    const g = await gatewayStream(base, owners[i], fast, SINGLE_RUN_TIMEOUT_MS)
    if (i >= WARMUP_RUNS) {
      direct.push(d)
      gateway.push(g)
    } else if (!d.ok || !g.ok) {
      throw new Error(`warm-up failed: direct ${d.problem ?? 'ok'}, gateway ${g.problem ?? 'ok'}\n${server.output()}`)
    }
  }
  collectFailures('direct', direct)
  collectFailures('gateway', gateway)

  // 2. Concurrent streams of a slower answer.
  await fake.setDefault(slow.script)
  const levels: Level[] = []
  for (const streams of LEVELS) {
    progress(`concurrency: ${streams} streams of ${CONC_CHUNKS} chunks every ${CONC_DELAY_MS} ms`)
    const levelOwners = await makeOwners(base, streams)
    // Idle = the median of the last second before the level, once the setup
    // traffic is over; the level's figures are relative to it.
    await sleep(1500)
    const started = performance.now()
    const idleKb = sampler.medianKb(started - 1000, started)
    const results = await Promise.all(levelOwners.map((owner) => gatewayStream(base, owner, slow, LEVEL_TIMEOUT_MS)))
    const ended = performance.now()
    await sleep(150) // one more sample
    levels.push({ streams, results, wallMs: ended - started, idleKb, peakKb: sampler.peakKb(started, ended + 150) })
    collectFailures(`${streams} concurrent`, results)
  }

  return report({ direct, gateway, levels, fast, slow })
}

function report(data: {
  direct: StreamResult[]
  gateway: StreamResult[]
  levels: Level[]
  fast: Answer
  slow: Answer
}): string[] {
  const { direct, gateway, levels, fast, slow } = data
  const ok = (results: StreamResult[]) => results.filter((r) => r.ok)
  const col = (results: StreamResult[], key: 'ttftMs' | 'totalMs' | 'spanMs' | 'tailMs') => ok(results).map((r) => r[key])
  const rate = (results: StreamResult[]) => ok(results).map((r) => r.chunks / (r.totalMs / 1000))
  const cell = (values: number[], decimals = 1) => `${fmt(median(values), decimals)} (${fmt(percentile(values, 95), decimals)})`

  const addedTtft = median(col(gateway, 'ttftMs')) - median(col(direct, 'ttftMs'))
  const addedTotal = median(col(gateway, 'totalMs')) - median(col(direct, 'totalMs'))
  const addedSpan = median(col(gateway, 'spanMs')) - median(col(direct, 'spanMs'))
  const cpu = cpus()

  const lines = [
    '',
    `## AI gateway streaming benchmark`,
    '',
    `Machine: node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `${fmt(totalmem() / 2 ** 30, 1)} GB RAM, ${osName()} ${release()}. Platform: \`node bin/start.js\` ` +
      `(production build, SQLite, no Redis), provider \`anthropic\` (real SDK) → fake Anthropic API on a thread of ` +
      `the bench process, model ${MODEL}; everything on 127.0.0.1, same cores.`,
    '',
    `### One stream: ${fmt(fast.chunks)} chunks of one token, fake at full speed (${direct.length} + ${gateway.length} runs after ${WARMUP_RUNS} warm-ups each; median (p95))`,
    '',
    '| path | time to first token (ms) | total (ms) | chunks/s | first → last chunk (ms) | failed |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| direct: SDK → fake | ${cell(col(direct, 'ttftMs'))} | ${cell(col(direct, 'totalMs'))} | ${fmt(median(rate(direct)))} | ${cell(col(direct, 'spanMs'))} | ${direct.length - ok(direct).length} |`,
    `| gateway: SSE ← platform ← SDK ← fake | ${cell(col(gateway, 'ttftMs'))} | ${cell(col(gateway, 'totalMs'))} | ${fmt(median(rate(gateway)))} | ${cell(col(gateway, 'spanMs'))} | ${gateway.length - ok(gateway).length} |`,
    `| added by the gateway (medians) | ${signed(addedTtft, 1)} | ${signed(addedTotal, 1)} | | ${signed(addedSpan, 1)} | |`,
    '',
    `Gateway latency per chunk: ${signed((addedTotal / fast.chunks) * 1000, 1)} µs ((gateway total − direct total) / ${fmt(fast.chunks)}), ` +
      `${signed((addedSpan / (fast.chunks - 1)) * 1000, 1)} µs counting the relaying only (first → last chunk). ` +
      `Fixed costs per turn: ${signed(addedTtft, 1)} ms before the first token (one more hop, auth, project and history ` +
      `reads, balance hold, two inserts), ` +
      `${fmt(median(col(gateway, 'tailMs')), 1)} ms from the last chunk to the \`end\` event (charge settled, message saved).`,
    '',
    `### Concurrent streams: ${fmt(slow.chunks)} chunks every ${CONC_DELAY_MS} ms (~${fmt((slow.chunks * CONC_DELAY_MS) / 1000, 0)} s each), ${STREAMS_PER_ACCOUNT} streams per account`,
    '',
    '| streams | completed correctly | wall time (s) | first token p50 / p95 (ms) | chunks/s, all streams | idle RSS (MB) | peak RSS (MB) | RSS per stream above idle (KB) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const level of levels) {
    const good = ok(level.results)
    const ttft = good.map((r) => r.ttftMs)
    const perStream = level.idleKb !== null && level.peakKb !== null ? (level.peakKb - level.idleKb) / level.streams : null
    lines.push(
      `| ${level.streams} | ${good.length} / ${level.streams} | ${fmt(level.wallMs / 1000, 1)} | ` +
        `${fmt(median(ttft))} / ${fmt(percentile(ttft, 95))} | ${fmt((good.length * slow.chunks) / (level.wallMs / 1000))} | ` +
        `${fmt(level.idleKb === null ? null : level.idleKb / 1024, 1)} | ${fmt(level.peakKb === null ? null : level.peakKb / 1024, 1)} | ${fmt(perStream)} |`
    )
  }
  lines.push(
    '',
    'RSS: VmRSS of the platform process sampled every 100 ms; idle = median of the second before each level ' +
      '(V8 keeps memory it grew into, so later levels start from a higher idle).',
    ''
  )
  return lines
}

let exitCode = 0
try {
  const lines = await main()
  process.stdout.write(lines.join('\n') + '\n')
  if (failures.length) {
    exitCode = 1
    process.stderr.write(`\n${failures.length} stream(s) failed:\n  ${failures.slice(0, 20).join('\n  ')}\n`)
    if (failures.length > 20) process.stderr.write(`  … and ${failures.length - 20} more\n`)
    process.stderr.write(`\nLast platform output:\n${server?.output().slice(-4000) ?? ''}\n`)
  }
} catch (error) {
  exitCode = 2
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
} finally {
  await shutdown()
}
// Explicit: pooled keep-alive sockets must not keep a finished bench alive.
process.exit(exitCode)
