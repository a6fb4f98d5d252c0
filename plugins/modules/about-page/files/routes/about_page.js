// GET /about: who the business is — a lead, paragraphs (blank lines separate them) and a few
// highlights (figures, facts), all from parameters, rendered escaped.
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'
import { translator } from '../lib/i18n.js'
import { siteTitle } from '../lib/html.js'

const t = translator({
  ru: {
    'About us': 'О нас',
    'About': 'О нас',
    'We are a small team that cares about every customer. Tell your story here: how you started, what you do and why.':
      'Мы — небольшая команда, которой важен каждый клиент. Расскажите здесь свою историю: как всё началось, чем вы занимаетесь и почему.',
    'Get in touch': 'Связаться с нами',
  },
})

export function register(router, ctx) {
  const params = ctx.params('about-page')
  const heading = params.heading || t('About us')
  const body = params.body || t('We are a small team that cares about every customer. Tell your story here: how you started, what you do and why.')
  const paragraphs = String(body).split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
  const highlights = Array.isArray(params.highlights) ? params.highlights : []
  ctx.addNavLink('/about', params.nav_label || t('About'), 10)

  router.get('/about', (req, res) => {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><span class="eyebrow">${siteTitle()}</span><h1>${heading}</h1>${params.intro ? html`<p class="lead">${params.intro}</p>` : ''}</div>
<div class="grid two"><section class="card">${paragraphs.map((p) => html`<p>${p}</p>`)}</section>
${highlights.length ? html`<section class="grid">${highlights.map((h) => html`<div class="card"><span class="feature-icon">✓</span><p>${h}</p></div>`)}</section>` : ''}</div>
${params.cta_url ? html`<p class="actions"><a class="button" href="${safeUrl(params.cta_url)}">${params.cta_label || t('Get in touch')}</a></p>` : ''}`,
    }))
  })
}
