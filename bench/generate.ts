/*
|--------------------------------------------------------------------------
| Generation benchmark: npm run bench:generate
|--------------------------------------------------------------------------
|
| 1. Request → ready workspace with the offline builder: the platform as
|    `npm start` runs it (SQLite, no Redis); for each run a new project and
|    one chat turn ("a landing page with a waitlist and a blog"), timed
|    from the POST to its answer, i.e. until the turn's version is
|    committed (modules composed, files applied).
| 2. The apply cost of a large turn: 500 files of 2 KB each, written as one
|    version, (a) through the repository directly and (b) end to end as a
|    model answer (the fake Anthropic API streams 500 <xb-write> tags; the
|    platform parses, confines and commits them).
| BENCH_RUNS (default 10) sets the number of runs of each.
*/
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startPlatform } from './lib/platform.js'
import { FakeAnthropicThread } from './lib/fake_anthropic_thread.js'
import { median, percentile } from './lib/stats.js'
import { ProjectRepository } from '../app/workspace/project_repository.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = Number(process.env.BENCH_RUNS || 10)
const FILES = 500
const FILE_BYTES = 2048

const largeTurn = Array.from({ length: FILES }, (_, i) => {
  const body = `// file ${i}\n` + 'x'.repeat(FILE_BYTES - 16) + '\n'
  return { path: `src/part_${String(Math.floor(i / 50)).padStart(2, '0')}/file_${i}.js`, content: body }
})

async function json(base: string, path: string, init: RequestInit & { token?: string } = {}) {
  const response = await fetch(base + path, {
    ...init,
    headers: { 'content-type': 'application/json', 'accept': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  })
  const body: any = await response.json()
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`)
  return body
}

function row(title: string, values: number[]) {
  return `| ${title} | ${median(values).toFixed(0)} | ${percentile(values, 95).toFixed(0)} | ${values.length} |`
}

const dataDir = mkdtempSync(join(tmpdir(), 'xbasis-bench-generate-'))
const fake = new FakeAnthropicThread('bench-key')
await fake.start()
const platform = await startPlatform({
  root,
  port: await freePort(),
  dataDir,
  env: { ANTHROPIC_API_KEY: 'bench-key', ANTHROPIC_BASE_URL: fake.url },
  readyTimeoutMs: 180_000,
  onBuild: () => process.stderr.write('building the platform first…\n'),
})

try {
  const base = platform.base
  const { token } = await json(base, '/api/v1/auth/register', {
    method: 'POST',
    body: JSON.stringify({ name: 'Bench', email: `bench-${Date.now()}@example.com`, password: 'bench password' }),
  })
  const key = token.value

  // 1. Offline builder: request → committed workspace.
  const offline: number[] = []
  for (let i = 0; i < runs + 2; i++) {
    const { project } = await json(base, '/api/v1/projects', { method: 'POST', token: key, body: JSON.stringify({ name: `gen ${i}` }) })
    const started = performance.now()
    const { message } = await json(base, `/api/v1/projects/${project.id}/messages`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({ content: 'a landing page with a waitlist and a blog', provider: 'offline' }),
    })
    const elapsed = performance.now() - started
    if (!message.changes?.version) throw new Error(`no version: ${JSON.stringify(message.changes)}`)
    if (i >= 2) offline.push(elapsed) // two warm-up runs
  }

  // 2a. 500 files through the repository directly.
  const direct: number[] = []
  const repoRoot = mkdtempSync(join(tmpdir(), 'xbasis-bench-repo-'))
  for (let i = 0; i < runs; i++) {
    const repo = new ProjectRepository(repoRoot, `bench-${i}`)
    await repo.init()
    const started = performance.now()
    const result = await repo.applyChanges(
      largeTurn.map((f) => ({ op: 'write' as const, ...f })),
      { message: 'large turn', author: { name: 'Bench', email: 'bench@example.com' } },
      { allOrNothing: true }
    )
    direct.push(performance.now() - started)
    if (!result.committed) throw new Error('the large turn was not committed')
  }
  rmSync(repoRoot, { recursive: true, force: true })

  // 2b. 500 files as a model's answer, end to end.
  const answer = 'Here are the files.\n' + largeTurn.map((f) => `<xb-write path="${f.path}">${f.content}</xb-write>`).join('\n')
  await fake.setDefault({ chunks: answer.match(/[\s\S]{1,4000}/g)!, inputTokens: 1000, outputTokens: 300_000 })
  const endToEnd: number[] = []
  for (let i = 0; i < runs; i++) {
    // The answer costs ~300k output tokens at Haiku prices: a fresh account each time keeps the balance sufficient.
    const account = await json(base, '/api/v1/auth/register', {
      method: 'POST',
      body: JSON.stringify({ name: 'Bench', email: `bench-large-${i}-${Date.now()}@example.com`, password: 'bench password' }),
    })
    const { project } = await json(base, '/api/v1/projects', { method: 'POST', token: account.token.value, body: JSON.stringify({ name: `large ${i}` }) })
    const started = performance.now()
    const { message } = await json(base, `/api/v1/projects/${project.id}/messages`, {
      method: 'POST',
      token: account.token.value,
      body: JSON.stringify({ content: 'write 500 files', provider: 'anthropic', model: 'claude-haiku-4-5' }),
    })
    endToEnd.push(performance.now() - started)
    if (!message.changes?.version || message.changes.applied.length !== FILES) {
      throw new Error(`the large answer was not applied: ${JSON.stringify(message.changes).slice(0, 500)}`)
    }
  }

  console.log(`\n## Generation benchmark\n\nnode ${process.version}, ${cpus().length} cores; platform as \`npm start\` runs it (SQLite, no Redis); ${runs} runs each (times in ms)\n`)
  console.log('| measure | median | p95 | runs |')
  console.log('| --- | ---: | ---: | ---: |')
  console.log(row('offline builder: request → committed workspace (landing page, waitlist, blog)', offline))
  console.log(row(`apply a ${FILES}-file turn (${(FILES * FILE_BYTES) / 1024} KB) through the repository`, direct))
  console.log(row(`${FILES}-file model answer end to end (stream, parse, confine, commit)`, endToEnd))
} finally {
  await platform.stop()
  await fake.close()
  rmSync(dataDir, { recursive: true, force: true })
}
