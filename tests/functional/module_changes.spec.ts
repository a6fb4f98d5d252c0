import { test } from '@japa/runner'
import { apiAccount, readSse, useFakeProviders } from '#tests/helpers/ai'
import { textScript, toolCallScript } from '#tests/fakes/anthropic_server'

/**
 * Module removal and module parameter update, as any AI provider writes them
 * (tagged text or native tools): a removal takes the module's files out and
 * keeps the rest; an update changes only the parameters it names; both are
 * refused, with the whole turn, when they name a module the app does not have.
 */
test.group('Output protocol: removing modules and updating their parameters', (group) => {
  const fakes = useFakeProviders(group, ['anthropic'])

  async function turn(account: Awaited<ReturnType<typeof apiAccount>>, script: ReturnType<typeof textScript>) {
    fakes().anthropic.enqueue(script)
    const response = await account.call('POST', `/api/v1/projects/${account.project.id}/messages`, { content: 'change it', provider: 'anthropic' }, 'text/event-stream')
    return (await readSse(response)).find((e) => e.event === 'changes')!.data.changes
  }

  const paths = async (account: Awaited<ReturnType<typeof apiAccount>>) =>
    (await account.json('GET', `/api/v1/projects/${account.project.id}/files`)).body.files.map((f: any) => f.path) as string[]
  const config = async (account: Awaited<ReturnType<typeof apiAccount>>) =>
    JSON.parse((await account.json('GET', `/api/v1/projects/${account.project.id}/files/xbasis.config.json`)).body.content)

  test('remove a module and update another one; the rest is kept', async ({ assert }) => {
    const account = await apiAccount()
    const made = await turn(account, textScript('<xb-module id="landing-page">{"headline": "Old words"}</xb-module><xb-module id="pricing-page"></xb-module><xb-module id="waitlist"></xb-module>'))
    assert.exists(made.version, JSON.stringify(made))
    assert.include(await paths(account), 'routes/pricing_page.js')

    const changed = await turn(account, textScript('<xb-remove-module id="pricing-page" />\n<xb-update-module id="landing-page">{"headline": "New words"}</xb-update-module>'))
    assert.exists(changed.version, JSON.stringify(changed))
    assert.deepEqual(changed.problems, [])
    const files = await paths(account)
    assert.notInclude(files, 'routes/pricing_page.js')
    assert.includeMembers(files, ['routes/landing_page.js', 'routes/waitlist.js'])
    const modules = (await config(account)).modules
    assert.notProperty(modules, 'pricing-page')
    assert.equal(modules['landing-page'].params.headline, 'New words')
    assert.equal(modules['landing-page'].params.cta_label, 'Learn more', 'parameters not named keep their values')
    assert.property(modules, 'waitlist')
  }).timeout(60_000)

  test('native tool calls remove and update modules too', async ({ assert }) => {
    const account = await apiAccount()
    await turn(account, textScript('<xb-module id="landing-page"></xb-module><xb-module id="blog"></xb-module>'))
    const changed = await turn(account, toolCallScript('', [
      { name: 'xb_remove_module', input: { id: 'blog' } },
      { name: 'xb_update_module', input: { id: 'app-base', params: { title: 'Renamed' } } },
    ]))
    assert.exists(changed.version, JSON.stringify(changed))
    const modules = (await config(account)).modules
    assert.notProperty(modules, 'blog')
    assert.equal(modules['app-base'].params.title, 'Renamed')
    assert.notInclude(await paths(account), 'routes/blog.js')
  }).timeout(60_000)

  test('removing or updating a module the app does not have, or removing app-base, applies nothing', async ({ assert }) => {
    const account = await apiAccount()
    const first = await turn(account, textScript('<xb-module id="landing-page"></xb-module>'))
    const cases: [string, RegExp][] = [
      ['<xb-remove-module id="pricing-page" />', /"pricing-page" is not in the app, so it cannot be removed/],
      ['<xb-update-module id="blog">{"heading": "News"}</xb-update-module>', /"blog" is not in the app, so its parameters cannot be updated/],
      ['<xb-remove-module id="app-base" />', /"app-base"; it cannot be removed/],
      ['<xb-update-module id="landing-page">{"headline": ""}</xb-update-module>', /landing-page\.headline/],
      ['<xb-remove-module id="teleporter" />', /"teleporter" is not in the app/],
    ]
    for (const [answer, expected] of cases) {
      const changes = await turn(account, textScript(`<xb-module id="waitlist"></xb-module>${answer}`))
      assert.isNull(changes.version, answer)
      assert.match(changes.problems.join('\n'), expected, answer)
      assert.match(changes.problems.join('\n'), /None of the changes/, answer)
    }
    const versions = (await account.json('GET', `/api/v1/projects/${account.project.id}/versions`)).body.versions
    assert.deepEqual(versions.map((v: any) => v.version), [first.version])
    assert.notInclude(await paths(account), 'routes/waitlist.js')
  }).timeout(60_000)
})
