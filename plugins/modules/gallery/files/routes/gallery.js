// GET /gallery: a portfolio — pictures (a path on the site, e.g. an upload, or an https URL) with
// a title and a caption, from the `items` parameter. Items without a picture get a coloured tile.
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'
import { lang, translator } from '../lib/i18n.js'

const t = translator({ ru: { 'Our work': 'Наши работы', 'Gallery': 'Галерея' } })

const SAMPLES = {
  en: [
    { title: 'Spring project', caption: 'Light, colour and a lot of care.' },
    { title: 'Studio series', caption: 'Portraits made in our studio.' },
    { title: 'City walk', caption: 'Everyday moments in the city.' },
    { title: 'Details', caption: 'Small things that make the difference.' },
  ],
  ru: [
    { title: 'Весенний проект', caption: 'Свет, цвет и много внимания.' },
    { title: 'Студийная серия', caption: 'Портреты, снятые в нашей студии.' },
    { title: 'Прогулка по городу', caption: 'Повседневные моменты города.' },
    { title: 'Детали', caption: 'Мелочи, которые решают всё.' },
  ],
}

export function register(router, ctx) {
  const params = ctx.params('gallery')
  const heading = params.heading || t('Our work')
  const items = Array.isArray(params.items) && params.items.length ? params.items : SAMPLES[lang]
  ctx.addNavLink('/gallery', params.nav_label || t('Gallery'), 25)

  router.get('/gallery', (req, res) => {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<section class="gallery">${items.map((item) => html`<figure>
${item.image ? html`<img src="${safeUrl(item.image)}" alt="${item.title}" loading="lazy">` : html`<div class="placeholder" aria-hidden="true">${[...String(item.title ?? '?')][0]}</div>`}
<figcaption><strong>${item.title}</strong>${item.caption ? html`<p>${item.caption}</p>` : ''}</figcaption>
</figure>`)}</section>`,
    }))
  })
}
