// GET /admin: what the app's modules stored (every collection of the store), for the owner only
// (HTTP Basic with ADMIN_PASSWORD). Fields that look like secrets are never shown.
import { HttpError, redirect, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const SECRET_FIELD = /password|hash|secret|token/i
const SHOWN = 500

function visible(document) {
  return Object.fromEntries(Object.entries(document).filter(([key]) => !SECRET_FIELD.test(key)))
}

function cell(value) {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

export function register(router, ctx) {
  const params = ctx.params('admin-page')
  const title = params.title || 'Admin'

  async function collectionOr404(name) {
    if (!(await store.names()).includes(name)) throw new HttpError(404, 'No such collection.')
    return store.collection(name)
  }

  router.get('/admin', async (req, res) => {
    requireAdmin(req)
    const summary = []
    for (const name of await store.names()) summary.push({ name, count: (await store.collection(name)).count() })
    if (wantsJson(req)) return sendJson(res, { collections: summary })
    sendHtml(res, page({
      title,
      body: html`<h1>${title}</h1>
${summary.length === 0 ? html`<p class="muted">Nothing stored yet.</p>` : ''}
<table><thead><tr><th>Collection</th><th>Records</th></tr></thead>
<tbody>${summary.map((c) => html`<tr><td><a href="/admin/${c.name}">${c.name}</a></td><td>${c.count}</td></tr>`)}</tbody></table>`,
    }))
  })

  router.get('/admin/:collection', async (req, res) => {
    requireAdmin(req)
    const name = req.params.collection
    const documents = (await collectionOr404(name)).all().reverse().slice(0, SHOWN).map(visible)
    if (wantsJson(req)) return sendJson(res, documents)
    const columns = [...new Set(documents.flatMap((d) => Object.keys(d)))]
    sendHtml(res, page({
      title: name,
      body: html`<p><a href="/admin">← ${title}</a></p><h1>${name}</h1>
<p class="muted">The ${SHOWN} most recent records at most; fields that hold secrets are hidden.</p>
<table><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}<th></th></tr></thead>
<tbody>${documents.map((d) => html`<tr>${columns.map((c) => html`<td>${cell(d[c])}</td>`)}
<td><form class="inline" method="post" action="/admin/${name}/${encodeURIComponent(d.id)}/delete"><button class="danger" type="submit">Delete</button></form></td></tr>`)}</tbody></table>`,
    }))
  })

  router.post('/admin/:collection/:id/delete', async (req, res) => {
    requireAdmin(req)
    await (await collectionOr404(req.params.collection)).remove(req.params.id)
    redirect(res, `/admin/${encodeURIComponent(req.params.collection)}`)
  })
}
