// The home page: a hero (headline, subheadline, call to action), a section of feature cards and a
// closing call-to-action band, all taken from the module's parameters at run time and rendered
// escaped. A feature written "Title: text" gets a title of its own.
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl, siteTitle } from '../lib/html.js'
import { translator } from '../lib/i18n.js'

const t = translator({
  ru: {
    'Home': 'Главная',
    'Why choose us': 'Почему мы',
    'Ready to get started?': 'Готовы начать?',
    'It takes a minute.': 'Это займёт минуту.',
  },
})

/** "Fast: pages load in a blink." → { title: "Fast", text: "pages load in a blink." } */
function splitFeature(feature) {
  const match = /^([^:.!?]{1,40}):\s+(.+)$/s.exec(String(feature))
  return match ? { title: match[1], text: match[2] } : { title: '', text: String(feature) }
}

export function register(router, ctx) {
  const params = ctx.params('landing-page')
  ctx.addNavLink('/', params.nav_label || t('Home'), 0)

  router.get('/', (req, res) => {
    const features = (Array.isArray(params.features) ? params.features : []).map(splitFeature)
    const cta = params.cta_label ? html`<a class="button" href="${safeUrl(params.cta_url)}">${params.cta_label}</a>` : ''
    const body = html`<section class="hero">
<span class="eyebrow">${siteTitle()}</span>
<h1>${params.headline}</h1>
${params.subheadline ? html`<p>${params.subheadline}</p>` : ''}
${cta ? html`<div class="actions">${cta}</div>` : ''}
</section>
${features.length ? html`<section id="features" class="section">
<h2>${params.features_heading || t('Why choose us')}</h2>
<div class="grid">${features.map((feature, i) => html`<div class="card"><span class="feature-icon" aria-hidden="true">${i + 1}</span>
${feature.title ? html`<h3>${feature.title}</h3>` : ''}<p>${feature.text}</p></div>`)}</div>
</section>` : ''}
${cta ? html`<section class="section cta-band">
<h2>${params.closing_heading || t('Ready to get started?')}</h2>
<p>${params.closing_text || t('It takes a minute.')}</p>
${cta}
</section>` : ''}`
    sendHtml(res, page({ body }))
  })
}
