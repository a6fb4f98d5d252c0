import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { WebClient } from '#tests/helpers/web_client'
import Deployment from '#models/deployment'
import { appName } from '#lib/app_urls'

const platform = new WebClient().baseUrl

test.group('Apps proxy: the page of an app that is not running or starting', (group) => {
  group.each.setup(() => truncateAll())

  test('not running: a styled 503 page; starting (a deployment on its way): a page that reloads itself', async ({ assert }) => {
    const account = await apiAccount('Visitor')
    const app = `${account.project.slug}-${account.project.id}`

    const idle = await fetch(`${platform}/apps/${app}/`)
    assert.equal(idle.status, 503)
    assert.equal(idle.headers.get('retry-after'), '30')
    assert.include(idle.headers.get('content-security-policy')!, "default-src 'none'")
    const idlePage = await idle.text()
    assert.include(idlePage, '<h1>This app is not running</h1>')
    assert.include(idlePage, '<style>')
    assert.include(idlePage, 'name="viewport"')
    assert.notInclude(idlePage, 'http-equiv="refresh"')

    // Queued (the job is not run here): the app is on its way.
    await Deployment.create({ projectId: account.project.id, environment: 'production', status: 'queued', target: 'process', version: 'a'.repeat(40) })
    const starting = await fetch(`${platform}/apps/${app}/contact`)
    assert.equal(starting.status, 503)
    assert.equal(starting.headers.get('retry-after'), '3')
    const startingPage = await starting.text()
    assert.include(startingPage, 'This app is starting')
    assert.include(startingPage, '<meta http-equiv="refresh" content="3">')

    // The preview of the same project is another app: nothing is on its way there.
    const preview = appName({ slug: account.project.slug, id: account.project.id }, 'preview')
    assert.include(await (await fetch(`${platform}/apps/${preview}/`)).text(), 'This app is not running')
  })
})
