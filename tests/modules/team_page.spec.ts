import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'

test.group('Module team-page', () => {
  test('composed with its defaults: sample people with their initials', async ({ assert, cleanup }) => {
    const { app } = await startModule('team-page', assert, cleanup)
    const body = await (await app.request('/team')).text()
    assert.include(body, '<h1>Our team</h1>')
    assert.include(body, '<span class="avatar" aria-hidden="true">AM</span>')
    await stopCleanly(app, assert)
  })

  test('members come from parameters, escaped; a photo URL must be a safe link', async ({ assert, cleanup }) => {
    const members = [
      { name: 'Анна <i>Петрова</i>', role: 'Врач', photo: 'https://images.example/anna.jpg' },
      { name: 'Олег Смирнов', bio: 'Терапевт "с опытом"' },
    ]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'team-page', params: { members } }], cleanup, { install: false })
    const body = await (await app.request('/team')).text()
    assert.include(body, '<h2>Анна &lt;i&gt;Петрова&lt;/i&gt;</h2>')
    assert.include(body, '<img class="avatar" src="https://images.example/anna.jpg" alt="">')
    assert.include(body, '>ОС</span>')
    assert.include(body, 'Терапевт &quot;с опытом&quot;')
    assert.include(body, '<h1>Наша команда</h1>')
    await stopCleanly(app, assert)
    await assert.rejects(() => startModules([{ id: 'team-page', params: { members: [{ name: 'X', photo: 'javascript:alert(1)' }] } }], cleanup, { install: false }), /photo must be an http\(s\) URL/)
  })
})
