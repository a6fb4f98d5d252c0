import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { FakeGitHttpServer } from '#tests/fakes/git_http_server'
import xbasis from '#config/xbasis'
import { parseAllowedNetworks } from '#workspace/push_network'

test.group('Push to a git remote', (group) => {
  group.each.setup(() => truncateAll())

  test('pushes the current version with the token; the token is encrypted at rest and never shown', async ({ assert }) => {
    const token = 'ghp_supersecret_token_123456'
    const remote = new FakeGitHttpServer({ token })
    await remote.start()
    try {
      const { url } = await remote.createRepository('app')
      const account = await apiAccount()
      const turn = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'a landing page', provider: 'offline' })
      const version = turn.body.message.changes.version

      const pushed = await account.json('POST', `/api/v1/projects/${account.project.id}/push`, { url, token })
      assert.equal(pushed.status, 200, JSON.stringify(pushed.body))
      assert.equal(pushed.body.version, version)
      assert.equal((await remote.refs('app'))['refs/heads/main'], version)
      assert.notInclude(JSON.stringify(pushed.body), token)

      const row = await db.from('projects').where('id', account.project.id).first()
      assert.notInclude(row.remote_token, token, 'encrypted at rest')
      const project = await account.json('GET', `/api/v1/projects/${account.project.id}`)
      assert.notInclude(JSON.stringify(project.body), token)

      // The saved token is reused; a wrong one fails without echoing it.
      await account.json('PUT', `/api/v1/projects/${account.project.id}/files/extra.txt`, { content: 'more' })
      assert.equal((await account.json('POST', `/api/v1/projects/${account.project.id}/push`, { url })).status, 200)
      const wrong = await account.json('POST', `/api/v1/projects/${account.project.id}/push`, { url, token: 'wrong-token-abcdef' })
      assert.equal(wrong.status, 502)
      assert.notInclude(JSON.stringify(wrong.body), 'wrong-token-abcdef')
      assert.notInclude(JSON.stringify(wrong.body), Buffer.from('x-access-token:wrong-token-abcdef').toString('base64'))

      const refused = await account.json('POST', `/api/v1/projects/${account.project.id}/push`, { url: 'https://user:pass@example.com/x.git', token })
      assert.equal(refused.status, 422)
      assert.notInclude(JSON.stringify(refused.body), 'pass@')
    } finally {
      await remote.close()
    }
  }).timeout(60_000)

  test('loopback and private addresses are refused unless the operator allows them; a failure says nothing of what answered', async ({ assert }) => {
    const token = 'ghp_probe_token_0123456789'
    const remote = new FakeGitHttpServer({ token })
    await remote.start()
    const saved = xbasis.push.allowedNetworks
    try {
      const { url } = await remote.createRepository('probe')
      const account = await apiAccount()
      await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'a landing page', provider: 'offline' })
      const push = (body: Record<string, string>) => account.json('POST', `/api/v1/projects/${account.project.id}/push`, { token, ...body })

      // What an operator who did not set XBASIS_PUSH_ALLOWED_NETWORKS gets.
      xbasis.push.allowedNetworks = parseAllowedNetworks('')
      const port = new URL(url).port
      for (const target of [
        url,
        `https://127.0.0.1:${port}/probe.git`,
        'https://0x7f000001:6379/',
        'https://2130706433:5432/',
        'https://127.1:22/',
        'https://[::1]:6379/',
        'https://[::ffff:127.0.0.1]:6379/',
        'https://localhost:6379/',
        'https://10.0.0.1/x.git',
        'https://169.254.169.254/latest/meta-data/',
      ]) {
        const refused = await push({ url: target })
        assert.equal(refused.status, 422, `${target}: ${JSON.stringify(refused.body)}`)
        // Some spellings already fail the URL validator; the rest are refused after parsing.
        assert.oneOf(refused.body.errors[0].code, ['invalid_remote', 'url'], target)
        assert.notMatch(JSON.stringify(refused.body), /connection|connect to|timed out|fatal|curl|failed/i, target)
      }
      assert.lengthOf(remote.requests, 0, 'nothing reached the loopback server')
      assert.isNull((await db.from('projects').where('id', account.project.id).first()).remote_url)

      // Allowed: the push works; a closed port and an open one that is not git answer alike.
      xbasis.push.allowedNetworks = parseAllowedNetworks('loopback')
      assert.equal((await push({ url })).status, 200)
      const generic = /^push to 127\.0\.0\.1:\d+ failed: the remote could not be reached, or it is not a git repository that accepts this push$/
      for (const target of ['http://127.0.0.1:1/x.git', `${remote.url}/missing`]) {
        const failed = await push({ url: target })
        assert.equal(failed.status, 502, target)
        assert.match(failed.body.errors[0].message, generic, target)
      }
    } finally {
      xbasis.push.allowedNetworks = saved
      await remote.close()
    }
  }).timeout(60_000)
})
