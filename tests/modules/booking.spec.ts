import { test } from '@japa/runner'
import { restartApp, startModule, startModules, stopCleanly } from './harness.js'

/** "YYYY-MM-DD" of the next given weekday (0 = Sunday) at least two days from now (UTC, like the app). */
function next(weekday: number, weeksLater = 0) {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + 2)
  while (date.getUTCDay() !== weekday) date.setUTCDate(date.getUTCDate() + 1)
  date.setUTCDate(date.getUTCDate() + 7 * weeksLater)
  return date.toISOString().slice(0, 10)
}

const PARAMS = {
  services: [{ name: 'Haircut', minutes: 60, price: '$30' }, { name: 'Beard trim', minutes: 30 }],
  opening_hours: [{ day: 'mon', open: '10:00', close: '14:00' }],
  slot_minutes: 30,
}

test.group('Module booking', () => {
  test('composed with its defaults: the booking page, free times and the owner list', async ({ assert, cleanup }) => {
    const { app } = await startModule('booking', assert, cleanup)
    const page = await (await app.request('/booking')).text()
    assert.include(page, '<h1>Book an appointment</h1>')
    assert.include(page, '<th scope="row">Monday</th><td>09:00–18:00</td>')
    assert.include(page, '<th scope="row">Sunday</th><td>closed</td>')
    const slots = (await (await app.request('/api/booking/slots')).json()) as { slots: string[] }
    assert.isAbove(slots.slots.length, 0)
    await stopCleanly(app, assert)
  })

  test('books free times; refuses double bookings and times outside the opening hours; data survives a restart', async ({ assert, cleanup }) => {
    let app = await startModules([{ id: 'booking', params: PARAMS }], cleanup, { install: false })
    const monday = next(1)
    const slots = async (service: string, date = monday) =>
      ((await (await app.request(`/api/booking/slots?date=${date}&service=${encodeURIComponent(service)}`)).json()) as { slots: string[] }).slots
    assert.deepEqual(await slots('Haircut'), ['10:00', '10:30', '11:00', '11:30', '12:00', '12:30', '13:00'])

    const person = { name: 'Ada', email: 'ada@example.com' }
    const book = (service: string, time: string, date = monday) => app.request('/api/booking', { method: 'POST', json: { service, date, time, ...person } })
    const first = await book('Haircut', '10:00')
    assert.equal(first.status, 201)
    assert.deepInclude(await first.json(), { service: 'Haircut', date: monday, time: '10:00', minutes: 60 })
    // 10:30 overlaps the hour from 10:00: taken.
    const taken = await book('Haircut', '10:30')
    assert.equal(taken.status, 409)
    assert.equal(((await taken.json()) as { error: string }).error, 'This time has just been booked. Please choose another one.')
    assert.equal((await book('Beard trim', '11:00')).status, 201)
    assert.deepEqual(await slots('Haircut'), ['11:30', '12:00', '12:30', '13:00'])

    // Outside the hours, off the grid, a closed day, the past, too far ahead: 422 with the reason.
    for (const [service, time, date, reason] of [
      ['Haircut', '13:30', monday, 'outside the opening hours'],
      ['Haircut', '14:00', monday, 'outside the opening hours'],
      ['Beard trim', '10:15', monday, 'outside the opening hours'],
      ['Beard trim', '10:00', next(2), 'outside the opening hours'],
      ['Beard trim', '10:00', '2020-01-06', 'in the past'],
      ['Beard trim', '10:00', next(1, 8), 'up to 30 days ahead'],
      ['Massage', '10:00', monday, 'choose a service'],
    ]) {
      const refused = await book(service, time, date)
      assert.equal(refused.status, 422, `${service} ${date} ${time}`)
      assert.include(((await refused.json()) as { error: string }).error, reason)
    }

    // Five people asking for the same time at once: exactly one gets it.
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => book('Beard trim', '12:00')))
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409, 409])

    // The form: a booking, its confirmation, and a taken time shown again with the error.
    const posted = await app.request('/booking', { method: 'POST', form: { service: 'Beard trim', date: monday, time: '13:30', name: 'Grace <b>', email: 'grace@example.com' } })
    assert.equal(posted.status, 303)
    const confirmation = await (await app.request(posted.headers.get('location')!)).text()
    assert.include(confirmation, 'Your appointment is booked: Beard trim,')
    assert.include(confirmation, 'at 13:30.')
    const again = await app.request('/booking', { method: 'POST', form: { service: 'Beard trim', date: monday, time: '13:30', name: 'Eve', email: 'eve@example.com' } })
    assert.equal(again.status, 409)
    assert.include(await again.text(), 'This time has just been booked.')

    // The owner sees them (escaped) and can cancel one, which frees its time.
    assert.equal((await app.request('/booking/appointments')).status, 401)
    const list = await (await app.request('/booking/appointments', { admin: true })).text()
    assert.include(list, 'Grace &lt;b&gt; &lt;grace@example.com&gt;')
    const appointments = (await (await app.request('/booking/appointments', { admin: true, headers: { accept: 'application/json' } })).json()) as { id: string; time: string; service: string }[]
    const haircut = appointments.find((a) => a.service === 'Haircut')!
    assert.equal((await app.request(`/booking/appointments/${haircut.id}/cancel`, { admin: true, method: 'POST' })).status, 303)
    assert.deepEqual((await slots('Haircut')).slice(0, 1), ['10:00'])

    app = await restartApp(app, assert, cleanup)
    const kept = (await (await app.request('/booking/appointments', { admin: true, headers: { accept: 'application/json' } })).json()) as { status: string }[]
    assert.lengthOf(kept, 4)
    assert.equal(kept.filter((a) => a.status === 'cancelled').length, 1)
    assert.equal((await book('Beard trim', '11:00')).status, 409)
    await stopCleanly(app, assert)
  })

  test('a Russian app books in Russian', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'app-base', params: { lang: 'ru' } }, { id: 'booking', params: { ...PARAMS, services: [{ name: 'Стрижка', minutes: 60 }] } }], cleanup, { install: false })
    const page = await (await app.request(`/booking?date=${next(1)}`)).text()
    assert.include(page, '<h1>Онлайн-запись</h1>')
    assert.include(page, '<th scope="row">понедельник</th><td>10:00–14:00</td>')
    assert.include(page, 'Свободное время на')
    const refused = await app.request('/booking', { method: 'POST', form: { service: 'Стрижка', date: next(2), time: '10:00', name: 'Иван', email: 'ivan@example.com' } })
    assert.equal(refused.status, 422)
    assert.include(await refused.text(), 'Это время вне часов работы.')
    await stopCleanly(app, assert)
  })
})
