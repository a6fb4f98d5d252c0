import { test } from '@japa/runner'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { waitForDeployment } from '#tests/helpers/deploys'
import deploy from '#deploy/deploy_manager'
import { appDataKey } from '#deploy/data_persistence'
import { projectEnv } from '#services/project_env_service'
import Project from '#models/project'
import xbasisConfig from '#config/xbasis'
import { WebClient } from '#tests/helpers/web_client'
import { DATA_APP_REQUEST } from '#tests/helpers/app_records'

/**
 * Issue 11, acceptance 2: during a zero-downtime redeploy the old and the
 * new app run at once on the same data for DEPLOY_DRAIN_MS. Loops write
 * sign-ups and contact messages all along — through the platform, as
 * visitors do, and straight to each of the two apps while both run — and
 * afterwards every acknowledged write is in the store, once, and every
 * store file parses.
 */

const platform = new WebClient().baseUrl
const handleUrl = async (id: number) => {
  const row = await db.from('deployments').where('id', id).first()
  return (typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).url as string
}

/** Writes in a loop to `base()` (null: not yet); remembers what was acknowledged (201) and when. */
function writer(name: string, base: () => string | null) {
  let running = true
  let n = 0
  const acked: { email: string; message: string; at: number }[] = []
  const refused: string[] = []
  const loop = async () => {
    while (running) {
      const url = base()
      if (!url) {
        await new Promise((r) => setTimeout(r, 20))
        continue
      }
      const tag = `${name}-${++n}`
      const headers = { 'content-type': 'application/json', 'accept': 'application/json' }
      try {
        const signUp = await fetch(`${url}/api/waitlist`, { method: 'POST', headers, body: JSON.stringify({ email: `${tag}@example.com` }), signal: AbortSignal.timeout(10_000) })
        await signUp.text()
        const contact = await fetch(`${url}/contact`, { method: 'POST', headers, body: JSON.stringify({ name: 'Loop', email: `${tag}@example.com`, message: `message ${tag}` }), signal: AbortSignal.timeout(10_000) })
        await contact.text()
        if (signUp.status === 201 && contact.status === 201) acked.push({ email: `${tag}@example.com`, message: `message ${tag}`, at: Date.now() })
        else refused.push(`${signUp.status}/${contact.status}`)
      } catch (error) {
        // Not acknowledged (the old app stopped under it): nothing to find later.
        refused.push((error as Error).message)
      }
    }
  }
  const workers = [loop(), loop()]
  return {
    acked,
    refused,
    async stop() {
      running = false
      await Promise.all(workers)
    },
  }
}

test.group('App data during a zero-downtime redeploy (process target)', (group) => {
  group.each.setup(() => truncateAll())
  group.each.setup(() => {
    const drain = xbasisConfig.deployDrainMs
    xbasisConfig.deployDrainMs = 2500
    return () => void (xbasisConfig.deployDrainMs = drain)
  })
  group.teardown(async () => {
    const live = await db.from('deployments').where('status', 'live')
    const driver = await deploy.use('process')
    for (const row of live) if (row.handle) await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
  })

  test('every write acknowledged by the old or the new app while both run is kept, once; the store parses', async ({ assert, cleanup }) => {
    const account = await apiAccount()
    const projectUrl = `/api/v1/projects/${account.project.id}`
    await account.json('POST', `${projectUrl}/messages`, { content: DATA_APP_REQUEST, provider: 'offline' })
    const first = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production' })
    const live1 = await waitForDeployment(account, first.body.deployment.id)
    assert.equal(live1.status, 'live', live1.reason)
    const viaPlatform = `${platform}/apps/${new URL(live1.url).hostname.split('.')[0]}`
    const oldApp = await handleUrl(live1.id)
    let newApp: string | null = null
    let newLiveAt = Infinity

    const writers = [writer('visitor', () => viaPlatform), writer('old', () => oldApp), writer('new', () => newApp)]
    cleanup(async () => void (await Promise.all(writers.map((w) => w.stop()))))
    await new Promise((r) => setTimeout(r, 300))

    await account.json('POST', `${projectUrl}/messages`, { content: 'add a blog', provider: 'offline' })
    const second = await account.json('POST', `${projectUrl}/deployments`, { environment: 'production' })
    const live2 = await waitForDeployment(account, second.body.deployment.id)
    assert.equal(live2.status, 'live', live2.reason)
    newApp = await handleUrl(live2.id)
    newLiveAt = Date.now()
    // Through the drain, until the old app is stopped, and a little after.
    await new Promise((r) => setTimeout(r, xbasisConfig.deployDrainMs + 1500))
    await Promise.all(writers.map((w) => w.stop()))

    const [visitor, old, fresh] = writers
    assert.isAbove(visitor.acked.length, 5, 'visitors wrote through the switch')
    assert.isAbove(old.acked.filter((w) => w.at > newLiveAt).length, 0, 'the old app acknowledged writes while the new one ran')
    assert.isAbove(fresh.acked.length, 0, 'the new app acknowledged writes while the old one ran')
    assert.deepEqual(visitor.refused, [], 'no visitor request failed')

    // Every acknowledged write is in the store, exactly once; every store file parses.
    const project = await Project.findOrFail(account.project.id)
    const storeDir = join(resolve(process.env.DATA_DIR!, 'app-data'), appDataKey(project, 'production'), 'store')
    const files = readdirSync(storeDir).filter((f) => f.endsWith('.json'))
    assert.includeMembers(files, ['waitlist.json', 'contact_messages.json'])
    const documents: Record<string, any[]> = {}
    for (const file of files) {
      const parsed = JSON.parse(readFileSync(join(storeDir, file), 'utf8'))
      assert.isArray(parsed.documents, `${file} parses`)
      documents[file] = parsed.documents
    }
    const acked = writers.flatMap((w) => w.acked)
    const emails = documents['waitlist.json'].map((d) => d.email)
    const messages = documents['contact_messages.json'].map((d) => d.message)
    for (const write of acked) {
      assert.equal(emails.filter((e) => e === write.email).length, 1, `${write.email} is kept once`)
      assert.equal(messages.filter((m) => m === write.message).length, 1, `${write.message} is kept once`)
    }
    // And the live app reads them all.
    const admin = (await projectEnv(account.project.id, 'production')).ADMIN_PASSWORD
    const listed = await fetch(`${newApp}/waitlist/entries`, { headers: { accept: 'application/json', authorization: `Basic ${Buffer.from(`o:${admin}`).toString('base64')}` } })
    assert.includeMembers((await listed.json() as any[]).map((d) => d.email), acked.map((w) => w.email))
  }).timeout(120_000)
})
