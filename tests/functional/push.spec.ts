import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { FakeGitHttpServer } from '#tests/fakes/git_http_server'

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
})
