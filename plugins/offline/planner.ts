/**
 * The offline builder's planner: keyword rules that map a request to code
 * modules. Deterministic by construction: rules are checked in a fixed
 * order and their output does not depend on anything but the text.
 */
export type PlannedModule = { id: string; title: string; reason: string }

type Rule = { id: string; title: string; words: RegExp }

const BASE: PlannedModule = { id: 'app-base', title: 'App base (Node HTTP server, static assets, health route)', reason: 'every app starts from it' }

const RULES: Rule[] = [
  { id: 'landing-page', title: 'Landing page', words: /\b(landing|home ?page|homepage|hero|marketing)\b/i },
  { id: 'pricing-page', title: 'Pricing page', words: /\b(pricing|plans?|tiers?)\b/i },
  { id: 'waitlist', title: 'Waitlist / newsletter sign-up', words: /\b(wait ?list|newsletter|early access|subscribe|sign-?ups? for updates)\b/i },
  { id: 'contact-form', title: 'Contact form (stores submissions)', words: /\b(contact|feedback|get in touch|enquir|inquir)/i },
  { id: 'accounts', title: 'User accounts (sign up, log in, sessions)', words: /\b(accounts?|log ?in|sign ?in|sign ?up|register|users?|auth)\b/i },
  { id: 'blog', title: 'Blog with markdown posts', words: /\b(blog|articles?|posts?|news)\b/i },
  { id: 'crud-resource', title: 'CRUD resource (list, create, edit, delete, JSON API)', words: /\b(crud|manage|inventory|todo|tasks?|catalog|records?|entries|directory)\b/i },
  { id: 'admin-page', title: 'Admin page', words: /\b(admin|dashboard|back ?office|moderat)/i },
  { id: 'file-uploads', title: 'File uploads', words: /\b(uploads?|files?|images?|photos?|attachments?)\b/i },
  { id: 'payment-link', title: 'Payment link / checkout button', words: /\b(pay|payments?|checkout|buy|sell|stripe|paddle|donat)/i },
]

/** Modules other modules build on. */
const NEEDS_STORE = new Set(['waitlist', 'contact-form', 'accounts', 'blog', 'crud-resource', 'admin-page', 'file-uploads'])

export function planFromRequest(text: string): PlannedModule[] {
  const plan: PlannedModule[] = [BASE]
  for (const rule of RULES) {
    const match = text.match(rule.words)
    if (match) plan.push({ id: rule.id, title: rule.title, reason: `you mentioned "${match[0].trim()}"` })
  }
  if (plan.length === 1) {
    plan.push({ id: 'landing-page', title: 'Landing page', reason: 'a starting point when nothing more specific was asked' })
  }
  if (plan.some((m) => NEEDS_STORE.has(m.id))) {
    plan.splice(1, 0, { id: 'data-store', title: 'Data store', reason: 'the modules below keep data' })
  }
  return plan
}

export function renderPlan(plan: PlannedModule[]): string {
  const lines = [
    '**Offline builder** — no AI model involved: I matched your request to ready, tested modules.',
    '',
    'Your app will be assembled from:',
    '',
    ...plan.map((m, i) => `${i + 1}. **${m.title}** (\`${m.id}\`) — ${m.reason}`),
    '',
    'Every module listens on `PORT`, has `npm start` and a `/health` route, so the app can be deployed anywhere.',
    'Ask for changes in plain words, e.g. "add a blog" or "remove the pricing page".',
    '',
    // The same output protocol as AI models: the platform applies these.
    ...plan.map((m) => `<xb-module id="${m.id}"></xb-module>`),
  ]
  return lines.join('\n')
}
