/*
|--------------------------------------------------------------------------
| Restart benchmark: npm run bench:restart
|--------------------------------------------------------------------------
|
| The platform as `npm start` runs it (SQLite, no Redis, process target),
| with BENCH_APPS (default 10) live apps made by the offline builder (five
| owners, a production and a preview app each: the free plan allows one
| production app per workspace). Each run kills the platform (SIGKILL: the
| worst case, its apps' orphans are reaped at the next start) and starts it
| again on the same data, then times, from the spawn of `npm start`:
|
| - ready: /health/ready answers 200 (the apps are still starting then);
| - all apps answering: every app answers 200 at its address through the
|   platform's proxy (/apps/<app>/), nobody having asked the platform for
|   anything (no login, no API call).
|
| Anchor, measured in the same run just before: the same platform started on
| a data folder of its own with no apps, spawn → ready. The ratio says how
| much longer "all the apps are back" takes than the platform's own start.
| BENCH_RUNS (default 3).
*/
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startPlatform, type Platform } from './lib/platform.js'
import { fmt, median, percentile } from './lib/stats.js'
import { client, untilLive, registerAccount } from './lib/api.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = Number(process.env.BENCH_RUNS || 3)
const appsWanted = Math.max(1, Number(process.env.BENCH_APPS || 10))
const owners = Math.ceil(appsWanted / 2)
const env = { XBASIS_AUTO_PREVIEW: 'false', XBASIS_SIGNUP_PER_HOUR: '1000' }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Spawns the platform and times spawn → ready. */
async function timedStart(dataDir: string, port: number) {
  const started = performance.now()
  const platform = await startPlatform({ root, port, dataDir, env, readyTimeoutMs: 180_000, onBuild: () => process.stderr.write('building the platform first…\n') })
  return { platform, started, ready: performance.now() - started }
}

/** Polls every app's address until all of them answer 200; ms since `started`. */
async function allAnswering(base: string, paths: string[], started: number, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  const pending = new Set(paths)
  while (pending.size) {
    if (Date.now() > deadline) throw new Error(`${pending.size} app(s) did not answer within ${timeoutMs / 1000} s: ${[...pending].join(', ')}`)
    await Promise.all(
      [...pending].map(async (path) => {
        try {
          const response = await fetch(base + path, { signal: AbortSignal.timeout(2000) })
          await response.arrayBuffer()
          if (response.status === 200) pending.delete(path)
        } catch {}
      })
    )
    if (pending.size) await sleep(20)
  }
  return performance.now() - started
}

function kill9(platform: Platform) {
  try {
    process.kill(platform.pid, 'SIGKILL')
  } catch {}
  return platform.stop()
}

const appsDir = mkdtempSync(join(tmpdir(), 'xbasis-bench-restart-'))
const emptyDir = mkdtempSync(join(tmpdir(), 'xbasis-bench-restart-empty-'))
let platform: Platform | null = null
const port = await freePort()
const anchors: number[] = []
const readies: number[] = []
const backs: number[] = []
try {
  // The empty instance once, so its first start (migrations, app key) is not the anchor.
  await (await timedStart(emptyDir, await freePort())).platform.stop()

  ;({ platform } = await timedStart(appsDir, port))
  const paths: string[] = []
  for (let i = 0; i < owners && paths.length < appsWanted; i++) {
    const call = client(platform.base, await registerAccount(platform.base, `restart-${i}`, 'bench password', `Owner ${i}`))
    const { project } = await call('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: `restart ${i}` }) })
    await call(`/api/v1/projects/${project.id}/messages`, { method: 'POST', body: JSON.stringify({ content: 'a landing page with a waitlist', provider: 'offline' }) })
    for (const environment of ['production', 'preview']) {
      if (paths.length >= appsWanted) break
      const { deployment } = await call(`/api/v1/projects/${project.id}/deployments`, { method: 'POST', body: JSON.stringify({ environment }) })
      const live = await untilLive(call, deployment.id)
      paths.push(`/apps/${new URL(live.url).hostname.split('.')[0]}/`)
    }
  }
  await allAnswering(platform.base, paths, performance.now())
  process.stderr.write(`${paths.length} apps live\n`)

  for (let run = 0; run < runs; run++) {
    // Anchor: the platform's own start, no apps.
    const anchor = await timedStart(emptyDir, await freePort())
    anchors.push(anchor.ready)
    await anchor.platform.stop()

    await kill9(platform!)
    platform = null
    const restart = await timedStart(appsDir, port)
    platform = restart.platform
    readies.push(restart.ready)
    backs.push(await allAnswering(platform.base, paths, restart.started))
    process.stderr.write(
      `run ${run + 1}: anchor ${anchors.at(-1)!.toFixed(0)} ms, ready ${readies.at(-1)!.toFixed(0)} ms, all ${paths.length} apps answering ${backs.at(-1)!.toFixed(0)} ms\n`
    )
  }

  const cell = (values: number[]) => `${fmt(median(values) / 1000, 2)} s (p95 ${fmt(percentile(values, 95) / 1000, 2)})`
  console.log(`\nRestart benchmark: ${runs} runs, ${paths.length} live apps (process target), ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`)
  console.log('Median (p95) from the spawn of `npm start`, after a kill -9:\n')
  console.log('| measure | time | ratio to the anchor |')
  console.log('| --- | ---: | ---: |')
  console.log(`| anchor: platform with no apps → ready | ${cell(anchors)} | 1.00 |`)
  console.log(`| platform with ${paths.length} apps → ready | ${cell(readies)} | ${fmt(median(readies) / median(anchors), 2)} |`)
  console.log(`| platform with ${paths.length} apps → all of them answering | ${cell(backs)} | ${fmt(median(backs) / median(anchors), 2)} |`)
} catch (error) {
  console.error(error)
  if (platform) console.error(platform.output().slice(-3000))
  process.exitCode = 1
} finally {
  await platform?.stop()
  rmSync(appsDir, { recursive: true, force: true })
  rmSync(emptyDir, { recursive: true, force: true })
}
