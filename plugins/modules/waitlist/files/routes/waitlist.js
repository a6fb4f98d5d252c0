// Waitlist / newsletter sign-up: e-mails are stored once each (case-insensitive) in the "waitlist"
// collection. GET /waitlist/entries lists them for the owner (admin password), also as CSV.
import { HttpError, field, isEmail, readBody, redirect, send, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'
import { translator } from '../lib/i18n.js'
const t = translator({
  ru: {
    "Join": "Записаться",
    "Join the waitlist": "Запишитесь в лист ожидания",
    "Be the first to know when we launch.": "Узнайте первыми о запуске.",
    "You are on the list. Thank you!": "Вы в списке. Спасибо!",
    "You were already on the list.": "Вы уже были в списке.",
    "E-mail": "Эл. почта",
    "Please enter a valid e-mail address.": "Пожалуйста, введите правильный адрес эл. почты.",
    "Waitlist": "Лист ожидания",
    "Download as CSV": "Скачать CSV",
    "Joined": "Дата",
  },
})

const COLLECTION = 'waitlist'

/** Adds the e-mail unless it is there already; says which happened. */
async function join(email) {
  const entries = await store.collection(COLLECTION)
  const normalized = email.toLowerCase()
  // No await between the check and the insert: two identical sign-ups cannot both get in.
  if (entries.find((entry) => entry.email === normalized)) return 'already'
  await entries.insert({ email: normalized })
  return 'joined'
}

function csvCell(value) {
  // A leading =, +, - or @ would be run as a formula by spreadsheet programs.
  const text = String(value ?? '').replace(/^([=+\-@])/, "'$1")
  return `"${text.replace(/"/g, '""')}"`
}

export function register(router, ctx) {
  const params = ctx.params('waitlist')
  ctx.addNavLink('/waitlist', params.nav_label || t('Join'), 30)
  const heading = params.heading || t('Join the waitlist')
  const intro = params.intro || t('Be the first to know when we launch.')

  function form({ status, error, email = '' } = {}) {
    return page({
      title: heading,
      body: html`<section class="card">
<h1>${heading}</h1>
<p>${intro}</p>
${status === 'joined' ? html`<p class="notice" role="status">${params.success_message || t('You are on the list. Thank you!')}</p>` : ''}
${status === 'already' ? html`<p class="notice" role="status">${params.already_message || t('You were already on the list.')}</p>` : ''}
${error ? html`<p class="errors" role="alert">${error}</p>` : ''}
<form class="stack" method="post" action="/waitlist">
<label>${t('E-mail')} <input name="email" type="email" maxlength="254" required value="${email}"></label>
<button type="submit">${params.button_label || t('Join')}</button>
</form>
</section>`,
    })
  }

  router.get('/waitlist', (req, res) => {
    const status = req.query.get('status')
    sendHtml(res, form({ status: ['joined', 'already'].includes(status) ? status : undefined }))
  })

  async function signUp(req, res) {
    const body = await readBody(req, { limit: 10_000 })
    const email = field(body, 'email', 300)
    if (!isEmail(email)) {
      if (wantsJson(req)) throw new HttpError(422, 'Please enter a valid e-mail address.')
      return sendHtml(res, form({ error: t('Please enter a valid e-mail address.'), email }), 422)
    }
    const status = await join(email)
    if (wantsJson(req)) return sendJson(res, { status }, status === 'joined' ? 201 : 200)
    redirect(res, `/waitlist?status=${status}`)
  }
  router.post('/waitlist', signUp)
  router.post('/api/waitlist', signUp)

  router.get('/waitlist/entries', async (req, res) => {
    requireAdmin(req)
    const entries = (await store.collection(COLLECTION)).all()
    if (req.query.get('format') === 'csv') {
      const lines = ['email,joined_at', ...entries.map((e) => `${csvCell(e.email)},${csvCell(e.created_at)}`)]
      return send(res, 200, lines.join('\n') + '\n', 'text/csv; charset=utf-8', { 'content-disposition': 'attachment; filename="waitlist.csv"' })
    }
    if (wantsJson(req)) return sendJson(res, entries)
    sendHtml(res, page({
      title: t('Waitlist'),
      body: html`<h1>${t('Waitlist')} (${entries.length})</h1>
<p><a href="/waitlist/entries?format=csv">${t('Download as CSV')}</a></p>
<div class="table-wrap"><table><thead><tr><th>${t('E-mail')}</th><th>${t('Joined')}</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${e.email}</td><td>${e.created_at}</td></tr>`)}</tbody></table></div>`,
    }))
  })
}
