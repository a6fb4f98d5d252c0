import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { runProjectApp } from '#tests/helpers/generated_app'

/**
 * Acceptance: with the offline builder, a request in plain words becomes an
 * app that starts and serves the pages asked for.
 */
const REQUESTS: [string, string[]][] = [
  ['a landing page with a waitlist and a blog', ['landing-page', 'waitlist', 'blog']],
  ['a pricing page and a contact form for my agency', ['pricing-page', 'contact-form']],
  ['an inventory to manage products with an admin dashboard', ['crud-resource', 'admin-page']],
  ['a members area where users can sign up and log in', ['accounts']],
  ['a place to upload photos', ['file-uploads']],
  ['sell my e-book with a checkout button', ['payment-link']],
]

test.group('Generation with the offline builder', (group) => {
  group.each.setup(() => truncateAll())

  for (const [request, expected] of REQUESTS) {
    test(`"${request}" → an app with ${expected.join(', ')} that starts and serves its pages`, async ({ assert }) => {
      const account = await apiAccount('Builder')
      const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content: request, provider: 'offline' })
      assert.equal(status, 201, JSON.stringify(body))
      const changes = body.message.changes
      assert.exists(changes?.version, JSON.stringify(changes))
      assert.deepEqual(changes.problems, [])
      assert.match(changes.version, /^[0-9a-f]{40}$/)

      const files = await account.json('GET', `/api/v1/projects/${account.project.id}/files`)
      const paths = files.body.files.map((f: any) => f.path)
      assert.includeMembers(paths, ['package.json', 'server.js', 'xbasis.config.json'])
      assert.notInclude(paths, '.env', 'secrets never go into the files')

      const app = await runProjectApp(account.project.id)
      try {
        assert.includeMembers(app.modules, ['app-base', ...expected])
        assert.equal((await (await fetch(`${app.url}/health`)).json() as any).status, 'ok')
        const pages = app.routes.filter((r) => r.method === 'GET' && !r.path.includes(':') && expected.includes(r.module))
        assert.isAbove(pages.length, 0)
        for (const route of pages) {
          const headers: Record<string, string> = {}
          if (route.auth === 'admin') headers.authorization = 'Basic ' + Buffer.from(`admin:${app.env.ADMIN_PASSWORD}`).toString('base64')
          const response = await fetch(app.url + route.path, { headers, redirect: 'manual' })
          assert.equal(response.status, route.status, `${route.method} ${route.path}`)
          // Texts that need earlier requests (an entry listed) are the modules' own tests' business.
          if (route.contains && !route.auth) assert.include(await response.text(), route.contains, route.path)
        }
      } finally {
        await app.stop()
      }
    }).timeout(60_000)
  }

  test('a second request adds to the app, keeping what is there, as a new version', async ({ assert }) => {
    const account = await apiAccount('Builder')
    const url = `/api/v1/projects/${account.project.id}/messages`
    await account.json('POST', url, { content: 'a landing page with a waitlist', provider: 'offline' })
    const second = await account.json('POST', url, { content: 'add a blog', provider: 'offline' })
    assert.exists(second.body.message.changes.version)
    const versions = await account.json('GET', `/api/v1/projects/${account.project.id}/versions`)
    assert.lengthOf(versions.body.versions, 2)
    const app = await runProjectApp(account.project.id)
    try {
      assert.includeMembers(app.modules, ['landing-page', 'waitlist', 'blog'])
      assert.equal((await fetch(`${app.url}/waitlist`)).status, 200)
      assert.equal((await fetch(`${app.url}/blog`)).status, 200)
    } finally {
      await app.stop()
    }
  }).timeout(60_000)
})
