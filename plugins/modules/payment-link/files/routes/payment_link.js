// GET /buy: the product and a checkout button. The button goes through GET /buy/checkout, which
// redirects to the configured payment page (Stripe Payment Link, Paddle, Gumroad, ...), only if its
// URL is https.
import { HttpError, redirect, sendHtml } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { translator } from '../lib/i18n.js'
const t = translator({
  ru: {
    "Buy": "Купить",
    "Buy now": "Купить",
    "The payment link is not configured (it must be an https URL).": "Ссылка на оплату не настроена (нужен адрес https).",
  },
})

function checkoutUrl(value) {
  try {
    const url = new URL(String(value ?? ''))
    return url.protocol === 'https:' && url.hostname ? url.href : null
  } catch {
    return null
  }
}

export function register(router, ctx) {
  const params = ctx.params('payment-link')
  const target = checkoutUrl(params.payment_url)
  ctx.addNavLink('/buy', params.nav_label || t('Buy'), 25)
  const button = params.button_label || t('Buy now')

  router.get('/buy', (req, res) => {
    sendHtml(res, page({
      title: params.product_name,
      body: html`<section class="card">
<h1>${params.product_name}</h1>
${params.price ? html`<p class="price">${params.price}</p>` : ''}
${params.description ? html`<p>${params.description}</p>` : ''}
${target
  ? html`<a class="button" href="/buy/checkout" rel="nofollow">${button}</a>`
  : html`<span class="button" aria-disabled="true">${button}</span><p class="errors">${t('The payment link is not configured (it must be an https URL).')}</p>`}
</section>`,
    }))
  })

  router.get('/buy/checkout', (req, res) => {
    if (!target) throw new HttpError(503, 'The payment link is not configured (it must be an https URL).')
    redirect(res, target)
  })
}
