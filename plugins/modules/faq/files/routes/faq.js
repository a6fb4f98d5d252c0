// GET /faq: questions and answers from the `items` parameter (sample ones in the app's language
// while it is empty), as disclosure widgets that work without JavaScript; GET /api/faq as JSON.
import { sendHtml, sendJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { lang, translator } from '../lib/i18n.js'

const t = translator({ ru: { 'Frequently asked questions': 'Частые вопросы', 'FAQ': 'Вопросы' } })

const SAMPLES = {
  en: [
    { question: 'How do I get started?', answer: 'Write to us or sign up: we reply within one working day.' },
    { question: 'How much does it cost?', answer: 'See our prices; there are no hidden fees.' },
    { question: 'Can I cancel?', answer: 'Yes, at any time, free of charge.' },
  ],
  ru: [
    { question: 'С чего начать?', answer: 'Напишите нам или зарегистрируйтесь: мы отвечаем в течение рабочего дня.' },
    { question: 'Сколько это стоит?', answer: 'Цены указаны на сайте, скрытых платежей нет.' },
    { question: 'Можно ли отменить?', answer: 'Да, в любой момент и бесплатно.' },
  ],
}

export function register(router, ctx) {
  const params = ctx.params('faq')
  const heading = params.heading || t('Frequently asked questions')
  const items = Array.isArray(params.items) && params.items.length ? params.items : SAMPLES[lang]
  ctx.addNavLink('/faq', params.nav_label || t('FAQ'), 45)

  router.get('/faq', (req, res) => {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<section class="faq-list">${items.map((item, i) => html`<details class="faq"${i === 0 ? html` open` : ''}><summary>${item.question}</summary><p>${item.answer}</p></details>`)}</section>`,
    }))
  })
  router.get('/api/faq', (req, res) => sendJson(res, items.map(({ question, answer }) => ({ question, answer }))))
}
