/*
|--------------------------------------------------------------------------
| Builder benchmark: npm run bench:builder
|--------------------------------------------------------------------------
|
| Does the embedded default build what was asked for? The platform starts as
| `npm start` runs it on a fresh DATA_DIR (SQLite, no Redis, no AI key: the
| offline builder answers, previews deploy with the process target). For
| each request of the corpus (bench/builder/corpus.ts) it does what a user
| does through the API: creates a project, sends the request in the chat,
| follows the automatic preview's live log stream (SSE, so the bench polls
| nothing while the platform deploys) until it is live and answering, then reads the
| live app through the platform's proxy (/apps/<app>/): the home page, every
| page it links to, the owner's "new record" forms (signed in with the
| app's generated password, as the owner would be), and /theme.css. The
| entry is honoured when every expectation holds (bench/builder/check.ts).
|
| Timing: request → live is the POST of the chat message → the first 200 of
| the preview's home page. The anchor, measured in the same run and in the
| same pool of workers, is a bare deploy of the minimal app (a project whose
| landing page already exists: POST of a deployment → first 200). One
| anchor runs first as a warm-up and is not counted.
|
| BENCH_CONCURRENCY (default: the number of cores, at most 4) requests at once; BENCH_ONLY a regular
| expression of entry ids to run a subset; BENCH_ANCHORS (default 8) anchor
| deploys; BENCH_JSON a file for the full results (default
| tmp/bench-builder.json). Exits 1 when the acceptance targets are missed.
*/
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startPlatform, type Platform } from '../lib/platform.js'
import { median, percentile } from '../lib/stats.js'
import { corpus, GROUPS, type Entry, type Group } from './corpus.js'
import { links, verdict, type Fetched, type Verdict } from './check.js'
import { client, type Call, until200, registerAccount } from '../lib/api.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
// As many requests at once as there are cores (at most 4): more only queue for the CPU and inflate every timing.
const concurrency = Math.max(1, Number(process.env.BENCH_CONCURRENCY || Math.min(4, cpus().length)))
const anchors = Math.max(1, Number(process.env.BENCH_ANCHORS || 8))
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null
const jsonPath = process.env.BENCH_JSON || join(root, 'tmp', 'bench-builder.json')
const PASSWORD = 'bench builder password'
const TARGETS = { honoured: 0.95, colours: 0.9, medianMs: 2000 }


/**
 * Follows a deployment's live log stream (SSE) until its `end` event, then returns it as the API shows it:
 * no polling, so the bench adds no load of its own while the platform deploys (and sees the end at once).
 */
async function untilEnd(base: string, token: string, call: Call, id: number, timeoutMs = 120_000) {
  const response = await fetch(`${base}/api/v1/deployments/${id}/logs`, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!response.ok || !response.body) throw new Error(`the log stream of deployment ${id} answered ${response.status}`)
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      if (/(?:^|\n)event:\s*end\s*\n/.test(buffer)) break
    }
  } finally {
    await response.body.cancel().catch(() => {})
  }
  const { deployment } = await call(`/api/v1/deployments/${id}`)
  if (deployment.status !== 'live') throw new Error(`deployment ${id} ended ${deployment.status}: ${deployment.reason}`)
  return deployment
}

/** The automatic preview the chat turn started (it exists once the message's answer is back). */
async function newestPreview(call: Call, projectId: number) {
  const { deployments } = await call(`/api/v1/projects/${projectId}/deployments`)
  const preview = (deployments as any[]).filter((d) => d.environment === 'preview').sort((a, b) => b.id - a.id)[0]
  if (!preview) throw new Error('no automatic preview was started')
  return preview
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { accept: 'text/html', ...headers }, redirect: 'follow', signal: AbortSignal.timeout(10_000) })
  return { status: response.status, text: await response.text() }
}

/** Reads a live app the way a visitor and its owner see it. */
async function readApp(base: string, pathUrl: string, ownerPassword: () => Promise<string | null>): Promise<Fetched> {
  const home = await get(`${base}${pathUrl}/`)
  const seen = new Set<string>([`${pathUrl}/`])
  const pages: Fetched['pages'] = []
  for (const link of links(home.text)) {
    const href = link.href.split('#')[0]
    if (!href.startsWith(`${pathUrl}/`) || seen.has(href) || href.includes('/__owner')) continue
    seen.add(href)
    if (pages.length >= 30) break
    const page = await get(`${base}${href}`)
    pages.push({ link, status: page.status, html: page.text })
  }
  const forms = new Map<string, string>()
  for (const page of pages) {
    const newForm = links(page.html).find((l) => /\/new(?:$|\?)/.test(l.href) && l.href.startsWith(`${pathUrl}/`))
    if (!newForm) continue
    let form = await get(`${base}${newForm.href}`)
    if (form.status === 401 || form.status === 403) {
      const password = await ownerPassword()
      if (password) form = await get(`${base}${newForm.href}`, { authorization: 'Basic ' + Buffer.from(`owner:${password}`).toString('base64') })
    }
    if (form.status === 200) forms.set(page.link.text, form.text)
  }
  const theme = await get(`${base}${pathUrl}/theme.css`)
  return { home: home.text, pages, forms, themeCss: theme.status === 200 ? theme.text : '' }
}

/** `ms`: request → live; `turnMs`: of which the chat turn (the POST of the message → its answer with the new version). */
type Result = { id: string; group: Group; ms: number | null; turnMs?: number; verdict: Verdict; answer?: string }

async function runEntry(platform: Platform, call: Call, token: string, entry: Entry): Promise<Result> {
  const fail = (message: string, ms: number | null = null): Result => ({ id: entry.id, group: entry.group, ms, verdict: { honoured: false, failures: [message], colours: { asked: (entry.expect.colours?.length ?? 0) > 0 || entry.expect.dark !== undefined, honoured: false } } })
  const { project } = await call('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: `bench ${entry.id}` }) })
  let live: any
  let ms: number
  let turnMs: number
  let answer = ''
  try {
    const started = performance.now()
    const { message } = await call(`/api/v1/projects/${project.id}/messages`, { method: 'POST', body: JSON.stringify({ content: entry.request, provider: 'offline' }) })
    answer = message.content
    turnMs = performance.now() - started
    if (!message.changes?.version) return { ...fail(`no new version: ${String(message.content).slice(0, 200)}`), answer }
    const preview = await newestPreview(call, project.id)
    live = await untilEnd(platform.base, token, call, preview.id)
    await until200(`${platform.base}${live.path_url}/`)
    ms = performance.now() - started
  } catch (error) {
    return { ...fail(String((error as Error).message)), answer }
  }
  let password: string | null | undefined
  const ownerPassword = async () => {
    if (password === undefined) {
      const { credentials } = await call(`/api/v1/projects/${project.id}/owner/credentials`, { method: 'POST', body: JSON.stringify({ password: PASSWORD }) })
      password = (credentials as any[]).find((c) => c.name === 'ADMIN_PASSWORD' && c.environment !== 'production')?.value ?? (credentials as any[]).find((c) => c.name === 'ADMIN_PASSWORD')?.value ?? null
    }
    return password ?? null
  }
  try {
    const fetched = await readApp(platform.base, live.path_url, ownerPassword)
    return { id: entry.id, group: entry.group, ms, turnMs, verdict: verdict(entry.expect, fetched), answer }
  } catch (error) {
    return { ...fail(`reading the live app: ${(error as Error).message}`, ms), turnMs, answer }
  } finally {
    await call(`/api/v1/deployments/${live.id}/stop`, { method: 'POST' }).catch(() => {})
  }
}

/** The anchor: a bare deploy of the minimal app (its version already built). */
async function runAnchor(platform: Platform, call: Call, token: string, n: number): Promise<number> {
  const { project } = await call('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: `anchor ${n}` }) })
  // The first turn makes the version (its automatic preview is waited for and stopped, untimed).
  await call(`/api/v1/projects/${project.id}/messages`, { method: 'POST', body: JSON.stringify({ content: 'a landing page', provider: 'offline' }) })
  const preview = await newestPreview(call, project.id)
  await untilEnd(platform.base, token, call, preview.id)
  await call(`/api/v1/deployments/${preview.id}/stop`, { method: 'POST' })
  const started = performance.now()
  const { deployment } = await call(`/api/v1/projects/${project.id}/deployments`, { method: 'POST', body: JSON.stringify({ environment: 'production' }) })
  const live = await untilEnd(platform.base, token, call, deployment.id)
  await until200(`${platform.base}${live.path_url}/`)
  const ms = performance.now() - started
  await call(`/api/v1/deployments/${live.id}/stop`, { method: 'POST' }).catch(() => {})
  return ms
}

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`)
const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a')

const entries = corpus.filter((e) => !only || only.test(e.id))
const dataDir = mkdtempSync(join(tmpdir(), 'xbasis-bench-builder-'))
let platform: Platform | null = null
try {
  platform = await startPlatform({
    root,
    port: await freePort(),
    dataDir,
    env: { XBASIS_AUTO_PREVIEW: 'true' },
    readyTimeoutMs: 180_000,
    onBuild: () => process.stderr.write('building the platform first…\n'),
  })
  const token = await registerAccount(platform.base, 'builder', PASSWORD)
  const call = client(platform.base, token)

  // Warm-up, not counted: the platform's first turn and deploy load code the later ones find ready.
  await runAnchor(platform, call, token, -1)

  // One queue: the groups taken in turn (so each meets the same load), with the anchor deploys spread
  // through it so both run under the same load.
  type Job = { kind: 'entry'; entry: Entry } | { kind: 'anchor'; n: number }
  const byGroup = GROUPS.map(([group]) => entries.filter((e) => e.group === group))
  const interleaved: Entry[] = []
  for (let k = 0; interleaved.length < entries.length; k++) for (const list of byGroup) if (list[k]) interleaved.push(list[k])
  const jobs: Job[] = interleaved.map((entry) => ({ kind: 'entry', entry }))
  for (let n = 0; n < anchors; n++) jobs.splice(Math.round(((n + 0.5) * jobs.length) / anchors) + n, 0, { kind: 'anchor', n })
  const results: Result[] = []
  const anchorMs: number[] = []
  let next = 0
  let done = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]
        if (job.kind === 'anchor') {
          anchorMs.push(await runAnchor(platform!, call, token, job.n))
          continue
        }
        const result = await runEntry(platform!, call, token, job.entry)
        results.push(result)
        done++
        const mark = result.verdict.honoured ? 'ok  ' : 'FAIL'
        process.stderr.write(`[${done}/${entries.length}] ${mark} ${result.id} ${result.ms === null ? '' : `${result.ms.toFixed(0)} ms`}${result.verdict.honoured ? '' : ` — ${result.verdict.failures.join('; ')}`}\n`)
      }
    })
  )
  const totalS = (performance.now() - started) / 1000
  results.sort((a, b) => entries.findIndex((e) => e.id === a.id) - entries.findIndex((e) => e.id === b.id))

  const times = results.map((r) => r.ms).filter((ms): ms is number => ms !== null)
  const anchor = median(anchorMs)
  const rows = [...GROUPS.map(([group, label]) => ({ label, rs: results.filter((r) => r.group === group) })), { label: '**overall**', rs: results }]
  console.log(`\nBuilder benchmark: ${results.length} requests (${GROUPS.map(([g, l]) => `${results.filter((r) => r.group === g).length} ${l}`).join(', ')}), ${concurrency} at a time, ${totalS.toFixed(0)} s in all; ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`)
  console.log('Embedded default: SQLite, no Redis, offline builder, automatic preview on the process target.\n')
  console.log('| group | honoured | colours honoured (of those asking) | request → live median | p95 |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const { label, rs } of rows) {
    const ok = rs.filter((r) => r.verdict.honoured).length
    const asking = rs.filter((r) => r.verdict.colours.asked)
    const coloured = asking.filter((r) => r.verdict.colours.honoured).length
    const ms = rs.map((r) => r.ms).filter((v): v is number => v !== null)
    console.log(`| ${label} | ${ok} / ${rs.length} (${pct(ok, rs.length)}) | ${asking.length ? `${coloured} / ${asking.length} (${pct(coloured, asking.length)})` : 'n/a'} | ${secs(median(ms))} | ${secs(percentile(ms, 95))} |`)
  }
  const ratio = median(times) / anchor
  console.log(`\nAnchor, a bare deploy of the minimal app (POST deployment → first 200), median of ${anchorMs.length} in the same pool: ${secs(anchor)}.`)
  const turns = results.map((r) => r.turnMs).filter((v): v is number => v !== undefined)
  const deploys = results.filter((r) => r.ms !== null && r.turnMs !== undefined).map((r) => r.ms! - r.turnMs!)
  console.log(`Request → live median ${secs(median(times))} = ${ratio.toFixed(2)} × the anchor. Of it: the chat turn (interpreting, composing and committing the version) median ${secs(median(turns))}, then the automatic preview until its first 200 median ${secs(median(deploys))}.`)

  const failed = results.filter((r) => !r.verdict.honoured)
  if (failed.length) {
    console.log(`\nNot honoured (${failed.length}):`)
    for (const r of failed) console.log(`- ${r.id}: ${r.verdict.failures.join('; ')}`)
  }

  const groupShares = GROUPS.map(([group]) => {
    const rs = results.filter((r) => r.group === group)
    return rs.length ? rs.filter((r) => r.verdict.honoured).length / rs.length : 1
  })
  const asking = results.filter((r) => r.verdict.colours.asked)
  const met =
    results.length > 0 &&
    results.filter((r) => r.verdict.honoured).length / results.length >= TARGETS.honoured &&
    groupShares.every((s) => s >= TARGETS.honoured) &&
    (asking.length === 0 || asking.filter((r) => r.verdict.colours.honoured).length / asking.length >= TARGETS.colours) &&
    median(times) <= TARGETS.medianMs
  console.log(`\nAcceptance (≥ 95% honoured overall and per group, colours ≥ 90%, median ≤ 2 s): ${met ? 'met' : 'NOT met'}`)
  mkdirSync(dirname(jsonPath), { recursive: true })
  writeFileSync(jsonPath, JSON.stringify({ anchorMs, results }, null, 2))
  if (!met) process.exitCode = 1
} catch (error) {
  console.error(error)
  if (platform) console.error(platform.output().slice(-3000))
  process.exitCode = 2
} finally {
  await platform?.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
