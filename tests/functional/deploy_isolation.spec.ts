import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import xbasis from '#config/xbasis'
import deploy from '#deploy/deploy_manager'
import { apiAccount } from '#tests/helpers/ai'
import { truncateAll } from '#tests/helpers/services'
import { PROJECT_ROOT } from '#tests/helpers/platform_process'
import { WebClient } from '#tests/helpers/web_client'

type Account = Awaited<ReturnType<typeof apiAccount>>
const platform = new WebClient().baseUrl

/**
 * Acceptance 6: a generated app deployed by the platform (process target,
 * through the API) tries to read the platform's environment, its database
 * and data, and another project's repository and deployed files, and
 * reports what it got over HTTP. Everything must be refused.
 */
const PROBE_APP = {
  'package.json': JSON.stringify({ name: 'probe', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }, null, 2),
  'server.js': `const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const attempt = (f) => { try { return { ok: true, value: String(f()).slice(0, 200) } } catch (e) { return { ok: false, code: e.code || e.message } } }
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://app')
  if (url.pathname === '/health') return res.end('ok')
  if (url.pathname !== '/probe') return res.end('probe')
  const paths = JSON.parse(Buffer.from(url.searchParams.get('p'), 'base64url').toString())
  const out = { env: process.env, own: attempt(() => fs.readFileSync(__filename, 'utf8')), files: {}, dirs: {}, links: {}, relativeLinks: {} }
  out.parentEnviron = attempt(() => fs.readFileSync('/proc/' + process.ppid + '/environ', 'utf8'))
  out.subprocess = attempt(() => require('node:child_process').execFileSync('cat', [paths[0]]))
  out.worker = attempt(() => new (require('node:worker_threads').Worker)('require("fs").readFileSync(' + JSON.stringify(paths[0]) + ')', { eval: true }))
  for (const p of paths) {
    out.files[p] = attempt(() => fs.readFileSync(p, 'utf8'))
    out.dirs[p] = attempt(() => fs.readdirSync(path.dirname(p)).join(','))
    const link = path.join(__dirname, 'link-' + Math.random().toString(36).slice(2))
    out.links[p] = attempt(() => { fs.symlinkSync(p, link); return fs.readFileSync(link, 'utf8') })
    out.relativeLinks[p] = attempt(() => { fs.symlinkSync(path.relative(__dirname, p), link + 'r'); return fs.readFileSync(link + 'r', 'utf8') })
  }
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(out))
}).listen(Number(process.env.PORT), process.env.HOST)
`,
}

async function waitLive(account: Account, id: number) {
  for (let i = 0; i < 300; i++) {
    const { body } = await account.json('GET', `/api/v1/deployments/${id}`)
    if (['live', 'failed'].includes(body.deployment.status)) return body.deployment
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`deployment ${id} never ended`)
}

async function deployed(account: Account) {
  const created = await account.json('POST', `/api/v1/projects/${account.project.id}/deployments`, { environment: 'preview' })
  const deployment = await waitLive(account, created.body.deployment.id)
  const row = await db.from('deployments').where('id', deployment.id).first()
  const handle = typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle
  return { deployment, dir: handle.data.dir as string }
}

test.group('Deployments: isolation of generated apps (process target)', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const driver = await deploy.use('process')
    for (const row of await db.from('deployments').whereNotNull('handle')) await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
  })

  test("an app cannot read the platform's environment, database and data, or another project's files", async ({ assert }) => {
    const marker = `platform-only-${Math.random().toString(36).slice(2)}`
    process.env.XBASIS_ISOLATION_MARKER = marker
    const appKey = env.get('APP_KEY')

    // Bob's project: a generated app, deployed; its repository and working copy are on this machine.
    const bob = await apiAccount('Bob')
    await bob.json('POST', `/api/v1/projects/${bob.project.id}/messages`, { content: 'a landing page with a waitlist', provider: 'offline' })
    const bobs = await deployed(bob)
    assert.equal(bobs.deployment.status, 'live', bobs.deployment.reason)

    // Alice's project: first a generated app (an earlier deployment of hers), then the probe.
    const alice = await apiAccount('Alice')
    await alice.json('POST', `/api/v1/projects/${alice.project.id}/messages`, { content: 'a landing page', provider: 'offline' })
    const earlier = await deployed(alice)
    for (const [path, content] of Object.entries(PROBE_APP)) {
      await alice.json('PUT', `/api/v1/projects/${alice.project.id}/files/${path}`, { content })
    }
    const probe = await deployed(alice)
    assert.equal(probe.deployment.status, 'live', probe.deployment.reason)

    const secrets: string[] = [
      join(bobs.dir, 'app', 'server.js'), // another project's deployed files
      join(bobs.dir, 'deploy.log'),
      join(xbasis.paths.projects, `${bob.project.id}.git`, 'HEAD'), // another project's repository
      join(xbasis.paths.projects, `${bob.project.id}.git`, 'config'),
      join(xbasis.paths.projects, `${alice.project.id}.git`, 'HEAD'), // even its own repository: only the working copy is the app's
      join(earlier.dir, 'app', 'server.js'), // another deployment of the same project
      join(PROJECT_ROOT, 'package.json'), // the platform's code and configuration
      join(PROJECT_ROOT, '.env.test'),
    ]
    if (env.get('DB_CONNECTION', 'sqlite') === 'sqlite') secrets.push(resolve(xbasis.paths.database))
    for (const path of secrets) assert.isTrue(existsSync(path), `${path} exists (the probe would prove nothing otherwise)`)

    const query = Buffer.from(JSON.stringify(secrets)).toString('base64url')
    const response = await fetch(`${platform}/apps/${new URL(probe.deployment.url).hostname.split('.')[0]}/probe?p=${query}`)
    assert.equal(response.status, 200)
    const report = (await response.json()) as any

    assert.isTrue(report.own.ok, 'the app reads its own files')
    assert.include(report.own.value, 'node:http')

    // The environment: the platform's own variables and secrets never reach the app.
    for (const key of ['APP_KEY', 'XBASIS_ISOLATION_MARKER', 'PG_PASSWORD', 'PG_USER', 'DB_CONNECTION', 'REDIS_HOST', 'DATA_DIR']) {
      assert.notProperty(report.env, key)
    }
    const seen = JSON.stringify(report.env)
    assert.notInclude(seen, marker)
    if (appKey) assert.notInclude(seen, appKey)
    assert.deepEqual(report.parentEnviron.code, 'ERR_ACCESS_DENIED', 'not through /proc either')

    for (const path of secrets) {
      assert.deepEqual(report.files[path], { ok: false, code: 'ERR_ACCESS_DENIED' }, `read ${path}`)
      assert.deepEqual(report.dirs[path], { ok: false, code: 'ERR_ACCESS_DENIED' }, `list the folder of ${path}`)
      assert.deepEqual(report.links[path], { ok: false, code: 'ERR_ACCESS_DENIED' }, `a symbolic link to ${path}`)
      assert.deepEqual(report.relativeLinks[path], { ok: false, code: 'ERR_ACCESS_DENIED' }, `a relative symbolic link to ${path}`)
    }
    assert.isFalse(report.subprocess.ok, 'no other program')
    assert.isFalse(report.worker.ok, 'no worker thread')
    delete process.env.XBASIS_ISOLATION_MARKER
  }).timeout(120_000)
})
