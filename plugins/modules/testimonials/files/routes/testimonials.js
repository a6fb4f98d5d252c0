// GET /testimonials: what customers say (quote, author, role, rating 1–5) from the `items`
// parameter, sample ones in the app's language while it is empty.
import { sendHtml } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { lang, translator } from '../lib/i18n.js'

const t = translator({ ru: { 'What our customers say': 'Что говорят наши клиенты', 'Reviews': 'Отзывы', 'Rated {n} out of 5': 'Оценка {n} из 5' } })

const SAMPLES = {
  en: [
    { quote: 'Friendly, quick and exactly what we needed.', author: 'Maria K.', role: 'Customer since 2023', rating: 5 },
    { quote: 'The best service in town. I recommend it to all my friends.', author: 'Tom B.', role: 'Regular customer', rating: 5 },
    { quote: 'Great value and always on time.', author: 'Lena S.', role: 'Small business owner', rating: 4 },
  ],
  ru: [
    { quote: 'Приветливо, быстро и именно то, что нужно.', author: 'Мария К.', role: 'Клиент с 2023 года', rating: 5 },
    { quote: 'Лучший сервис в городе. Советую всем друзьям.', author: 'Антон Б.', role: 'Постоянный клиент', rating: 5 },
    { quote: 'Отличное соотношение цены и качества, всегда вовремя.', author: 'Елена С.', role: 'Владелец бизнеса', rating: 4 },
  ],
}

export function stars(rating) {
  const n = Math.max(0, Math.min(5, Math.round(Number(rating) || 0)))
  return n ? html`<span class="stars" role="img" aria-label="${t('Rated {n} out of 5', { n })}">${'★'.repeat(n)}${'☆'.repeat(5 - n)}</span>` : ''
}

export function register(router, ctx) {
  const params = ctx.params('testimonials')
  const heading = params.heading || t('What our customers say')
  const items = Array.isArray(params.items) && params.items.length ? params.items : SAMPLES[lang]
  ctx.addNavLink('/testimonials', params.nav_label || t('Reviews'), 35)

  router.get('/testimonials', (req, res) => {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<section class="grid">${items.map((item) => html`<blockquote class="card testimonial">${stars(item.rating)}
<p>“${item.quote}”</p>
<footer><strong>${item.author}</strong>${item.role ? html` · ${item.role}` : ''}</footer></blockquote>`)}</section>`,
    }))
  })
}
