#!/usr/bin/env node
/*
|--------------------------------------------------------------------------
| HTTP throughput of the platform: npm run bench
|--------------------------------------------------------------------------
|
| Starts the production build the way `npm start` does (embedded default:
| SQLite, no Redis, unless the environment says otherwise), signs a user up,
| then loads three pages with autocannon over loopback and prints requests
| per second and latency for each:
|   - GET /health/live       (process up, no I/O)
|   - GET /                  (landing page, Edge render)
|   - GET /dashboard         (logged in: session, auth, DB reads, render)
|
| BENCH_DURATION (seconds per page, default 10) and BENCH_CONNECTIONS
| (default 50) tune the run.
*/
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const duration = Number(process.env.BENCH_DURATION || 10)
const connections = Number(process.env.BENCH_CONNECTIONS || 50)

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function waitReady(url, child, output) {
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the platform exited:\n${output()}`)
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`the platform did not become ready:\n${output()}`)
}

/** Signs up through the real form; returns the Cookie header of the session. */
async function signUp(url) {
  const jar = new Map()
  const keep = (response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const index = pair.indexOf('=')
      jar.set(pair.slice(0, index), pair.slice(index + 1))
    }
  }
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const page = await fetch(`${url}/signup`)
  keep(page)
  const csrf = (await page.text()).match(/name=['"]_csrf['"] value=['"]([^'"]+)/)[1]
  const response = await fetch(`${url}/signup`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({ _csrf: csrf, name: 'Bench', email: `bench-${Date.now()}@example.com`, password: 'bench password' }),
  })
  keep(response)
  if (response.headers.get('location') !== '/dashboard') throw new Error(`sign-up failed: ${response.status}`)
  return header()
}

function run(title, url, headers = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, headers }, (error, result) => (error ? reject(error) : resolve({ title, result })))
  })
}

const dataDir = mkdtempSync(join(tmpdir(), 'xbasis-bench-'))
const port = await freePort()
let log = ''
const child = spawn(process.execPath, ['bin/start.js'], {
  cwd: root,
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: process.env.DATA_DIR || dataDir, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'pipe'],
})
child.stdout.on('data', (chunk) => (log += chunk))
child.stderr.on('data', (chunk) => (log += chunk))

try {
  const base = `http://127.0.0.1:${port}`
  await waitReady(base, child, () => log)
  const cookie = await signUp(base)

  const rows = []
  for (const [title, path, headers] of [
    ['GET /health/live', '/health/live', {}],
    ['GET / (landing)', '/', {}],
    ['GET /dashboard (logged in)', '/dashboard', { cookie }],
  ]) {
    // A short warm-up so JIT and caches settle before measuring.
    await new Promise((resolve) => autocannon({ url: base + path, connections, duration: 2, headers }, resolve))
    const { result } = await run(title, base + path, headers)
    const failures = result.errors + result.timeouts + result.non2xx
    if (failures > 0) throw new Error(`${title}: ${failures} failed requests (non-2xx ${result.non2xx})`)
    rows.push({ title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total })
  }

  const database = process.env.DB_CONNECTION || 'sqlite'
  console.log(`\nxBasis HTTP benchmark — node ${process.version}, ${cpus().length} cores, ${database}, redis ${process.env.REDIS_HOST ? 'on' : 'off'}, ${connections} connections, ${duration}s per page\n`)
  console.log('| page | requests/s | p50 latency (ms) | p99 latency (ms) | requests |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const row of rows) {
    console.log(`| ${row.title} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.total} |`)
  }
} finally {
  child.kill('SIGTERM')
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)))
  rmSync(dataDir, { recursive: true, force: true })
}
