// A contact form: GET /contact shows it, POST /contact stores the message in the "contact_messages"
// collection, GET /contact/submissions lists them for the owner (admin password).
import { HttpError, field, isEmail, readBody, redirect, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'
import { translator } from '../lib/i18n.js'
const t = translator({
  ru: {
    "Contact": "Контакты",
    "Contact us": "Свяжитесь с нами",
    "Questions, ideas, feedback? Write to us and we will get back to you.": "Вопросы, идеи, отзывы? Напишите нам — мы ответим.",
    "Thank you! Your message was sent.": "Спасибо! Сообщение отправлено.",
    "Name": "Имя",
    "E-mail": "Эл. почта",
    "Message": "Сообщение",
    "Send": "Отправить",
    "Please tell us your name.": "Пожалуйста, укажите имя.",
    "Please enter a valid e-mail address.": "Пожалуйста, введите правильный адрес эл. почты.",
    "Please write a message.": "Пожалуйста, напишите сообщение.",
    "The message is longer than {max} characters.": "Сообщение длиннее {max} символов.",
    "Contact messages": "Сообщения с сайта",
    "No messages yet.": "Сообщений пока нет.",
  },
})

const COLLECTION = 'contact_messages'

export function register(router, ctx) {
  const params = ctx.params('contact-form')
  const maxMessage = Number(params.max_message_length) || 5000
  ctx.addNavLink('/contact', params.nav_label || t('Contact'), 40)
  const heading = params.heading || t('Contact us')
  const intro = params.intro || t('Questions, ideas, feedback? Write to us and we will get back to you.')

  function form({ values = {}, errors = [], sent = false } = {}) {
    return page({
      title: heading,
      body: html`<section class="card">
<h1>${heading}</h1>
<p>${intro}</p>
${sent ? html`<p class="notice" role="status">${params.success_message || t('Thank you! Your message was sent.')}</p>` : ''}
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="/contact">
<label>${t('Name')} <input name="name" maxlength="200" required value="${values.name ?? ''}"></label>
<label>${t('E-mail')} <input name="email" type="email" maxlength="254" required value="${values.email ?? ''}"></label>
<label>${t('Message')} <textarea name="message" maxlength="${maxMessage}" required>${values.message ?? ''}</textarea></label>
<label class="hidden-field" aria-hidden="true">Website <input name="website" tabindex="-1" autocomplete="off"></label>
<button type="submit">${params.button_label || t('Send')}</button>
</form>
</section>`,
    })
  }

  router.get('/contact', (req, res) => sendHtml(res, form({ sent: req.query.get('sent') === '1' })))

  router.post('/contact', async (req, res) => {
    const body = await readBody(req, { limit: maxMessage * 4 + 10_000 })
    const values = { name: field(body, 'name', 200), email: field(body, 'email', 254), message: field(body, 'message', maxMessage + 1) }
    const errors = []
    if (!values.name) errors.push(t('Please tell us your name.'))
    if (!isEmail(values.email)) errors.push(t('Please enter a valid e-mail address.'))
    if (!values.message) errors.push(t('Please write a message.'))
    if (values.message.length > maxMessage) errors.push(t('The message is longer than {max} characters.', { max: maxMessage }))
    if (errors.length) {
      if (wantsJson(req)) throw new HttpError(422, errors.join(' '), { details: errors })
      return sendHtml(res, form({ values, errors }), 422)
    }
    // The hidden "website" field is only filled in by bots: pretend it worked and keep nothing.
    if (!field(body, 'website')) {
      await (await store.collection(COLLECTION)).insert(values)
    }
    if (wantsJson(req)) return sendJson(res, { status: 'sent' }, 201)
    redirect(res, '/contact?sent=1')
  })

  router.get('/contact/submissions', async (req, res) => {
    requireAdmin(req)
    const messages = (await store.collection(COLLECTION)).all().reverse()
    if (wantsJson(req)) return sendJson(res, messages)
    sendHtml(res, page({
      title: t('Contact messages'),
      body: html`<h1>${t('Contact messages')} (${messages.length})</h1>
${messages.length === 0 ? html`<p class="muted">${t('No messages yet.')}</p>` : ''}
${messages.map((m) => html`<section class="card"><p><strong>${m.name}</strong> &lt;<a href="mailto:${m.email}">${m.email}</a>&gt; <span class="muted">${m.created_at}</span></p><p>${m.message}</p></section>`)}`,
    }))
  })
}
