// GET /team: the people of the business (name, role, a short bio, an optional photo URL), from the
// `members` parameter (samples in the app's language while it is empty).
import { sendHtml } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'
import { lang, translator } from '../lib/i18n.js'

const t = translator({ ru: { 'Our team': 'Наша команда', 'Team': 'Команда' } })

const SAMPLES = {
  en: [
    { name: 'Alex Morgan', role: 'Founder', bio: 'Started the business to do things properly.' },
    { name: 'Sam Lee', role: 'Customer care', bio: 'Answers every question, usually within the hour.' },
    { name: 'Robin Diaz', role: 'Specialist', bio: 'Ten years of experience and still curious.' },
  ],
  ru: [
    { name: 'Алексей Морозов', role: 'Основатель', bio: 'Открыл дело, чтобы делать всё как следует.' },
    { name: 'Светлана Ли', role: 'Забота о клиентах', bio: 'Отвечает на любой вопрос, обычно в течение часа.' },
    { name: 'Роман Диас', role: 'Специалист', bio: 'Десять лет опыта и всё ещё любопытен.' },
  ],
}

export function initials(name) {
  return String(name ?? '').split(/\s+/).filter(Boolean).slice(0, 2).map((word) => [...word][0].toUpperCase()).join('') || '?'
}

export function register(router, ctx) {
  const params = ctx.params('team-page')
  const heading = params.heading || t('Our team')
  const members = Array.isArray(params.members) && params.members.length ? params.members : SAMPLES[lang]
  ctx.addNavLink('/team', params.nav_label || t('Team'), 12)

  router.get('/team', (req, res) => {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<section class="grid">${members.map((m) => html`<div class="card team-member">
${m.photo ? html`<img class="avatar" src="${safeUrl(m.photo)}" alt="">` : html`<span class="avatar" aria-hidden="true">${initials(m.name)}</span>`}
<h2>${m.name}</h2>${m.role ? html`<p class="badge">${m.role}</p>` : ''}${m.bio ? html`<p class="muted">${m.bio}</p>` : ''}
</div>`)}</section>`,
    }))
  })
}
