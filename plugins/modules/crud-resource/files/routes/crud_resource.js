// A resource described by parameters (its URL name and its fields): HTML pages to list, create, edit
// and delete records, and a JSON API under /api/<entity>. Records live in the "crud-<entity>"
// collection, so an entity can never read another module's data (say, "users").
import { HttpError, isEmail, readBody, redirect, sendHtml, sendJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const TEXT_MAX = 2000
const ENTITY = /^[a-z][a-z0-9-]{0,30}$/

/** Turns a submitted value into the field's type; returns { value } or { error }. */
function coerce(field, input, fromForm) {
  const label = field.label || field.name
  const empty = input === undefined || input === null || input === ''
  if (field.type === 'boolean') {
    if (fromForm) return { value: input === 'on' || input === 'true' || input === '1' }
    if (empty) return { value: false }
    return typeof input === 'boolean' ? { value: input } : { error: `${label} must be true or false.` }
  }
  if (empty || (typeof input === 'string' && input.trim() === '')) {
    return field.required ? { error: `${label} is required.` } : { value: null }
  }
  switch (field.type) {
    case 'number': {
      const value = typeof input === 'number' ? input : typeof input === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(input) ? Number(input) : NaN
      return Number.isFinite(value) ? { value } : { error: `${label} must be a number.` }
    }
    case 'date': {
      const value = String(input).trim()
      const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)
      return valid ? { value } : { error: `${label} must be a date (YYYY-MM-DD).` }
    }
    case 'email': {
      const value = String(input).trim().toLowerCase()
      return isEmail(value) ? { value } : { error: `${label} must be an e-mail address.` }
    }
    default: {
      if (typeof input !== 'string' && typeof input !== 'number') return { error: `${label} must be text.` }
      const value = String(input).trim()
      return value.length > TEXT_MAX ? { error: `${label} is longer than ${TEXT_MAX} characters.` } : { value }
    }
  }
}

/**
 * The record's fields from a body. `partial` (PATCH) leaves out the fields that were not sent;
 * unknown fields are refused so that typos do not vanish silently.
 */
function validate(fields, body, { fromForm, partial }) {
  const known = new Set(fields.map((f) => f.name))
  const errors = fromForm ? [] : Object.keys(body).filter((k) => !known.has(k) && !['id', 'created_at', 'updated_at'].includes(k)).map((k) => `Unknown field "${k}".`)
  const record = {}
  for (const field of fields) {
    if (partial && !(field.name in body)) continue
    const result = coerce(field, body[field.name], fromForm)
    if (result.error) errors.push(result.error)
    else record[field.name] = result.value
  }
  return { record, errors }
}

function show(field, value) {
  if (field.type === 'boolean') return value ? 'yes' : 'no'
  return value ?? ''
}

function input(field, value) {
  const name = field.name
  const label = field.label || field.name
  switch (field.type) {
    case 'boolean':
      return html`<label class="check"><input type="checkbox" name="${name}"${value ? html` checked` : ''}> ${label}</label>`
    case 'number':
      return html`<label>${label} <input type="number" step="any" name="${name}" value="${value ?? ''}"${field.required ? html` required` : ''}></label>`
    case 'date':
      return html`<label>${label} <input type="date" name="${name}" value="${value ?? ''}"${field.required ? html` required` : ''}></label>`
    case 'email':
      return html`<label>${label} <input type="email" name="${name}" maxlength="254" value="${value ?? ''}"${field.required ? html` required` : ''}></label>`
    default:
      return html`<label>${label} <input name="${name}" maxlength="${TEXT_MAX}" value="${value ?? ''}"${field.required ? html` required` : ''}></label>`
  }
}

export function register(router, ctx) {
  const params = ctx.params('crud-resource')
  const entity = params.entity || 'items'
  if (!ENTITY.test(entity)) throw new Error(`crud-resource: invalid entity "${entity}"`)
  const fields = Array.isArray(params.fields) ? params.fields : []
  const title = params.title || entity
  const singular = params.singular || 'item'
  const access = params.access || 'admin'
  const base = `/${entity}`
  const api = `/api/${entity}`
  const collection = () => store.collection(`crud-${entity}`)

  // "public": anyone reads and writes; "admin": anyone reads, the owner writes; "private": owner only.
  const checkRead = (req) => access !== 'private' || requireAdmin(req)
  const checkWrite = (req) => access === 'public' || requireAdmin(req)

  if (access !== 'private') ctx.addNavLink(base, title, 60)

  async function findOr404(id) {
    const record = (await collection()).get(id)
    if (!record) throw new HttpError(404, `No ${singular} with this id.`)
    return record
  }

  function formPage({ record = {}, errors = [], id }) {
    const action = id ? `${base}/${encodeURIComponent(id)}` : base
    return page({
      title: id ? `Edit ${singular}` : `New ${singular}`,
      body: html`<section class="card">
<h1>${id ? `Edit ${singular}` : `New ${singular}`}</h1>
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="${action}">
${fields.map((field) => input(field, record[field.name]))}
<div class="actions"><button type="submit">Save</button><a href="${base}">Cancel</a></div>
</form>
</section>`,
    })
  }

  router.get(base, async (req, res) => {
    checkRead(req)
    const records = (await collection()).all()
    sendHtml(res, page({
      title,
      body: html`<h1>${title}</h1>
<p><a class="button" href="${base}/new">New ${singular}</a></p>
${records.length === 0 ? html`<p class="muted">Nothing here yet.</p>` : html`<table>
<thead><tr>${fields.map((f) => html`<th>${f.label || f.name}</th>`)}<th></th></tr></thead>
<tbody>${records.map((r) => html`<tr>${fields.map((f) => html`<td>${show(f, r[f.name])}</td>`)}
<td class="actions"><a href="${base}/${encodeURIComponent(r.id)}/edit">Edit</a>
<form class="inline" method="post" action="${base}/${encodeURIComponent(r.id)}/delete"><button class="danger" type="submit">Delete</button></form></td></tr>`)}</tbody>
</table>`}`,
    }))
  })

  router.get(`${base}/new`, (req, res) => {
    checkWrite(req)
    sendHtml(res, formPage({}))
  })

  router.post(base, async (req, res) => {
    checkWrite(req)
    const { record, errors } = validate(fields, await readBody(req), { fromForm: true })
    if (errors.length) return sendHtml(res, formPage({ record, errors }), 422)
    await (await collection()).insert(record)
    redirect(res, base)
  })

  router.get(`${base}/:id/edit`, async (req, res) => {
    checkWrite(req)
    sendHtml(res, formPage({ record: await findOr404(req.params.id), id: req.params.id }))
  })

  router.post(`${base}/:id`, async (req, res) => {
    checkWrite(req)
    await findOr404(req.params.id)
    const { record, errors } = validate(fields, await readBody(req), { fromForm: true })
    if (errors.length) return sendHtml(res, formPage({ record, errors, id: req.params.id }), 422)
    await (await collection()).update(req.params.id, record)
    redirect(res, base)
  })

  router.post(`${base}/:id/delete`, async (req, res) => {
    checkWrite(req)
    await (await collection()).remove(req.params.id)
    redirect(res, base)
  })

  // The JSON API.
  router.get(api, async (req, res) => {
    checkRead(req)
    sendJson(res, (await collection()).all())
  })

  router.get(`${api}/:id`, async (req, res) => {
    checkRead(req)
    sendJson(res, await findOr404(req.params.id))
  })

  router.post(api, async (req, res) => {
    checkWrite(req)
    const { record, errors } = validate(fields, await readBody(req), { fromForm: false })
    if (errors.length) throw new HttpError(422, errors.join(' '), { details: errors })
    sendJson(res, await (await collection()).insert(record), 201)
  })

  async function update(req, res, partial) {
    checkWrite(req)
    await findOr404(req.params.id)
    const { record, errors } = validate(fields, await readBody(req), { fromForm: false, partial })
    if (errors.length) throw new HttpError(422, errors.join(' '), { details: errors })
    sendJson(res, await (await collection()).update(req.params.id, record))
  }
  router.put(`${api}/:id`, (req, res) => update(req, res, false))
  router.patch(`${api}/:id`, (req, res) => update(req, res, true))

  router.delete(`${api}/:id`, async (req, res) => {
    checkWrite(req)
    if (!(await (await collection()).remove(req.params.id))) throw new HttpError(404, `No ${singular} with this id.`)
    sendJson(res, null, 204)
  })
}
