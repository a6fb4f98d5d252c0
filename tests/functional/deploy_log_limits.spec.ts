import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import deploy from '#deploy/deploy_manager'
import Deployment from '#models/deployment'
import xbasis from '#config/xbasis'
import { dbTime } from '#lib/db_time'
import { DeployLogWriter, deployLogs } from '#services/deploy_log_writer'
import DeployLogRetention from '#services/deploy_log_retention'
import DeployService from '#services/deploy_service'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount, readSse } from '#tests/helpers/ai'
import { WebClient } from '#tests/helpers/web_client'
import { ECHO_APP } from '#tests/helpers/echo_app'
import { waitForDeployment } from '#tests/helpers/deploys'

type Account = Awaited<ReturnType<typeof apiAccount>>

/** A deployment row nothing runs: the writer and the stream are driven by the test. */
async function deploymentRow(account: Account, values: Record<string, unknown> = {}) {
  const [row] = await db
    .table('deployments')
    .insert({ project_id: account.project.id, environment: 'production', status: 'deploying', target: 'process', version: 'a'.repeat(40), created_at: dbTime(), updated_at: dbTime(), ...values })
    .returning('id')
  return Number(typeof row === 'object' ? row.id : row)
}

async function rows(deploymentId: number) {
  return db.from('deployment_logs').where('deployment_id', deploymentId).orderBy('id')
}

/** Counts the statements the database is sent while `work` runs. */
async function countQueries(work: () => Promise<void>) {
  const client = db.connection().getWriteClient() as any
  let count = 0
  const onQuery = () => (count += 1)
  client.on('query', onQuery)
  try {
    await work()
  } finally {
    client.off('query', onQuery)
  }
  return count
}

/** Sets xbasis.logs for one test; restores it after. */
function limits(values: Partial<typeof xbasis.logs>) {
  Object.assign(xbasis.logs, values)
}

const FLOOD_APP = {
  ...ECHO_APP,
  // The echo app plus /flood?n=: prints n numbered lines at once, then answers.
  'server.js': ECHO_APP['server.js'].replace(
    "if (url.pathname === '/health') return res.end('ok')",
    "if (url.pathname === '/health') return res.end('ok')\n  if (url.pathname === '/flood') { const n = Number(url.searchParams.get('n')); const out = []; for (let i = 1; i <= n; i++) out.push('flood line ' + i); process.stdout.write(out.join('\\n') + '\\n'); return res.end('printed ' + n) }"
  ),
}

test.group('Deployment logs: bounded per deployment, batched, kept for a while', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    const saved = { ...xbasis.logs }
    return () => {
      Object.assign(xbasis.logs, saved)
    }
  })
  group.teardown(async () => {
    const live = await db.from('deployments').whereIn('status', ['live', 'failed'])
    const driver = await deploy.use('process')
    for (const row of live) if (row.handle) await driver.destroy(JSON.parse(row.handle)).catch(() => {})
  })

  test('an app printing 50,000 lines: the newest kept up to the cap, one marker counts the rest, the platform answers meanwhile', async ({ assert }) => {
    limits({ linesPerDeployment: 1000, linesPerSecond: 1_000_000 })
    const account = await apiAccount('Flooder')
    for (const [path, content] of Object.entries(FLOOD_APP)) await account.json('PUT', `/api/v1/projects/${account.project.id}/files/${path}`, { content })
    const created = await account.json('POST', `/api/v1/projects/${account.project.id}/deployments`, { environment: 'production' })
    const deployment = await waitForDeployment(account, created.body.deployment.id)
    assert.equal(deployment.status, 'live', deployment.reason)
    const row = await db.from('deployments').where('id', deployment.id).first()
    const handle = JSON.parse(row.handle)

    const flood = await fetch(`${handle.url}/flood?n=50000`)
    assert.equal(await flood.text(), 'printed 50000')
    // While the platform takes the flood in, it answers its own API.
    const meanwhile = await account.json('GET', `/api/v1/deployments/${deployment.id}`)
    assert.equal(meanwhile.status, 200)
    assert.equal(meanwhile.body.deployment.status, 'live')

    // Until the last line printed is stored.
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      const last = await db.from('deployment_logs').where('deployment_id', deployment.id).where('stream', 'runtime').orderBy('id', 'desc').first()
      if (last?.text === 'flood line 50000') break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await deployLogs.flush(deployment.id)

    const stored = await rows(deployment.id)
    const runtime = stored.filter((line) => line.stream === 'runtime')
    assert.isAtMost(runtime.length, 1000, 'the ring buffer keeps at most the cap')
    assert.equal(runtime.at(-1)!.text, 'flood line 50000', 'the newest line is kept')
    // The newest lines, contiguous: flood line 49001 … 50000.
    const numbers = runtime.filter((line) => line.text.startsWith('flood line ')).map((line) => Number(line.text.slice(11)))
    assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => 50000 - numbers.length + 1 + i))
    assert.isAbove(numbers.length, 900)

    const markers = stored.filter((line) => line.stream === 'dropped')
    assert.lengthOf(markers, 1, 'one marker, updated')
    const dropped = Number((await db.from('deployments').where('id', deployment.id).first()).log_lines_dropped)
    assert.isAtLeast(dropped, 50000 - 1000)
    assert.match(markers[0].text, new RegExp(`^… ${dropped.toLocaleString('en-US')} lines dropped`))
    // The platform's own lines are all there.
    assert.isTrue(stored.some((line) => line.stream === 'build' && line.text.startsWith('Exporting version')))
    assert.isTrue(stored.some((line) => line.stream === 'build' && line.text.startsWith('Live at')))

    // The API shows the count, the JSON logs the marker.
    const logs = await account.json('GET', `/api/v1/deployments/${deployment.id}/logs`)
    assert.equal(logs.body.dropped.id, Number(markers[0].id))
    assert.equal(logs.body.dropped.text, markers[0].text)
    assert.equal((await account.json('GET', `/api/v1/deployments/${deployment.id}`)).body.deployment.log_lines_dropped, dropped)
  }).timeout(60_000)

  test('ring buffer: the newest lines stay, the marker is updated in place, a flood costs a few queries', async ({ assert }) => {
    limits({ linesPerDeployment: 100, linesPerSecond: 1_000_000 })
    const account = await apiAccount('Ring')
    const id = await deploymentRow(account)
    const writer = new DeployLogWriter()

    const queries = await countQueries(async () => {
      for (let i = 1; i <= 10_000; i++) writer.append(id, { stream: 'runtime', text: `line ${i}` })
      await writer.flush(id)
    })
    assert.isAtMost(queries, 20, `10,000 lines in ${queries} statements`)
    let stored = await rows(id)
    assert.lengthOf(stored, 101)
    assert.equal(stored[0].stream, 'dropped')
    assert.equal(stored[0].text, `… 9,900 lines dropped (kept: the last 100 lines of the app's output, at most 1,000,000 a second, and the first ${xbasis.logs.buildLinesPerDeployment.toLocaleString('en-US')} build lines)`)
    assert.deepEqual(
      stored.slice(1).map((line) => line.text),
      Array.from({ length: 100 }, (_, i) => `line ${9901 + i}`)
    )

    for (let i = 10_001; i <= 10_050; i++) writer.append(id, { stream: 'runtime', text: `line ${i}` })
    await writer.flush(id)
    const again = await rows(id)
    assert.lengthOf(again, 101)
    assert.equal(again[0].id, stored[0].id, 'the same marker row')
    assert.match(again[0].text, /^… 9,950 lines dropped/)
    assert.deepEqual(
      again.slice(1).map((line) => line.text),
      Array.from({ length: 100 }, (_, i) => `line ${9951 + i}`)
    )
    assert.equal(Number((await db.from('deployments').where('id', id).first()).log_lines_dropped), 9950)

    // Another writer (a restarted platform) goes on from what is stored: same marker, same cap.
    const restarted = new DeployLogWriter()
    restarted.append(id, { stream: 'runtime', text: 'after the restart' })
    await restarted.flush(id)
    stored = await rows(id)
    assert.lengthOf(stored, 101)
    assert.equal(stored[0].id, again[0].id)
    assert.match(stored[0].text, /^… 9,951 lines dropped/)
    assert.equal(stored.at(-1)!.text, 'after the restart')
  })

  test('rate limit: beyond one second of lines at the rate, the older ones of a burst are dropped and counted', async ({ assert }) => {
    limits({ linesPerDeployment: 5000, linesPerSecond: 50 })
    const account = await apiAccount('Rate')
    const id = await deploymentRow(account)
    const writer = new DeployLogWriter()
    const started = Date.now()
    for (let i = 1; i <= 5000; i++) writer.append(id, { stream: 'runtime', text: `line ${i}` })
    await writer.flush(id)
    const elapsed = (Date.now() - started) / 1000

    const runtime = (await rows(id)).filter((line) => line.stream === 'runtime')
    assert.isAtLeast(runtime.length, 50, 'one second worth passes at once')
    assert.isAtMost(runtime.length, Math.ceil(50 * (1 + elapsed)))
    assert.equal(runtime.at(-1)!.text, 'line 5000', 'the newest line is kept')
    const dropped = Number((await db.from('deployments').where('id', id).first()).log_lines_dropped)
    assert.equal(runtime.length + dropped, 5000, 'every line is stored or counted')

    // The bucket refills: lines written later at the rate are all kept.
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (let i = 1; i <= 5; i++) writer.append(id, { stream: 'runtime', text: `calm ${i}` })
    await writer.flush(id)
    const calm = (await rows(id)).filter((line) => line.text.startsWith('calm '))
    assert.lengthOf(calm, 5)
  })

  test("build output is kept from its start up to its own cap; the platform's lines always", async ({ assert }) => {
    limits({ buildLinesPerDeployment: 10, linesPerDeployment: 3, linesPerSecond: 1000 })
    const account = await apiAccount('Builder')
    const id = await deploymentRow(account)
    const deploys = new DeployService()
    await deploys.log(id, { stream: 'build', text: 'Exporting version aaaaaaa' })
    for (let i = 1; i <= 30; i++) deployLogs.append(id, { stream: 'build', text: `npm ${i}` })
    for (let i = 1; i <= 5; i++) deployLogs.append(id, { stream: 'runtime', text: `app ${i}` })
    await deploys.log(id, { stream: 'build', text: 'Live at http://x' })

    const stored = await rows(id)
    assert.deepEqual(
      stored.map((line) => line.text),
      [
        'Exporting version aaaaaaa',
        // Before the lines of the batch where the first line was dropped.
        stored.find((line) => line.stream === 'dropped')!.text,
        ...Array.from({ length: 10 }, (_, i) => `npm ${i + 1}`),
        'app 3',
        'app 4',
        'app 5',
        'Live at http://x',
      ]
    )
    assert.match(stored.find((line) => line.stream === 'dropped')!.text, /^… 22 lines dropped/)
  })

  test('text the database refuses (NUL) is stored replaced; lines of a deleted deployment go nowhere', async ({ assert }) => {
    const account = await apiAccount('Odd')
    const id = await deploymentRow(account)
    const writer = new DeployLogWriter()
    writer.append(id, { stream: 'runtime', text: 'a\u0000b' })
    writer.append(id, { stream: 'runtime', text: 'x'.repeat(20_000) })
    await writer.flush(id)
    const stored = await rows(id)
    assert.equal(stored[0].text, 'a\uFFFDb')
    assert.lengthOf(stored[1].text, 8000)

    await db.from('deployments').where('id', id).delete()
    writer.append(id, { stream: 'runtime', text: 'after the deletion' })
    await writer.flush(id)
    assert.lengthOf(await rows(id), 0)
    await new DeployService().log(id, { stream: 'build', text: 'Stopped by the user' })
  })

  test('SSE and JSON: the marker is shown, and sent again (same id, no event id) when its count changes', async ({ assert }) => {
    limits({ linesPerDeployment: 5, linesPerSecond: 1_000_000 })
    const account = await apiAccount('Viewer')
    const id = await deploymentRow(account)
    const response = await fetch(`${new WebClient().baseUrl}/api/v1/deployments/${id}/logs`, {
      headers: { authorization: `Bearer ${account.token}`, accept: 'text/event-stream' },
    })
    // Read as it comes: each step waits for what the stream has sent, not for a time.
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let raw = ''
    const until = async (text: string) => {
      while (!raw.includes(text)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`the stream ended before "${text}":\n${raw}`)
        raw += decoder.decode(value, { stream: true })
      }
    }
    await until('event: status')
    for (let i = 1; i <= 20; i++) deployLogs.append(id, { stream: 'runtime', text: `first ${i}` })
    await deployLogs.flush(id)
    await until('… 15 lines dropped')
    await until('first 20')
    for (let i = 1; i <= 20; i++) deployLogs.append(id, { stream: 'runtime', text: `second ${i}` })
    await deployLogs.flush(id)
    await until('… 35 lines dropped')
    const deployment = await Deployment.findOrFail(id)
    deployment.merge({ status: 'stopped', reason: 'Stopped by the user', finishedAt: DateTime.now() })
    await deployment.save()
    await until('event: end')
    const events = readSse(new Response(raw))
    const all = await events
    assert.equal(all.at(-1)!.event, 'end')
    const markers = all.filter((e) => e.event === 'log' && e.data.stream === 'dropped').map((e) => e.data)
    assert.isAtLeast(markers.length, 2)
    assert.lengthOf(new Set(markers.map((m) => m.id)), 1, 'one marker line')
    assert.match(markers[0].text, /^… 15 lines dropped/)
    assert.match(markers.at(-1)!.text, /^… 35 lines dropped/)
    // The update carries no event id: Last-Event-ID stays on the newest line.
    assert.notInclude(raw, `id: ${markers[0].id}\nevent: log\ndata: ${JSON.stringify(markers.at(-1))}`)
    assert.include(raw, `event: log\ndata: ${JSON.stringify(markers.at(-1))}`)

    const json = await account.json('GET', `/api/v1/deployments/${id}/logs?after=${markers[0].id}`)
    assert.deepEqual(json.body.dropped, markers.at(-1))
    assert.deepEqual(
      json.body.logs.map((l: any) => l.text),
      Array.from({ length: 5 }, (_, i) => `second ${16 + i}`)
    )
  }).timeout(30_000)

  test('retention: logs of deployments ended more than K days ago, or beyond the newest M of the project, are deleted', async ({ assert }) => {
    limits({ retentionDays: 14, keepDeployments: 2 })
    const account = await apiAccount('Keeper')
    const other = await apiAccount('Other')
    const old = DateTime.now().minus({ days: 20 })
    const recent = DateTime.now().minus({ days: 2 })
    const oldStopped = await deploymentRow(account, { status: 'stopped', updated_at: dbTime(old) })
    const oldLive = await deploymentRow(account, { status: 'live', updated_at: dbTime(old) })
    const recentFailed = await deploymentRow(account, { status: 'failed', updated_at: dbTime(recent) })
    const recentStopped = await deploymentRow(account, { status: 'stopped', updated_at: dbTime(recent) })
    const newest = await deploymentRow(account, { status: 'stopped', updated_at: dbTime(recent) })
    const elsewhere = await deploymentRow(other, { status: 'stopped', updated_at: dbTime(recent) })
    const all = [oldStopped, oldLive, recentFailed, recentStopped, newest, elsewhere]
    for (const id of all) await db.table('deployment_logs').multiInsert([1, 2, 3].map((n) => ({ deployment_id: id, stream: 'runtime', text: `line ${n}`, at: dbTime() })))

    const result = await new DeployLogRetention().sweep()
    // oldStopped: ended 20 days ago. recentFailed: two newer deployments in its project (oldLive, older still, is live).
    assert.deepEqual(result, { deployments: 2, lines: 6 })
    for (const id of [oldStopped, recentFailed]) {
      assert.lengthOf(await rows(id), 0)
      assert.isNotNull((await db.from('deployments').where('id', id).first()).logs_deleted_at)
    }
    for (const id of [oldLive, recentStopped, newest, elsewhere]) assert.lengthOf(await rows(id), 3, `deployment ${id} keeps its logs`)
    assert.deepEqual(await new DeployLogRetention().sweep(), { deployments: 0, lines: 0 }, 'idempotent')

    const shown = await account.json('GET', `/api/v1/deployments/${oldStopped}`)
    assert.isString(shown.body.deployment.logs_deleted_at)
  })
})
