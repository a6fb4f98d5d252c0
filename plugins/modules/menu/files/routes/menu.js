// GET /menu: a restaurant or café menu — items with a category, a price, a description and tags
// (vegan, spicy…), grouped by category in the order they first appear; GET /api/menu as JSON.
// Samples in the app's language while `items` is empty.
import { sendHtml, sendJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { lang, locale, translator } from '../lib/i18n.js'

const t = translator({ ru: { 'Our menu': 'Наше меню', 'Menu': 'Меню', 'Other': 'Другое' } })

const SAMPLES = {
  en: [
    { name: 'Cappuccino', category: 'Coffee', price: 3.5, description: 'Double espresso with silky milk foam.' },
    { name: 'Flat white', category: 'Coffee', price: 3.8, description: 'Smooth and strong.' },
    { name: 'Croissant', category: 'Bakery', price: 2.9, description: 'Baked every morning.', tags: ['vegetarian'] },
    { name: 'Avocado toast', category: 'Breakfast', price: 8.5, description: 'Sourdough, avocado, lime and chili.', tags: ['vegan'] },
  ],
  ru: [
    { name: 'Капучино', category: 'Кофе', price: 220, description: 'Двойной эспрессо с нежной молочной пенкой.' },
    { name: 'Флэт уайт', category: 'Кофе', price: 250, description: 'Мягкий и крепкий.' },
    { name: 'Круассан', category: 'Выпечка', price: 180, description: 'Печём каждое утро.', tags: ['вегетарианское'] },
    { name: 'Тост с авокадо', category: 'Завтраки', price: 450, description: 'Хлеб на закваске, авокадо, лайм и перец чили.', tags: ['веганское'] },
  ],
}

export function register(router, ctx) {
  const params = ctx.params('menu')
  const heading = params.heading || t('Our menu')
  const items = Array.isArray(params.items) && params.items.length ? params.items : SAMPLES[lang]
  const currency = /^[A-Z]{3}$/.test(params.currency ?? '') ? params.currency : lang === 'ru' ? 'RUB' : 'USD'
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: 2 })
  ctx.addNavLink('/menu', params.nav_label || t('Menu'), 14)

  const categories = []
  for (const item of items) {
    const name = item.category || t('Other')
    let group = categories.find((c) => c.name === name)
    if (!group) categories.push((group = { name, items: [] }))
    group.items.push(item)
  }

  router.get('/menu', (req, res) => {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<div class="grid two">${categories.map((group) => html`<section class="card menu-category"><h2>${group.name}</h2>
${group.items.map((item) => html`<div class="menu-item"><div><strong>${item.name}</strong> ${(item.tags ?? []).map((tag) => html`<span class="badge">${tag}</span>`)}
${item.description ? html`<p>${item.description}</p>` : ''}</div>
${typeof item.price === 'number' ? html`<span class="price">${money.format(item.price)}</span>` : ''}</div>`)}
</section>`)}</div>`,
    }))
  })
  router.get('/api/menu', (req, res) => sendJson(res, { currency, items }))
}
