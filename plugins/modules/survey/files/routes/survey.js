// A simple survey: /survey shows the questions (text, long text, one choice, several choices, a
// rating 1–5, a number, an e-mail), POST /survey checks and stores the answers in
// "survey_responses"; the owner sees the totals and the written answers at /survey/results
// (admin password).
import { HttpError, field, isEmail, readBody, redirect, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { lang, plural, translator } from '../lib/i18n.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const COLLECTION = 'survey_responses'
const TEXT_MAX = 2000

const t = translator({
  ru: {
    'Survey': 'Опрос',
    'Send my answers': 'Отправить ответы',
    'Thank you! Your answers were saved.': 'Спасибо! Ваши ответы сохранены.',
    'Please answer "{label}".': 'Пожалуйста, ответьте на вопрос «{label}».',
    '"{label}": please choose one of the options.': '«{label}»: выберите один из вариантов.',
    '"{label}": please give a number.': '«{label}»: введите число.',
    '"{label}": please rate from 1 to 5.': '«{label}»: поставьте оценку от 1 до 5.',
    '"{label}": please enter a valid e-mail address.': '«{label}»: введите правильный адрес эл. почты.',
    '"{label}" is longer than {max} characters.': 'Ответ на «{label}» длиннее {max} символов.',
    'Survey results': 'Результаты опроса',
    'average {n}': 'в среднем {n}',
    'No answers yet.': 'Ответов пока нет.',
    'How did you hear about us?': 'Как вы о нас узнали?',
    'Friends': 'От друзей',
    'Search engine': 'Поисковик',
    'Social media': 'Соцсети',
    'How happy are you with us?': 'Насколько вы нами довольны?',
    'What could we do better?': 'Что нам улучшить?',
    'required': 'обязательно',
  },
})

const RESPONSE_FORMS = {
  en: { one: '{n} response', other: '{n} responses' },
  ru: { one: '{n} ответ', few: '{n} ответа', many: '{n} ответов', other: '{n} ответа' },
}

function samples() {
  return [
    { name: 'source', label: t('How did you hear about us?'), type: 'choice', options: [t('Friends'), t('Search engine'), t('Social media')], required: true },
    { name: 'rating', label: t('How happy are you with us?'), type: 'rating', options: [], required: true },
    { name: 'better', label: t('What could we do better?'), type: 'textarea', options: [], required: false },
  ]
}

export function register(router, ctx) {
  const params = ctx.params('survey')
  const heading = params.heading || t('Survey')
  // A choice without options could never be answered: it is asked as a text question.
  const questions = (Array.isArray(params.questions) && params.questions.length ? params.questions : samples())
    .map((q) => ({ ...q, options: Array.isArray(q.options) ? q.options : [] }))
    .map((q) => ((q.type === 'choice' || q.type === 'multi') && q.options.length === 0 ? { ...q, type: 'text' } : q))
  ctx.addNavLink('/survey', params.nav_label || t('Survey'), 56)

  const responses = () => store.collection(COLLECTION)

  function inputFor(q, value) {
    const required = q.required ? html` required` : ''
    const label = html`${q.label}${q.required ? html` <span class="muted">*</span>` : ''}`
    switch (q.type) {
      case 'textarea':
        return html`<label>${label} <textarea name="${q.name}" maxlength="${TEXT_MAX}"${required}>${value ?? ''}</textarea></label>`
      case 'choice':
        return html`<fieldset><legend>${label}</legend>${q.options.map((o, i) => html`<label class="check"><input type="radio" name="${q.name}" value="${o}"${value === o ? html` checked` : ''}${i === 0 ? required : ''}> ${o}</label>`)}</fieldset>`
      case 'multi':
        return html`<fieldset><legend>${label}</legend>${q.options.map((o, i) => html`<label class="check"><input type="checkbox" name="${q.name}.${i}"${(value ?? []).includes(o) ? html` checked` : ''}> ${o}</label>`)}</fieldset>`
      case 'rating':
        return html`<fieldset><legend>${label}</legend><div class="slots">${[1, 2, 3, 4, 5].map((n) => html`<label class="check"><input type="radio" name="${q.name}" value="${n}"${Number(value) === n ? html` checked` : ''}${n === 1 ? required : ''}> ${'★'.repeat(n)}</label>`)}</div></fieldset>`
      case 'number':
        return html`<label>${label} <input type="number" step="any" name="${q.name}" value="${value ?? ''}"${required}></label>`
      case 'email':
        return html`<label>${label} <input type="email" name="${q.name}" maxlength="254" value="${value ?? ''}"${required}></label>`
      default:
        return html`<label>${label} <input name="${q.name}" maxlength="${TEXT_MAX}" value="${value ?? ''}"${required}></label>`
    }
  }

  function formPage(res, { values = {}, errors = [], done = false, status = 200 } = {}) {
    sendHtml(res, page({
      title: heading,
      body: html`<section class="card narrow"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}
${done ? html`<p class="notice" role="status">${params.thank_you || t('Thank you! Your answers were saved.')}</p>` : ''}
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="/survey">${questions.map((q) => inputFor(q, values[q.name]))}
<button type="submit">${t('Send my answers')}</button></form></section>`,
    }), status)
  }

  /** The answers of a body, checked against the questions; unknown names are ignored. */
  function check(body, fromForm) {
    const answers = {}
    const errors = []
    for (const q of questions) {
      let value
      if (q.type === 'multi') {
        value = fromForm
          ? q.options.filter((_, i) => body[`${q.name}.${i}`] === 'on')
          : (Array.isArray(body[q.name]) ? body[q.name] : []).filter((v) => q.options.includes(v))
        if (!fromForm && Array.isArray(body[q.name]) && value.length !== body[q.name].length) errors.push(t('"{label}": please choose one of the options.', { label: q.label }))
        if (q.required && value.length === 0) errors.push(t('Please answer "{label}".', { label: q.label }))
        answers[q.name] = value
        continue
      }
      const raw = typeof body[q.name] === 'number' ? String(body[q.name]) : field(body, q.name, TEXT_MAX + 1)
      if (!raw) {
        if (q.required) errors.push(t('Please answer "{label}".', { label: q.label }))
        answers[q.name] = null
        continue
      }
      if (q.type === 'choice' && !q.options.includes(raw)) errors.push(t('"{label}": please choose one of the options.', { label: q.label }))
      else if (q.type === 'rating' && !/^[1-5]$/.test(raw)) errors.push(t('"{label}": please rate from 1 to 5.', { label: q.label }))
      else if (q.type === 'number' && !/^-?\d+([.,]\d+)?$/.test(raw)) errors.push(t('"{label}": please give a number.', { label: q.label }))
      else if (q.type === 'email' && !isEmail(raw)) errors.push(t('"{label}": please enter a valid e-mail address.', { label: q.label }))
      else if (raw.length > TEXT_MAX) errors.push(t('"{label}" is longer than {max} characters.', { label: q.label, max: TEXT_MAX }))
      answers[q.name] = q.type === 'rating' || q.type === 'number' ? Number(raw.replace(',', '.')) : raw
    }
    return { answers, errors }
  }

  router.get('/survey', (req, res) => formPage(res, { done: req.query.get('done') === '1' }))

  async function submit(req, res) {
    const json = wantsJson(req)
    const { answers, errors } = check(await readBody(req, { limit: 100_000 }), !json)
    if (errors.length) {
      if (json) throw new HttpError(422, errors.join(' '), { details: errors })
      return formPage(res, { values: answers, errors, status: 422 })
    }
    await (await responses()).insert({ answers })
    if (json) return sendJson(res, { status: 'saved' }, 201)
    redirect(res, '/survey?done=1')
  }
  router.post('/survey', submit)
  router.post('/api/survey', submit)

  function summary(all) {
    return questions.map((q) => {
      const given = all.map((r) => r.answers?.[q.name]).filter((v) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
      if (q.type === 'choice' || q.type === 'multi') {
        return { name: q.name, label: q.label, type: q.type, answered: given.length, counts: Object.fromEntries(q.options.map((o) => [o, given.filter((v) => (Array.isArray(v) ? v.includes(o) : v === o)).length])) }
      }
      if (q.type === 'rating' || q.type === 'number') {
        const average = given.length ? Math.round((given.reduce((a, b) => a + b, 0) / given.length) * 100) / 100 : null
        return { name: q.name, label: q.label, type: q.type, answered: given.length, average }
      }
      return { name: q.name, label: q.label, type: q.type, answered: given.length, answers: given.slice(-200).reverse() }
    })
  }

  router.get('/survey/results', async (req, res) => {
    requireAdmin(req)
    const all = (await responses()).all()
    const result = { responses: all.length, questions: summary(all) }
    if (wantsJson(req)) return sendJson(res, result)
    sendHtml(res, page({
      title: t('Survey results'),
      body: html`<h1>${t('Survey results')}</h1><p class="muted">${plural(all.length, RESPONSE_FORMS[lang])}</p>
${all.length === 0 ? html`<p class="muted">${t('No answers yet.')}</p>` : result.questions.map((q) => html`<section class="card"><h2>${q.label}</h2>
${q.counts ? Object.entries(q.counts).map(([option, count]) => {
  const percent = q.answered ? Math.round((count / q.answered) * 100) : 0
  return html`<p><strong>${option}</strong> <span class="muted">${count} · ${percent}%</span></p><div class="bar"><span class="w${Math.round(percent / 5) * 5}"></span></div>`
}) : ''}
${q.average !== undefined ? html`<p class="price">${q.average ?? '—'}</p><p class="muted">${t('average {n}', { n: q.average ?? '—' })}</p>` : ''}
${q.answers ? html`<ul>${q.answers.map((a) => html`<li>${a}</li>`)}</ul>` : ''}
</section>`)}`,
    }))
  })
}
