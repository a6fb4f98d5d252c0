// GET /links: a link-in-bio page — a name, a short bio and big buttons to the owner's links
// (http(s), mailto: or pages of the site), from parameters.
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl, siteTitle } from '../lib/html.js'
import { translator } from '../lib/i18n.js'

const t = translator({ ru: { 'Links': 'Ссылки', 'All my links in one place.': 'Все мои ссылки в одном месте.' } })

const SAMPLES = [
  { label: 'Instagram', url: 'https://instagram.com/' },
  { label: 'YouTube', url: 'https://youtube.com/' },
  { label: 'E-mail', url: 'mailto:hello@example.com' },
]

function initials(name) {
  return String(name ?? '').split(/\s+/).filter(Boolean).slice(0, 2).map((word) => [...word][0].toUpperCase()).join('') || '?'
}

export function register(router, ctx) {
  const params = ctx.params('link-in-bio')
  const name = params.name || siteTitle()
  const links = Array.isArray(params.links) && params.links.length ? params.links : SAMPLES
  ctx.addNavLink('/links', params.nav_label || t('Links'), 5)

  router.get('/links', (req, res) => {
    sendHtml(res, page({
      title: name,
      body: html`<section class="profile"><span class="avatar" aria-hidden="true">${initials(name)}</span>
<h1>${name}</h1><p class="muted">${params.bio || t('All my links in one place.')}</p></section>
<nav class="link-list">${links.map((link, i) => html`<a class="button${i ? ' secondary' : ''}" href="${safeUrl(link.url)}" rel="noopener">${link.label}</a>`)}</nav>`,
    }))
  })
}
