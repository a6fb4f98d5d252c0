/*
|--------------------------------------------------------------------------
| Deployment logs under a flood
|--------------------------------------------------------------------------
|
|   npm run bench:logs        (node --import=ts-node-maintained/register/esm bench/logs.ts)
|
| Issue 10, item 12: an app printing 300,000 lines made 300,000 rows
| (+54 MB in 40 s) and the platform answered in up to 1.3 s meanwhile.
|
| The platform runs as `npm start` runs it (embedded SQLite, no Redis, fresh
| DATA_DIR, default log limits). One app is deployed with the process target;
| it prints BENCH_LINES (300 000) numbered lines at once when asked. The
| anchor, measured in the same run: the latency of GET /api/v1/deployments/:id
| with the app idle. Then the same request, in a loop, for BENCH_FLOOD_MS
| (5 000) after the flood starts. Printed: both latencies and their ratio,
| the rows stored against the lines printed, the lines counted as dropped,
| and the database's growth against the bytes printed.
|
| Prints a Markdown table on stdout (progress on stderr); exits 2 on a setup
| error.
*/
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startPlatform, type Platform } from './lib/platform.js'
import { fmt, median, percentile } from './lib/stats.js'
import { client, type Call, registerAccount } from './lib/api.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const LINES = Number(process.env.BENCH_LINES || 300_000)
const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS || 5_000)
const ANCHOR_REQUESTS = 200

const FLOOD_APP = {
  'package.json': JSON.stringify({ name: 'flood', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }),
  'server.js': `const http = require('node:http')
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://app')
  if (url.pathname === '/flood') {
    const n = Number(url.searchParams.get('n'))
    const out = []
    for (let i = 1; i <= n; i++) out.push('flood line ' + i + ' — some text an app would print for each request it served')
    process.stdout.write(out.join('\\n') + '\\n')
    return res.end('printed ' + n)
  }
  res.end('ok')
}).listen(Number(process.env.PORT), process.env.HOST)
`,
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function timed(call: Call, path: string) {
  const started = performance.now()
  await call(path)
  return performance.now() - started
}

function databaseBytes(dataDir: string) {
  let total = 0
  for (const name of ['xbasis.sqlite3', 'xbasis.sqlite3-wal']) {
    try {
      total += statSync(join(dataDir, name)).size
    } catch {}
  }
  return total
}

async function storedLines(call: Call, id: number) {
  let after = 0
  let rows = 0
  let runtime = 0
  let last = ''
  for (;;) {
    const { logs } = await call(`/api/v1/deployments/${id}/logs?after=${after}`)
    if (!logs.length) break
    rows += logs.length
    for (const line of logs) {
      if (line.stream === 'runtime') {
        runtime += 1
        last = line.text
      }
    }
    after = logs.at(-1).id
  }
  return { rows, runtime, last }
}

const dataDir = mkdtempSync(join(tmpdir(), 'xbasis-bench-logs-'))
let platform: Platform | null = null
try {
  platform = await startPlatform({
    root,
    port: await freePort(),
    dataDir,
    env: { XBASIS_AUTO_PREVIEW: 'false' },
    readyTimeoutMs: 180_000,
    onBuild: () => process.stderr.write('building the platform first…\n'),
  })
  const call = client(platform.base, await registerAccount(platform.base, 'logs'))
  const { project } = await call('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'flood' }) })
  for (const [path, content] of Object.entries(FLOOD_APP)) {
    await call(`/api/v1/projects/${project.id}/files/${path}`, { method: 'PUT', body: JSON.stringify({ content }) })
  }
  let { deployment } = await call(`/api/v1/projects/${project.id}/deployments`, { method: 'POST', body: JSON.stringify({ environment: 'production' }) })
  const deadline = Date.now() + 120_000
  while (deployment.status !== 'live') {
    if (deployment.status === 'failed' || Date.now() > deadline) throw new Error(`the flood app did not start: ${deployment.reason}`)
    await sleep(100)
    ;({ deployment } = await call(`/api/v1/deployments/${deployment.id}`))
  }
  const path = `/api/v1/deployments/${deployment.id}`
  process.stderr.write('anchor: the platform with the app idle…\n')
  for (let i = 0; i < 20; i++) await timed(call, path)
  const idle: number[] = []
  for (let i = 0; i < ANCHOR_REQUESTS; i++) idle.push(await timed(call, path))

  const before = databaseBytes(dataDir)
  process.stderr.write(`flood: ${LINES} lines…\n`)
  const app = `${platform.base}/apps/${new URL(deployment.url).hostname.split('.')[0]}`
  const flood = fetch(`${app}/flood?n=${LINES}`).then((response) => response.text())
  const during: number[] = []
  const until = performance.now() + FLOOD_MS
  while (performance.now() < until) during.push(await timed(call, path))
  const printed = await flood
  if (printed !== `printed ${LINES}`) throw new Error(`the app answered ${printed}`)
  await sleep(1000)
  const after = databaseBytes(dataDir)
  const stored = await storedLines(call, deployment.id)
  const { deployment: final } = await call(path)

  const lineBytes = Buffer.byteLength(`flood line ${LINES} — some text an app would print for each request it served\n`)
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '—')
  console.log(`## Deployment logs under a flood of ${LINES.toLocaleString('en-US')} lines\n`)
  console.log('| measure | idle (anchor) | during the flood | ratio |')
  console.log('| --- | --- | --- | --- |')
  console.log(`| GET ${path.replace(/\d+$/, ':id')} median | ${fmt(median(idle), 1)} ms | ${fmt(median(during), 1)} ms | ${ratio(median(during), median(idle))} |`)
  console.log(`| … p99 | ${fmt(percentile(idle, 99), 1)} ms | ${fmt(percentile(during, 99), 1)} ms | ${ratio(percentile(during, 99), percentile(idle, 99))} |`)
  console.log(`| … max | ${fmt(Math.max(...idle), 1)} ms | ${fmt(Math.max(...during), 1)} ms | ${ratio(Math.max(...during), Math.max(...idle))} |`)
  console.log('')
  console.log('| stored | value | against what was printed |')
  console.log('| --- | --- | --- |')
  console.log(`| log rows of the deployment | ${stored.rows.toLocaleString('en-US')} (${stored.runtime.toLocaleString('en-US')} runtime) | ${ratio(stored.runtime, LINES)} of the lines |`)
  console.log(`| lines counted as dropped | ${Number(final.log_lines_dropped).toLocaleString('en-US')} | ${ratio(Number(final.log_lines_dropped), LINES)} |`)
  console.log(`| newest line kept | ${stored.last.split(' — ')[0]} | |`)
  console.log(`| database growth | ${fmt((after - before) / 1024 / 1024, 2)} MB | ${ratio(after - before, lineBytes * LINES)} of the bytes printed |`)
  console.log(`\n${during.length} requests during the flood, ${ANCHOR_REQUESTS} for the anchor; defaults: 5000 lines kept, 200 lines/s.`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  if (platform) console.error(platform.output().slice(-4000))
  process.exitCode = 2
} finally {
  await platform?.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
