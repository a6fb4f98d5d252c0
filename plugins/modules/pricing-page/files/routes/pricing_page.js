// GET /pricing: one card per plan of the `plans` parameter.
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'
import { translator } from '../lib/i18n.js'
const t = translator({
  ru: {
    "Pricing": "Цены",
    "Choose": "Выбрать",
    "Simple plans. Cancel any time.": "Простые тарифы. Отмена в любой момент.",
  },
})

export function register(router, ctx) {
  const params = ctx.params('pricing-page')
  ctx.addNavLink('/pricing', t('Pricing'), 20)
  const heading = params.heading || t('Pricing')
  const subheading = params.subheading || t('Simple plans. Cancel any time.')

  router.get('/pricing', (req, res) => {
    const plans = Array.isArray(params.plans) ? params.plans : []
    const cards = plans.map(
      (plan) => html`<div class="card${plan.highlighted ? ' highlighted' : ''}">
<h2>${plan.name}</h2>
<p class="price">${plan.price}${plan.period ? html` <span class="muted">${plan.period}</span>` : ''}</p>
${plan.description ? html`<p>${plan.description}</p>` : ''}
<ul>${(plan.features ?? []).map((feature) => html`<li>${feature}</li>`)}</ul>
${plan.cta_url ? html`<a class="button" href="${safeUrl(plan.cta_url)}">${plan.cta_label || t('Choose')}</a>` : ''}
</div>`
    )
    const body = html`<section class="hero"><h1>${heading}</h1><p>${subheading}</p></section>
<section class="grid">${cards}</section>`
    sendHtml(res, page({ title: heading, body }))
  })
}
