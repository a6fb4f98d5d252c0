// Appointments: visitors pick a service, a day and a free time; the app refuses times outside the
// opening hours, in the past, too far ahead, or already taken (more overlapping appointments than
// `capacity`). Times are the business's local time: the clock of the app's process (set TZ).
// Appointments live in the "booking_appointments" collection; the owner sees them at
// /booking/appointments (admin password) and can cancel one.
import { HttpError, field, isEmail, readBody, redirect, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { formatDate, lang, locale, t as common, translator } from '../lib/i18n.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const COLLECTION = 'booking_appointments'
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/

const t = translator({
  ru: {
    'Book an appointment': 'Онлайн-запись',
    'Book': 'Запись',
    'Service': 'Услуга',
    'Day': 'День',
    'Show free times': 'Показать свободное время',
    'Free times on {date}': 'Свободное время на {date}',
    'No free times on this day. Please choose another day.': 'На этот день свободного времени нет. Выберите другой день.',
    'Phone (optional)': 'Телефон (необязательно)',
    'Note (optional)': 'Комментарий (необязательно)',
    'Confirm the appointment': 'Записаться',
    'Your appointment is booked: {service}, {date} at {time}.': 'Вы записаны: {service}, {date} в {time}.',
    'Opening hours': 'Часы работы',
    'closed': 'выходной',
    'Please choose a service.': 'Пожалуйста, выберите услугу.',
    'Please choose a day (YYYY-MM-DD).': 'Пожалуйста, выберите день (ГГГГ-ММ-ДД).',
    'Please choose a time.': 'Пожалуйста, выберите время.',
    'This day is in the past.': 'Этот день уже прошёл.',
    'Appointments can be booked up to {days} days ahead.': 'Записаться можно не более чем на {days} дн. вперёд.',
    'This time is outside the opening hours.': 'Это время вне часов работы.',
    'This time has passed.': 'Это время уже прошло.',
    'This time has just been booked. Please choose another one.': 'Это время уже занято. Пожалуйста, выберите другое.',
    'Appointments': 'Записи',
    'When': 'Когда',
    'Who': 'Кто',
    'Cancel': 'Отменить',
    'cancelled': 'отменена',
    'No appointments yet.': 'Записей пока нет.',
    'Appointment': 'Приём',
    'min': 'мин',
    'Time': 'Время',
  },
})

const SAMPLE_SERVICES = { en: [{ name: 'Appointment', minutes: 30, price: '' }], ru: [{ name: 'Приём', minutes: 30, price: '' }] }

const toMinutes = (time) => {
  const [h, m] = time.split(':').map(Number)
  return h * 60 + m
}
const toTime = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** "YYYY-MM-DD" of a local date. */
function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`
}

function parseDay(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value ?? ''))
  if (!match) return null
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  return isoDay(date) === match[0] ? date : null
}

export function register(router, ctx) {
  const params = ctx.params('booking')
  const heading = params.heading || t('Book an appointment')
  const services = Array.isArray(params.services) && params.services.length ? params.services : SAMPLE_SERVICES[lang]
  const hours = (Array.isArray(params.opening_hours) ? params.opening_hours : []).filter((h) => DAYS.includes(h.day) && TIME.test(h.open) && TIME.test(h.close) && h.open < h.close)
  const step = Math.max(5, Number(params.slot_minutes) || 30)
  const daysAhead = Math.max(1, Number(params.days_ahead) || 30)
  const capacity = Math.max(1, Number(params.capacity) || 1)
  ctx.addNavLink('/booking', params.nav_label || t('Book'), 32)

  const appointments = () => store.collection(COLLECTION)
  const findService = (name) => services.find((s) => s.name === name)
  const minutesOf = (service) => Math.max(5, Number(service.minutes) || 30)

  /** The start times on the grid of `step` inside the opening hours of the day, where the service fits. */
  function grid(date, service) {
    const length = minutesOf(service)
    const starts = []
    for (const range of hours.filter((h) => h.day === DAYS[date.getDay()])) {
      for (let start = toMinutes(range.open); start + length <= toMinutes(range.close); start += step) starts.push(start)
    }
    return [...new Set(starts)].sort((a, b) => a - b)
  }

  function overlapping(all, day, start, length) {
    return all.filter((a) => a.date === day && a.status !== 'cancelled' && a.start < start + length && start < a.start + a.minutes).length
  }

  /** Problems with a day, or null. */
  function dayProblem(date) {
    const today = new Date()
    today.setHours(0, 0, 0, 0)
    if (date < today) return t('This day is in the past.')
    const last = new Date(today)
    last.setDate(last.getDate() + daysAhead)
    if (date > last) return t('Appointments can be booked up to {days} days ahead.', { days: daysAhead })
    return null
  }

  function freeTimes(collection, date, service) {
    if (dayProblem(date)) return []
    const now = new Date()
    const nowMinutes = isoDay(now) === isoDay(date) ? now.getHours() * 60 + now.getMinutes() : -1
    const all = collection.all()
    return grid(date, service).filter((start) => start > nowMinutes && overlapping(all, isoDay(date), start, minutesOf(service)) < capacity).map(toTime)
  }

  /** The first day from today on with a free time for the service (or today). */
  function firstOpenDay(collection, service) {
    const date = new Date()
    date.setHours(0, 0, 0, 0)
    for (let i = 0; i <= daysAhead; i++) {
      if (freeTimes(collection, date, service).length) return date
      date.setDate(date.getDate() + 1)
    }
    const today = new Date()
    today.setHours(0, 0, 0, 0)
    return today
  }

  function hoursTable() {
    const order = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
    const weekday = new Intl.DateTimeFormat(locale, { weekday: 'long' })
    // 2024-01-01 was a Monday.
    return html`<table><tbody>${order.map((day, i) => {
      const ranges = hours.filter((h) => h.day === day)
      return html`<tr><th scope="row">${weekday.format(new Date(2024, 0, 1 + i))}</th><td>${ranges.length ? ranges.map((r) => `${r.open}–${r.close}`).join(', ') : t('closed')}</td></tr>`
    })}</tbody></table>`
  }

  async function bookingPage({ query = new URLSearchParams(), values = {}, errors = [], booked, status = 200, res }) {
    const collection = await appointments()
    const service = findService(values.service ?? query.get('service') ?? '') ?? services[0]
    const date = parseDay(values.date ?? query.get('date')) ?? firstOpenDay(collection, service)
    const day = isoDay(date)
    const times = freeTimes(collection, date, service)
    const max = new Date()
    max.setDate(max.getDate() + daysAhead)
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
${booked ? html`<p class="notice" role="status">${params.success_message || t('Your appointment is booked: {service}, {date} at {time}.', { service: booked.service, date: formatDate(booked.date), time: booked.time })}</p>` : ''}
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<div class="grid two">
<section class="card">
<form class="stack" method="get" action="/booking">
<label>${t('Service')} <select name="service">${services.map((s) => html`<option value="${s.name}"${s.name === service.name ? html` selected` : ''}>${s.name} · ${minutesOf(s)} ${t('min')}${s.price ? ` · ${s.price}` : ''}</option>`)}</select></label>
<label>${t('Day')} <input type="date" name="date" value="${day}" min="${isoDay(new Date())}" max="${isoDay(max)}" required></label>
<button type="submit" class="secondary">${t('Show free times')}</button>
</form>
<form class="stack" method="post" action="/booking">
<input type="hidden" name="service" value="${service.name}"><input type="hidden" name="date" value="${day}">
<h2>${t('Free times on {date}', { date: formatDate(day) })}</h2>
${times.length ? html`<fieldset><legend>${t('Time')}</legend><div class="slots">${times.map((time, i) => html`<label class="check"><input type="radio" name="time" value="${time}"${(values.time ? values.time === time : i === 0) ? html` checked` : ''}> ${time}</label>`)}</div></fieldset>
<label>${common('Name')} <input name="name" maxlength="200" required value="${values.name ?? ''}"></label>
<label>${common('E-mail')} <input name="email" type="email" maxlength="254" required value="${values.email ?? ''}"></label>
<label>${t('Phone (optional)')} <input name="phone" type="tel" maxlength="40" value="${values.phone ?? ''}"></label>
<label>${t('Note (optional)')} <textarea name="note" maxlength="1000">${values.note ?? ''}</textarea></label>
<button type="submit">${t('Confirm the appointment')}</button>` : html`<p class="muted">${t('No free times on this day. Please choose another day.')}</p>`}
</form>
</section>
<section class="card"><h2>${t('Opening hours')}</h2>${hoursTable()}</section>
</div>`,
    }), status)
  }

  /** Checks a request and books it; throws 422 (invalid, out of hours) or 409 (taken). */
  async function book(body) {
    const values = {
      service: field(body, 'service', 100), date: field(body, 'date', 10), time: field(body, 'time', 5),
      name: field(body, 'name', 200), email: field(body, 'email', 254).toLowerCase(), phone: field(body, 'phone', 40), note: field(body, 'note', 1000),
    }
    const errors = []
    const service = findService(values.service)
    if (!service) errors.push(t('Please choose a service.'))
    const date = parseDay(values.date)
    if (!date) errors.push(t('Please choose a day (YYYY-MM-DD).'))
    if (!TIME.test(values.time)) errors.push(t('Please choose a time.'))
    if (!values.name) errors.push(common('Please tell us your name.'))
    if (!isEmail(values.email)) errors.push(common('Please enter a valid e-mail address.'))
    if (!errors.length) {
      const problem = dayProblem(date)
      if (problem) errors.push(problem)
      else if (!grid(date, service).includes(toMinutes(values.time))) errors.push(t('This time is outside the opening hours.'))
      else if (isoDay(date) === isoDay(new Date()) && toMinutes(values.time) <= new Date().getHours() * 60 + new Date().getMinutes()) errors.push(t('This time has passed.'))
    }
    if (errors.length) throw Object.assign(new HttpError(422, errors.join(' '), { details: errors }), { values })
    const collection = await appointments()
    const start = toMinutes(values.time)
    // No await between this check and the insert: two requests for the last place cannot both get it.
    if (overlapping(collection.all(), values.date, start, minutesOf(service)) >= capacity) {
      throw Object.assign(new HttpError(409, t('This time has just been booked. Please choose another one.')), { values })
    }
    return collection.insert({ ...values, service: service.name, start, minutes: minutesOf(service), status: 'booked' })
  }

  router.get('/booking', async (req, res) => {
    const id = req.query.get('booked')
    const booked = id ? (await appointments()).get(id) : undefined
    await bookingPage({ query: req.query, booked: booked && booked.status === 'booked' ? booked : undefined, res })
  })

  router.post('/booking', async (req, res) => {
    const body = await readBody(req, { limit: 20_000 })
    try {
      const appointment = await book(body)
      if (wantsJson(req)) return sendJson(res, publicView(appointment), 201)
      redirect(res, `/booking?booked=${encodeURIComponent(appointment.id)}`)
    } catch (error) {
      if (!(error instanceof HttpError) || wantsJson(req) || !error.values) throw error
      await bookingPage({ values: error.values, errors: error.details ?? [error.message], status: error.status, res })
    }
  })

  function publicView(a) {
    return { id: a.id, service: a.service, date: a.date, time: a.time, minutes: a.minutes }
  }

  router.get('/api/booking/slots', async (req, res) => {
    const collection = await appointments()
    const service = req.query.get('service') ? findService(req.query.get('service')) : services[0]
    if (!service) throw new HttpError(422, 'Unknown service.')
    const date = req.query.get('date') ? parseDay(req.query.get('date')) : firstOpenDay(collection, service)
    if (!date) throw new HttpError(422, 'date must be YYYY-MM-DD.')
    sendJson(res, { service: service.name, date: isoDay(date), slots: freeTimes(collection, date, service) })
  })

  router.post('/api/booking', async (req, res) => {
    sendJson(res, publicView(await book(await readBody(req, { limit: 20_000 }))), 201)
  })

  router.get('/booking/appointments', async (req, res) => {
    requireAdmin(req)
    const list = (await appointments()).all().sort((a, b) => (a.date + toTime(a.start)).localeCompare(b.date + toTime(b.start)))
    if (wantsJson(req)) return sendJson(res, list)
    sendHtml(res, page({
      title: t('Appointments'),
      body: html`<h1>${t('Appointments')} (${list.filter((a) => a.status === 'booked').length})</h1>
${list.length === 0 ? html`<p class="muted">${t('No appointments yet.')}</p>` : html`<div class="table-wrap"><table>
<thead><tr><th>${t('When')}</th><th>${t('Service')}</th><th>${t('Who')}</th><th></th></tr></thead>
<tbody>${list.map((a) => html`<tr><td>${formatDate(a.date, { dateStyle: 'medium' })} ${a.time}</td><td>${a.service}</td>
<td>${a.name} &lt;${a.email}&gt;${a.phone ? html`<br>${a.phone}` : ''}${a.note ? html`<br><span class="muted">${a.note}</span>` : ''}</td>
<td>${a.status === 'cancelled' ? html`<span class="badge full">${t('cancelled')}</span>` : html`<form class="inline" method="post" action="/booking/appointments/${encodeURIComponent(a.id)}/cancel"><button class="link" type="submit">${t('Cancel')}</button></form>`}</td></tr>`)}</tbody>
</table></div>`}`,
    }))
  })

  router.post('/booking/appointments/:id/cancel', async (req, res) => {
    requireAdmin(req)
    const collection = await appointments()
    if (!collection.get(req.params.id)) throw new HttpError(404, 'No appointment with this id.')
    await collection.update(req.params.id, { status: 'cancelled' })
    if (wantsJson(req)) return sendJson(res, { status: 'cancelled' })
    redirect(res, '/booking/appointments')
  })
}
