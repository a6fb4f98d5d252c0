// Questions and answers: visitors ask at /qa (name + question); the owner answers at /qa/manage
// (admin password) and answered questions appear on /qa, newest first, with a search (?q=).
// Unanswered questions stay private unless `show_unanswered`. Questions live in "qa_questions".
import { HttpError, field, readBody, redirect, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { formatDate, t as common, translator } from '../lib/i18n.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const COLLECTION = 'qa_questions'

const t = translator({
  ru: {
    'Questions and answers': 'Вопросы и ответы',
    'Q&A': 'Вопросы',
    'Ask a question': 'Задать вопрос',
    'Your question': 'Ваш вопрос',
    'Ask': 'Спросить',
    'Thank you! We will answer soon.': 'Спасибо! Мы скоро ответим.',
    'No answered questions yet.': 'Пока нет вопросов с ответами.',
    'Awaiting an answer': 'Ждёт ответа',
    'Answer': 'Ответ',
    'Save the answer': 'Сохранить ответ',
    'Answer questions': 'Ответы на вопросы',
    'Please write your question.': 'Пожалуйста, напишите вопрос.',
    'The question is longer than {max} characters.': 'Вопрос длиннее {max} символов.',
    'Please write an answer.': 'Пожалуйста, напишите ответ.',
    'asked by {name}': 'спрашивает {name}',
    'Website': 'Сайт',
  },
})

const MAX_QUESTION = 1000
const MAX_ANSWER = 5000

export function register(router, ctx) {
  const params = ctx.params('qa')
  const heading = params.heading || t('Questions and answers')
  const showUnanswered = params.show_unanswered === true
  ctx.addNavLink('/qa', params.nav_label || t('Q&A'), 46)

  const questions = () => store.collection(COLLECTION)
  const publicList = (collection, q) => collection
    .filter((item) => item.answer || showUnanswered)
    .filter((item) => !q || `${item.question} ${item.answer ?? ''}`.toLowerCase().includes(q))
    .reverse()

  function qaPage(res, collection, { q = '', values = {}, errors = [], asked = false, status = 200 } = {}) {
    const list = publicList(collection, q)
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<div class="grid two"><section>
<form class="toolbar" method="get" action="/qa" role="search"><label>${common('Search')} <input type="search" name="q" value="${q}" maxlength="200"></label><button type="submit" class="secondary">${common('Search')}</button></form>
${list.length ? list.map((item) => html`<article class="card"><h3>${item.question}</h3><p class="meta">${t('asked by {name}', { name: item.name })} · ${formatDate(item.created_at.slice(0, 10), { dateStyle: 'medium' })}</p>
${item.answer ? html`<p>${item.answer}</p>` : html`<p><span class="badge">${t('Awaiting an answer')}</span></p>`}</article>`) : html`<p class="muted">${t('No answered questions yet.')}</p>`}
</section>
<section class="card"><h2>${t('Ask a question')}</h2>
${asked ? html`<p class="notice" role="status">${t('Thank you! We will answer soon.')}</p>` : ''}
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="/qa">
<label>${common('Name')} <input name="name" maxlength="100" required value="${values.name ?? ''}"></label>
<label>${t('Your question')} <textarea name="question" maxlength="${MAX_QUESTION}" required>${values.question ?? ''}</textarea></label>
<label class="hidden-field" aria-hidden="true">${t('Website')} <input name="website" tabindex="-1" autocomplete="off"></label>
<button type="submit">${t('Ask')}</button></form></section></div>`,
    }), status)
  }

  router.get('/qa', async (req, res) => {
    qaPage(res, await questions(), { q: String(req.query.get('q') ?? '').trim().toLowerCase().slice(0, 200), asked: req.query.get('asked') === '1' })
  })

  async function ask(req, res) {
    const body = await readBody(req, { limit: 20_000 })
    const values = { name: field(body, 'name', 100), question: field(body, 'question', MAX_QUESTION + 1) }
    const errors = []
    if (!values.name) errors.push(common('Please tell us your name.'))
    if (!values.question) errors.push(t('Please write your question.'))
    if (values.question.length > MAX_QUESTION) errors.push(t('The question is longer than {max} characters.', { max: MAX_QUESTION }))
    if (errors.length) {
      if (wantsJson(req)) throw new HttpError(422, errors.join(' '), { details: errors })
      return qaPage(res, await questions(), { values, errors, status: 422 })
    }
    let saved = null
    if (!field(body, 'website')) saved = await (await questions()).insert({ ...values, answer: null })
    if (wantsJson(req)) return sendJson(res, { status: 'received', id: saved?.id ?? null }, 201)
    redirect(res, '/qa?asked=1')
  }
  router.post('/qa', ask)
  router.post('/api/qa', ask)

  router.get('/api/qa', async (req, res) => {
    sendJson(res, publicList(await questions(), '').map(({ id, name, question, answer, created_at }) => ({ id, name, question, answer, created_at })))
  })

  router.get('/qa/manage', async (req, res) => {
    requireAdmin(req)
    const all = (await questions()).all().reverse()
    if (wantsJson(req)) return sendJson(res, all)
    sendHtml(res, page({
      title: t('Answer questions'),
      body: html`<h1>${t('Answer questions')} (${all.filter((item) => !item.answer).length})</h1>
${all.map((item) => html`<div class="card"><h3>${item.question}</h3><p class="meta">${t('asked by {name}', { name: item.name })} · ${item.created_at}</p>
<form class="stack" method="post" action="/qa/manage/${encodeURIComponent(item.id)}/answer"><label>${t('Answer')} <textarea name="answer" maxlength="${MAX_ANSWER}" required>${item.answer ?? ''}</textarea></label>
<div class="actions"><button type="submit">${t('Save the answer')}</button></div></form>
<form class="inline" method="post" action="/qa/manage/${encodeURIComponent(item.id)}/delete"><button class="link" type="submit">${common('Delete')}</button></form></div>`)}`,
    }))
  })

  router.post('/qa/manage/:id/answer', async (req, res) => {
    requireAdmin(req)
    const answer = field(await readBody(req, { limit: 30_000 }), 'answer', MAX_ANSWER)
    if (!answer) throw new HttpError(422, t('Please write an answer.'))
    if (!(await (await questions()).update(req.params.id, { answer }))) throw new HttpError(404, 'No question with this id.')
    if (wantsJson(req)) return sendJson(res, { status: 'answered' })
    redirect(res, '/qa/manage')
  })
  router.post('/qa/manage/:id/delete', async (req, res) => {
    requireAdmin(req)
    await (await questions()).remove(req.params.id)
    redirect(res, '/qa/manage')
  })
}
