import { test } from '@japa/runner'
import { restartApp, startModule, startModules, stopCleanly } from './harness.js'

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

test.group('Module events', () => {
  test('composed with its defaults: two sample events in the coming weeks', async ({ assert, cleanup }) => {
    const { app } = await startModule('events', assert, cleanup)
    const body = await (await app.request('/events')).text()
    assert.include(body, '<h1>Upcoming events</h1>')
    assert.include(body, '<a href="/events/open-day">Open day</a>')
    assert.include(body, '<span class="badge">12 seats left</span>')
    assert.equal((await app.request('/events/open-day')).status, 200)
    assert.equal((await app.request('/events/nope')).status, 404)
    await stopCleanly(app, assert)
  })

  test('RSVP takes seats, refuses when full, twice, or for a past event; kept across a restart', async ({ assert, cleanup }) => {
    const events = [
      { slug: 'concert', title: 'Jazz <night>', date: inDays(10), time: '20:00', place: 'Hall', seats: 5 },
      { slug: 'old', title: 'Last year', date: '2020-05-01', seats: 10 },
    ]
    let app = await startModules([{ id: 'events', params: { events, max_per_rsvp: 3 } }], cleanup, { install: false })
    const rsvp = (email: string, seats: number, slug = 'concert') => app.request(`/api/events/${slug}/rsvp`, { method: 'POST', json: { name: 'Guest', email, seats } })
    const first = await rsvp('a@example.com', 3)
    assert.equal(first.status, 201)
    assert.deepEqual(await first.json(), { event: 'concert', seats: 3, seats_left: 2 })
    assert.equal((await rsvp('A@example.com', 1)).status, 409) // the same e-mail again
    const tooMany = await rsvp('b@example.com', 3)
    assert.equal(tooMany.status, 409)
    assert.equal(((await tooMany.json()) as { error: string }).error, 'Only 2 seats are left.')
    assert.equal((await rsvp('b@example.com', 4)).status, 422) // over max_per_rsvp
    assert.equal((await rsvp('c@example.com', 1, 'old')).status, 422)
    // The last two seats asked for by four people at once: two get one each.
    const answers = await Promise.all(['d', 'e', 'f', 'g'].map((who) => rsvp(`${who}@example.com`, 1)))
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 409, 409])

    const page = await (await app.request('/events')).text()
    assert.include(page, 'Jazz &lt;night&gt;')
    assert.include(page, '<span class="badge full">Full</span>')
    assert.include(page, '<h2>Past events</h2>')
    const full = await app.request('/events/concert/rsvp', { method: 'POST', form: { name: 'Late', email: 'late@example.com', seats: '1' } })
    assert.equal(full.status, 409)
    assert.include(await full.text(), 'This event is full.')

    assert.equal((await app.request('/events/attendees')).status, 401)
    app = await restartApp(app, assert, cleanup)
    const attendees = (await (await app.request('/events/attendees', { admin: true, headers: { accept: 'application/json' } })).json()) as { seats: number }[]
    assert.equal(attendees.reduce((sum, r) => sum + r.seats, 0), 5)
    const listed = (await (await app.request('/api/events')).json()) as { slug: string; seats_left: number; over: boolean }[]
    // Sorted by date: the past event first.
    assert.deepEqual(listed.map((e) => [e.slug, e.seats_left, e.over]), [['old', 10, true], ['concert', 0, false]])
    await stopCleanly(app, assert)
  })

  test('a Russian app: Russian words and plural forms of seats', async ({ assert, cleanup }) => {
    const events = [{ slug: 'vecher', title: 'Поэтический вечер', date: inDays(5), seats: 3 }]
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'events', params: { events } }], cleanup, { install: false })
    assert.equal((await app.request('/events/vecher/rsvp', { method: 'POST', form: { name: 'Иван', email: 'ivan@example.com', seats: '1' } })).status, 303)
    const body = await (await app.request('/events/vecher?rsvp=ok')).text()
    assert.include(body, 'Вы в списке. До встречи!')
    assert.include(body, 'осталось 2 места')
    assert.include(await (await app.request('/events')).text(), '<h1>Ближайшие события</h1>')
    await stopCleanly(app, assert)
  })
})
