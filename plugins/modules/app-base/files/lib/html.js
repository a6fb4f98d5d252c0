// HTML output. Every value interpolated with the `html` tag is escaped unless it was built by
// `html` itself or marked with `raw`, so parameters and user input can never inject markup.
import { moduleParams } from './config.js'
import { lang } from './i18n.js'

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c])
}

class SafeHtml {
  constructor(value) {
    this.value = value
  }
  toString() {
    return this.value
  }
}

/** Marks trusted markup (produced by our own code, e.g. the Markdown renderer) as safe. */
export function raw(value) {
  return new SafeHtml(String(value))
}

function render(value) {
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(value)
}

/** Tagged template: html`<p>${text}</p>` escapes `text`. */
export function html(strings, ...values) {
  let out = strings[0]
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]
  })
  return new SafeHtml(out)
}

/**
 * Only links we know to be harmless reach an href: http(s), mailto, site paths and anchors.
 * `javascript:` and friends become "#".
 */
export function safeUrl(value) {
  const url = String(value ?? '').trim()
  // "//host" and "/\host" are other sites to a browser, not paths of this one.
  if (/^(https?:\/\/|mailto:)/i.test(url) || /^\/(?![/\\])/.test(url) || url.startsWith('#')) {
    return /[\s\u0000-\u001f\\]/.test(url) ? '#' : url
  }
  return '#'
}

const nav = []

/** Modules add their public pages to the site's navigation (ordered by `order`, then label). */
export function addNavLink(href, label, order = 50) {
  nav.push({ href, label, order })
  nav.sort((a, b) => a.order - b.order || a.label.localeCompare(b.label))
}

const slots = new Map()

/**
 * Places one module leaves for others: the blog renders the slot "blog-post" under each post, and
 * the comments module fills it with the post's comments. Rendered at request time, so the order in
 * which modules register does not matter.
 */
export function addToSlot(name, render) {
  slots.set(name, [...(slots.get(name) ?? []), render])
}

export async function renderSlot(name, context = {}) {
  const parts = []
  for (const render of slots.get(name) ?? []) parts.push(await render(context))
  return html`${parts}`
}

/** The links of the navigation, in order (the home page without a landing page lists them). */
export function navLinks() {
  return nav.map((link) => ({ ...link }))
}

export function siteTitle() {
  return moduleParams('app-base').title || 'My App'
}

/** A whole page: the site's header and navigation around `body`; `<html lang>` is the app's language. */
export function page({ title, body, description }) {
  const site = siteTitle()
  const meta = description ?? moduleParams('app-base').description ?? ''
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title ? `${title} · ${site}` : site}</title>
${meta ? html`<meta name="description" content="${meta}">` : ''}
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/style.css">
<link rel="stylesheet" href="/theme.css">
</head>
<body>
<header class="site-header">
<a class="brand" href="/">${site}</a>
<nav>${nav.map((link) => html`<a href="${safeUrl(link.href)}">${link.label}</a>`)}</nav>
</header>
<main>
${body}
</main>
<footer class="site-footer">© ${new Date().getUTCFullYear()} ${site}</footer>
</body>
</html>
`.toString()
}
