// The home page: headline, subheadline, a call to action and a few feature blurbs, all taken from
// the module's parameters at run time and rendered escaped.
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'

export function register(router, ctx) {
  const params = ctx.params('landing-page')
  ctx.addNavLink('/', params.nav_label || 'Home', 0)

  router.get('/', (req, res) => {
    const features = Array.isArray(params.features) ? params.features : []
    const body = html`<section class="hero">
<h1>${params.headline}</h1>
${params.subheadline ? html`<p>${params.subheadline}</p>` : ''}
${params.cta_label ? html`<a class="button" href="${safeUrl(params.cta_url)}">${params.cta_label}</a>` : ''}
</section>
${features.length ? html`<section id="features" class="grid">${features.map((feature) => html`<div class="card"><p>${feature}</p></div>`)}</section>` : ''}`
    sendHtml(res, page({ body }))
  })
}
