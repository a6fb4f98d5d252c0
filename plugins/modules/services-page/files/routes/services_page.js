// GET /services: what the business offers — cards with a name, a description, a price and a
// duration, from the `items` parameter (samples in the app's language while it is empty), and a
// button to the page where people order or book (cta_url).
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'
import { lang, translator } from '../lib/i18n.js'

const t = translator({ ru: { 'Our services': 'Наши услуги', 'Services': 'Услуги', 'Book now': 'Записаться', 'Get in touch': 'Связаться' } })

const SAMPLES = {
  en: [
    { name: 'Consultation', description: 'We listen, look at your situation and suggest what to do.', price: 'Free', duration: '30 min' },
    { name: 'Standard service', description: 'Our most popular offer, done carefully and on time.', price: '$49', duration: '1 hour' },
    { name: 'Premium service', description: 'Everything in standard, plus extra care and a follow-up.', price: '$89', duration: '2 hours' },
  ],
  ru: [
    { name: 'Консультация', description: 'Выслушаем, разберёмся в ситуации и предложим решение.', price: 'Бесплатно', duration: '30 мин' },
    { name: 'Стандартная услуга', description: 'Самое популярное предложение — аккуратно и в срок.', price: '2 500 ₽', duration: '1 час' },
    { name: 'Премиум', description: 'Всё из стандарта, плюс особое внимание и повторная встреча.', price: '4 900 ₽', duration: '2 часа' },
  ],
}

export function register(router, ctx) {
  const params = ctx.params('services-page')
  const heading = params.heading || t('Our services')
  const items = Array.isArray(params.items) && params.items.length ? params.items : SAMPLES[lang]
  const ctaUrl = params.cta_url || (ctx.config.modules.booking ? '/booking' : ctx.config.modules['contact-form'] ? '/contact' : '')
  const ctaLabel = params.cta_label || (ctaUrl === '/booking' ? t('Book now') : t('Get in touch'))
  ctx.addNavLink('/services', params.nav_label || t('Services'), 15)

  router.get('/services', (req, res) => {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<section class="grid">${items.map((item) => html`<div class="card">
<h2>${item.name}</h2>
${item.description ? html`<p>${item.description}</p>` : ''}
<p>${item.price ? html`<span class="price">${item.price}</span>` : ''} ${item.duration ? html`<span class="badge">${item.duration}</span>` : ''}</p>
${ctaUrl ? html`<a class="button" href="${safeUrl(ctaUrl)}">${ctaLabel}</a>` : ''}
</div>`)}</section>`,
    }))
  })
}
