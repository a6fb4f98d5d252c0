// Events with RSVP: /events lists the upcoming ones (and past ones below), /events/<slug> shows one
// with the seats left and a form to reserve 1..max_per_rsvp seats. A reservation that does not fit
// in the seats left is refused (409), as is a second one with the same e-mail for the same event.
// Reservations live in "event_rsvps"; the owner sees them at /events/attendees (admin password).
import { HttpError, field, isEmail, readBody, redirect, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { formatDate, lang, plural, t as common, translator } from '../lib/i18n.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const COLLECTION = 'event_rsvps'

const t = translator({
  ru: {
    'Upcoming events': 'Ближайшие события',
    'Events': 'События',
    'Past events': 'Прошедшие события',
    'No upcoming events yet.': 'Ближайших событий пока нет.',
    'Details and RSVP': 'Подробнее и регистрация',
    'Full': 'Мест нет',
    'Reserve your seat': 'Зарегистрироваться',
    'Seats': 'Мест',
    'Reserve': 'Записаться',
    'You are on the list. See you there!': 'Вы в списке. До встречи!',
    'This event is full.': 'Все места заняты.',
    'Only {n} seats are left.': 'Осталось мест: {n}.',
    'You have already reserved a seat with this e-mail.': 'Вы уже зарегистрированы с этим адресом.',
    'This event is over.': 'Это событие уже прошло.',
    'Please reserve between 1 and {max} seats.': 'Можно забронировать от 1 до {max} мест.',
    'No event at this address.': 'Такого события нет.',
    'Attendees': 'Участники',
    'Nobody yet.': 'Пока никого.',
    'All events': 'Все события',
    'Open day': 'День открытых дверей',
    'Come and meet us: a tour, questions and answers, coffee.': 'Приходите познакомиться: экскурсия, ответы на вопросы, кофе.',
    'Workshop': 'Мастер-класс',
    'A hands-on evening for beginners. Places are limited.': 'Практический вечер для начинающих. Количество мест ограничено.',
    'Our place': 'У нас',
  },
})

const SEAT_FORMS = {
  en: { one: '{n} seat left', other: '{n} seats left' },
  ru: { one: 'остался {n} место', few: 'осталось {n} места', many: 'осталось {n} мест', other: 'осталось {n} места' },
}

function inDays(days) {
  const date = new Date()
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

function samples() {
  return [
    { slug: 'open-day', title: t('Open day'), date: inDays(7), time: '11:00', place: t('Our place'), description: t('Come and meet us: a tour, questions and answers, coffee.'), seats: 40 },
    { slug: 'workshop', title: t('Workshop'), date: inDays(21), time: '18:30', place: t('Our place'), description: t('A hands-on evening for beginners. Places are limited.'), seats: 12 },
  ]
}

export function register(router, ctx) {
  const params = ctx.params('events')
  const heading = params.heading || t('Upcoming events')
  const events = (Array.isArray(params.events) && params.events.length ? params.events : samples()).slice().sort((a, b) => `${a.date} ${a.time ?? ''}`.localeCompare(`${b.date} ${b.time ?? ''}`))
  const maxPer = Math.max(1, Number(params.max_per_rsvp) || 5)
  ctx.addNavLink('/events', params.nav_label || t('Events'), 33)

  const rsvps = () => store.collection(COLLECTION)
  const today = () => new Date().toISOString().slice(0, 10)
  const isOver = (event) => event.date < today()
  const taken = (collection, event) => collection.filter((r) => r.event === event.slug).reduce((sum, r) => sum + r.seats, 0)
  const left = (collection, event) => Math.max(0, (Number(event.seats) || 0) - taken(collection, event))
  const findOr404 = (slug) => {
    const event = events.find((e) => e.slug === slug)
    if (!event) throw new HttpError(404, t('No event at this address.'))
    return event
  }
  const when = (event) => `${formatDate(event.date, { dateStyle: 'full' })}${event.time ? `, ${event.time}` : ''}`
  const seatsBadge = (n) => (n > 0 ? html`<span class="badge">${plural(n, SEAT_FORMS[lang])}</span>` : html`<span class="badge full">${t('Full')}</span>`)

  function card(collection, event) {
    return html`<article class="card"><p class="meta">${when(event)}${event.place ? ` · ${event.place}` : ''}</p>
<h2><a href="/events/${event.slug}">${event.title}</a></h2>
${event.description ? html`<p>${event.description}</p>` : ''}
<p class="actions">${isOver(event) ? '' : seatsBadge(left(collection, event))} <a href="/events/${event.slug}">${t('Details and RSVP')}</a></p></article>`
  }

  router.get('/events', async (req, res) => {
    const collection = await rsvps()
    const upcoming = events.filter((e) => !isOver(e))
    const past = events.filter(isOver).reverse()
    if (wantsJson(req)) return sendJson(res, events.map((e) => ({ ...e, seats_left: left(collection, e), over: isOver(e) })))
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
${upcoming.length ? html`<section class="grid two">${upcoming.map((e) => card(collection, e))}</section>` : html`<p class="muted">${t('No upcoming events yet.')}</p>`}
${past.length ? html`<h2>${t('Past events')}</h2><section class="grid two">${past.map((e) => card(collection, e))}</section>` : ''}`,
    }))
  })

  function eventPage(res, collection, event, { values = {}, errors = [], done = false, status = 200 } = {}) {
    const remaining = left(collection, event)
    sendHtml(res, page({
      title: event.title,
      body: html`<p><a href="/events">← ${t('All events')}</a></p>
<div class="grid two"><article class="card"><p class="meta">${when(event)}${event.place ? ` · ${event.place}` : ''}</p><h1>${event.title}</h1>
${event.description ? html`<p>${event.description}</p>` : ''}<p>${isOver(event) ? '' : seatsBadge(remaining)}</p></article>
<section class="card"><h2>${t('Reserve your seat')}</h2>
${done ? html`<p class="notice" role="status">${t('You are on the list. See you there!')}</p>` : ''}
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
${isOver(event) ? html`<p class="muted">${t('This event is over.')}</p>` : remaining === 0 ? html`<p class="muted">${t('This event is full.')}</p>` : html`<form class="stack" method="post" action="/events/${event.slug}/rsvp">
<label>${common('Name')} <input name="name" maxlength="200" required value="${values.name ?? ''}"></label>
<label>${common('E-mail')} <input name="email" type="email" maxlength="254" required value="${values.email ?? ''}"></label>
<label>${t('Seats')} <input name="seats" type="number" min="1" max="${Math.min(maxPer, remaining)}" value="${values.seats ?? 1}" required></label>
<button type="submit">${t('Reserve')}</button></form>`}
</section></div>`,
    }), status)
  }

  router.get('/events/:slug', async (req, res) => {
    const event = findOr404(req.params.slug)
    eventPage(res, await rsvps(), event, { done: req.query.get('rsvp') === 'ok' })
  })

  /** Checks and stores a reservation; throws 422 (invalid, over) or 409 (full, already there). */
  async function reserve(event, body) {
    const values = { name: field(body, 'name', 200), email: field(body, 'email', 254).toLowerCase(), seats: field(body, 'seats', 6) || '1' }
    const seats = Number(values.seats)
    const errors = []
    if (isOver(event)) errors.push(t('This event is over.'))
    if (!values.name) errors.push(common('Please tell us your name.'))
    if (!isEmail(values.email)) errors.push(common('Please enter a valid e-mail address.'))
    if (!Number.isInteger(seats) || seats < 1 || seats > maxPer) errors.push(t('Please reserve between 1 and {max} seats.', { max: maxPer }))
    if (errors.length) throw Object.assign(new HttpError(422, errors.join(' '), { details: errors }), { values })
    const collection = await rsvps()
    // Checked and inserted with no await in between: the last seats cannot be given twice.
    if (collection.find((r) => r.event === event.slug && r.email === values.email)) {
      throw Object.assign(new HttpError(409, t('You have already reserved a seat with this e-mail.')), { values })
    }
    const remaining = left(collection, event)
    if (remaining < seats) {
      throw Object.assign(new HttpError(409, remaining === 0 ? t('This event is full.') : t('Only {n} seats are left.', { n: remaining })), { values })
    }
    return collection.insert({ event: event.slug, name: values.name, email: values.email, seats })
  }

  router.post('/events/:slug/rsvp', async (req, res) => {
    const event = findOr404(req.params.slug)
    const body = await readBody(req, { limit: 10_000 })
    try {
      const rsvp = await reserve(event, body)
      if (wantsJson(req)) return sendJson(res, { event: event.slug, seats: rsvp.seats, seats_left: left(await rsvps(), event) }, 201)
      redirect(res, `/events/${event.slug}?rsvp=ok`)
    } catch (error) {
      if (!(error instanceof HttpError) || wantsJson(req) || !error.values) throw error
      eventPage(res, await rsvps(), event, { values: error.values, errors: error.details ?? [error.message], status: error.status })
    }
  })
  router.post('/api/events/:slug/rsvp', async (req, res) => {
    const event = findOr404(req.params.slug)
    const rsvp = await reserve(event, await readBody(req, { limit: 10_000 }))
    sendJson(res, { event: event.slug, seats: rsvp.seats, seats_left: left(await rsvps(), event) }, 201)
  })
  router.get('/api/events', async (req, res) => {
    const collection = await rsvps()
    sendJson(res, events.map((e) => ({ ...e, seats_left: left(collection, e), over: isOver(e) })))
  })

  router.get('/events/attendees', async (req, res) => {
    requireAdmin(req)
    const collection = await rsvps()
    if (wantsJson(req)) return sendJson(res, collection.all())
    sendHtml(res, page({
      title: t('Attendees'),
      body: html`<h1>${t('Attendees')}</h1>${events.map((event) => {
        const list = collection.filter((r) => r.event === event.slug)
        return html`<section class="card"><h2>${event.title}</h2><p class="meta">${when(event)} · ${taken(collection, event)} / ${event.seats}</p>
${list.length ? html`<div class="table-wrap"><table><tbody>${list.map((r) => html`<tr><td>${r.name}</td><td>${r.email}</td><td>${r.seats}</td></tr>`)}</tbody></table></div>` : html`<p class="muted">${t('Nobody yet.')}</p>`}</section>`
      })}`,
    }))
  })
}
