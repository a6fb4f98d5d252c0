import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import deploy from '#deploy/deploy_manager'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount, readSse } from '#tests/helpers/ai'
import { WebClient } from '#tests/helpers/web_client'
import xbasis from '#config/xbasis'
import { deployEvents } from '#services/deploy_events'

type Account = Awaited<ReturnType<typeof apiAccount>>

function stream(account: Account, id: number, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl()}/api/v1/deployments/${id}/logs`, {
    headers: { authorization: `Bearer ${account.token}`, accept: 'text/event-stream', ...headers },
  })
}

function baseUrl() {
  return new WebClient().baseUrl
}

async function deployed(account: Account) {
  await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
  const created = await account.json('POST', `/api/v1/projects/${account.project.id}/deployments`, { environment: 'production' })
  return created.body.deployment.id as number
}

test.group('Deployment logs, streamed', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const live = await db.from('deployments').whereIn('status', ['live', 'failed'])
    const driver = await deploy.use('process')
    for (const row of live) if (row.handle) await driver.destroy(JSON.parse(row.handle)).catch(() => {})
  })

  test('SSE: the lines so far, then new ones as they are written, status changes, and the end once live', async ({ assert }) => {
    const account = await apiAccount('Streamer')
    const id = await deployed(account)
    const response = await stream(account, id)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /^text\/event-stream/)
    // The body ends by itself when the deployment is live.
    const events = await readSse(response)

    const statuses = events.filter((e) => e.event === 'status').map((e) => e.data.status)
    assert.include(['queued', 'building', 'deploying'], statuses[0], 'followed from before it was live')
    assert.equal(statuses.at(-1), 'live')
    assert.deepEqual(statuses, [...new Set(statuses)], 'a status event per change')
    const last = events.at(-1)!
    assert.equal(last.event, 'end')
    assert.containsSubset(last.data, { id, status: 'live' })
    assert.match(last.data.url, /^http:\/\//)

    const lines = events.filter((e) => e.event === 'log').map((e) => e.data)
    const text = lines.map((l) => l.text).join('\n')
    assert.match(text, /Exporting version[\s\S]*Live at http/)
    const ids = lines.map((l) => l.id)
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b))
    assert.lengthOf(new Set(ids), ids.length, 'no line twice')
    // Every line the JSON API has, nothing more.
    const json = await account.json('GET', `/api/v1/deployments/${id}/logs`)
    assert.deepEqual(ids, json.body.logs.map((l: any) => l.id))
  }).timeout(60_000)

  test('SSE: Last-Event-ID resumes after the last line seen; JSON with ?after= as before', async ({ assert }) => {
    const account = await apiAccount('Resumer')
    const id = await deployed(account)
    await readSse(await stream(account, id))
    const all = (await account.json('GET', `/api/v1/deployments/${id}/logs`)).body.logs
    assert.isAbove(all.length, 2)
    const seen = all[1].id

    const response = await stream(account, id, { 'last-event-id': String(seen) })
    const raw = await response.clone().text()
    // Each line carries its id, for the browser to send back.
    assert.include(raw, `id: ${all[2].id}\nevent: log\n`)
    const events = await readSse(response)
    assert.deepEqual(
      events.filter((e) => e.event === 'log').map((e) => e.data.id),
      all.slice(2).map((l: any) => l.id)
    )
    assert.equal(events[0].event, 'status')
    assert.equal(events[0].data.status, 'live')
    assert.equal(events.at(-1)!.event, 'end')

    const after = await account.json('GET', `/api/v1/deployments/${id}/logs?after=${seen}`)
    assert.match(after.headers.get('content-type')!, /application\/json/)
    assert.equal(after.body.status, 'live')
    assert.deepEqual(after.body.logs, all.slice(2))
  }).timeout(60_000)

  test("SSE: another workspace's deployment is not found, and nothing is streamed", async ({ assert }) => {
    const alice = await apiAccount('Alice')
    const bob = await apiAccount('Bob')
    const id = await deployed(alice)
    const response = await stream(bob, id)
    assert.equal(response.status, 404)
    assert.match(response.headers.get('content-type')!, /application\/json/)
    assert.equal((await response.json()).errors[0].code, 'E_NOT_FOUND')
    const unauthenticated = await fetch(`${baseUrl()}/api/v1/deployments/${id}/logs`, { headers: { accept: 'text/event-stream' } })
    assert.equal(unauthenticated.status, 401)
    await readSse(await stream(alice, id))
  }).timeout(60_000)

  test('with Redis, a wake-up published by another instance reaches the streams of this one', async ({ assert }) => {
    const { default: redis } = await import('@adonisjs/redis/services/main')
    const saved = xbasis.redisEnabled
    // The Redis on 127.0.0.1 is used even in a run configured without it.
    xbasis.redisEnabled = true
    const calls: string[] = []
    const offOther = deployEvents.follow(777_001, () => calls.push('other'))
    const woken = new Promise<void>((resolve) => {
      const off = deployEvents.follow(777_000, () => {
        off()
        resolve()
      })
    })
    try {
      let received = false
      void woken.then(() => (received = true))
      // The subscription is opened on the first follow: publish until it is there.
      for (let i = 0; i < 100 && !received; i++) {
        await redis.connection().publish(deployEvents.channel, 'another-instance:777000')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      assert.isTrue(received, 'woken through Redis')
      assert.deepEqual(calls, [], 'only the followers of that deployment')
    } finally {
      offOther()
      xbasis.redisEnabled = saved
    }
  })
})
