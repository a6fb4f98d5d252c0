import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { runProjectApp } from '#tests/helpers/generated_app'

/**
 * Issue 12, acceptance 2: follow-up turns of the offline builder edit the
 * running app — a removed page has no route and no navigation link, a field
 * added later appears in the form and the list, a rename changes the title
 * everywhere — and a request it does not understand changes nothing.
 */
test.group('Offline builder: follow-up edits of the app', (group) => {
  group.each.setup(() => truncateAll())

  async function say(account: Awaited<ReturnType<typeof apiAccount>>, content: string) {
    const { status, body } = await account.json('POST', `/api/v1/projects/${account.project.id}/messages`, { content, provider: 'offline' })
    if (status !== 201) throw new Error(`${status} ${JSON.stringify(body)}`)
    return body.message
  }
  const versions = async (account: Awaited<ReturnType<typeof apiAccount>>) =>
    (await account.json('GET', `/api/v1/projects/${account.project.id}/versions`)).body.versions as { version: string }[]

  test('"remove the pricing page" removes its route and its navigation link and keeps the rest', async ({ assert }) => {
    const account = await apiAccount('Builder')
    const first = await say(account, 'A landing page for "Sweet Crumbs" with a pricing page, a blog and a contact form')
    assert.exists(first.changes.version, JSON.stringify(first.changes))
    let app = await runProjectApp(account.project.id)
    try {
      assert.equal((await fetch(`${app.url}/pricing`)).status, 200)
      assert.include(await (await fetch(`${app.url}/`)).text(), 'href="/pricing"')
    } finally {
      await app.stop()
    }

    const second = await say(account, 'remove the pricing page')
    assert.exists(second.changes.version, JSON.stringify(second.changes))
    assert.deepEqual(second.changes.problems, [])
    assert.include(second.content, 'removed pricing page')
    app = await runProjectApp(account.project.id)
    try {
      assert.notInclude(app.modules, 'pricing-page')
      assert.equal((await fetch(`${app.url}/pricing`)).status, 404)
      const home = await (await fetch(`${app.url}/`)).text()
      assert.notInclude(home, 'href="/pricing"')
      assert.include(home, 'Sweet Crumbs')
      assert.include(home, 'href="/blog"')
      assert.equal((await fetch(`${app.url}/blog`)).status, 200)
      assert.equal((await fetch(`${app.url}/contact`)).status, 200)
    } finally {
      await app.stop()
    }
  }).timeout(90_000)

  test('a field added in a follow-up appears in the form and in the list', async ({ assert }) => {
    const account = await apiAccount('Builder')
    await say(account, 'A small CRM: customers with name, email and company')
    const second = await say(account, 'add a phone field to customers')
    assert.exists(second.changes.version, JSON.stringify(second.changes))
    const app = await runProjectApp(account.project.id)
    try {
      const auth = { authorization: 'Basic ' + Buffer.from(`admin:${app.env.ADMIN_PASSWORD}`).toString('base64') }
      const form = await (await fetch(`${app.url}/customers/new`, { headers: auth })).text()
      for (const label of ['Name', 'Email', 'Company', 'Phone']) assert.include(form, label)
      assert.include(form, 'name="phone"')
      const created = await fetch(`${app.url}/api/customers`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ada Lovelace', email: 'ada@example.com', company: 'Engines', phone: '+44 20 7946 0000' }),
      })
      assert.equal(created.status, 201, await created.clone().text())
      const list = await (await fetch(`${app.url}/customers`)).text()
      assert.include(list, 'Phone')
      assert.include(list, '+44 20 7946 0000')
    } finally {
      await app.stop()
    }
  }).timeout(90_000)

  test('a rename changes the title everywhere: header, browser tab, footer, home page headline', async ({ assert }) => {
    const account = await apiAccount('Builder')
    await say(account, 'A landing page for "Sweet Crumbs" bakery with a menu and a contact form')
    const second = await say(account, 'rename the app to "Crumb and Co"')
    assert.exists(second.changes.version, JSON.stringify(second.changes))
    const app = await runProjectApp(account.project.id)
    try {
      for (const path of ['/', '/contact']) {
        const page = await (await fetch(`${app.url}${path}`)).text()
        assert.notInclude(page, 'Sweet Crumbs', path)
        assert.match(page, /<title>[^<]*Crumb and Co[^<]*<\/title>/, path)
        assert.isAtLeast(page.split('Crumb and Co').length - 1, 3, `${path}: title, header and footer`)
      }
      assert.match(await (await fetch(`${app.url}/`)).text(), /<h1[^>]*>\s*Crumb and Co\s*<\/h1>/)
    } finally {
      await app.stop()
    }
  }).timeout(90_000)

  test('gibberish: no new version, and an answer that says it did not understand, with examples', async ({ assert }) => {
    const account = await apiAccount('Builder')
    const first = await say(account, 'A landing page for "Sweet Crumbs" with a contact form')
    const before = await versions(account)
    assert.lengthOf(before, 1)
    for (const content of ['asdf qwer zxcv', 'фыва олдж']) {
      const message = await say(account, content)
      assert.isNull(message.changes?.version ?? null, content)
      assert.match(message.content, /did not understand|не понял/, content)
      assert.notInclude(message.content, '<xb-', content)
    }
    assert.deepEqual((await versions(account)).map((v) => v.version), [first.changes.version])
  }).timeout(60_000)
})
