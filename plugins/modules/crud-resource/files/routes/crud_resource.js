// Resources described by parameters: each entity (its URL name and its fields) gets HTML pages to
// list (with search, filters and sorting), create, edit and delete records, and a JSON API under
// /api/<entity>. `entities` holds several; without it the single-entity parameters (entity, title,
// singular, fields, access) describe one. Records live in the "crud-<entity>" collection, so an entity
// can never read another module's data (say, "users").
import { HttpError, isEmail, readBody, redirect, sendHtml, sendJson } from '../lib/http.js'
import { html, page, safeUrl } from '../lib/html.js'
import { formatDate, formatNumber, t as common, translator } from '../lib/i18n.js'
import { isAdmin, requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const TEXT_MAX = 2000
const TEXTAREA_MAX = 20_000
const ENTITY = /^[a-z][a-z0-9-]{0,30}$/
const FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/
const RESERVED = ['id', 'created_at', 'updated_at']
/** Fields whose text the search box looks through. */
const SEARCHED = new Set(['text', 'textarea', 'email', 'url', 'choice'])

const t = translator({
  ru: {
    'New {singular}': 'Добавить: {singular}',
    'Edit {singular}': 'Изменить: {singular}',
    'No {singular} with this id.': 'Запись не найдена.',
    '{label} is required.': 'Поле «{label}» обязательно.',
    '{label} must be true or false.': 'Поле «{label}» должно быть «да» или «нет».',
    '{label} must be a number.': 'Поле «{label}» должно быть числом.',
    '{label} must be a date (YYYY-MM-DD).': 'Поле «{label}» должно быть датой (ГГГГ-ММ-ДД).',
    '{label} must be an e-mail address.': 'Поле «{label}» должно быть адресом эл. почты.',
    '{label} must be an http(s) link.': 'Поле «{label}» должно быть ссылкой http(s).',
    '{label} must be one of: {options}.': 'Поле «{label}» должно быть одним из: {options}.',
    '{label} must be text.': 'Поле «{label}» должно быть текстом.',
    '{label} is longer than {max} characters.': 'Поле «{label}» длиннее {max} символов.',
    'Unknown field "{name}".': 'Неизвестное поле «{name}».',
    'All': 'Все',
    'Sort by': 'Сортировка',
    'Newest first': 'Сначала новые',
    'Oldest first': 'Сначала старые',
    'Filter': 'Показать',
    'Reset': 'Сбросить',
    'Nothing matches your search.': 'Ничего не найдено.',
    'Actions': 'Действия',
    'Delete this record?': 'Удалить запись?',
  },
})

/** The entities of the app: `entities`, or the single-entity parameters when it is empty. */
export function entitiesFrom(params) {
  const list = Array.isArray(params.entities) && params.entities.length
    ? params.entities
    : [{ entity: params.entity || 'items', title: params.title, singular: params.singular, fields: params.fields, access: params.access }]
  const seen = new Set()
  return list.map((item) => {
    const entity = String(item.entity ?? '')
    if (!ENTITY.test(entity)) throw new Error(`crud-resource: invalid entity "${entity}"`)
    if (seen.has(entity)) throw new Error(`crud-resource: entity "${entity}" is declared twice`)
    seen.add(entity)
    const fields = (Array.isArray(item.fields) ? item.fields : []).filter((f) => f && FIELD_NAME.test(f.name) && !RESERVED.includes(f.name))
    return {
      entity,
      title: item.title || entity,
      singular: item.singular || entity,
      fields,
      access: ['admin', 'public', 'private'].includes(item.access) ? item.access : 'admin',
    }
  })
}

function label(field) {
  return field.label || field.name
}

/** Turns a submitted value into the field's type; returns { value } or { error }. */
function coerce(field, input, fromForm) {
  const name = label(field)
  const empty = input === undefined || input === null || input === ''
  if (field.type === 'boolean') {
    if (fromForm) return { value: input === 'on' || input === 'true' || input === '1' }
    if (empty) return { value: false }
    return typeof input === 'boolean' ? { value: input } : { error: t('{label} must be true or false.', { label: name }) }
  }
  if (empty || (typeof input === 'string' && input.trim() === '')) {
    return field.required ? { error: t('{label} is required.', { label: name }) } : { value: null }
  }
  switch (field.type) {
    case 'number': {
      const value = typeof input === 'number' ? input : typeof input === 'string' && /^\s*-?\d+([.,]\d+)?\s*$/.test(input) ? Number(input.replace(',', '.')) : NaN
      return Number.isFinite(value) ? { value } : { error: t('{label} must be a number.', { label: name }) }
    }
    case 'date': {
      const value = String(input).trim()
      const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)
      return valid ? { value } : { error: t('{label} must be a date (YYYY-MM-DD).', { label: name }) }
    }
    case 'email': {
      const value = String(input).trim().toLowerCase()
      return isEmail(value) ? { value } : { error: t('{label} must be an e-mail address.', { label: name }) }
    }
    case 'url': {
      const value = String(input).trim()
      // Shown as a link: only http(s), never javascript: or data:.
      const valid = value.length <= TEXT_MAX && /^https?:\/\/[^\s/]+\S*$/i.test(value) && URL.canParse(value)
      return valid ? { value } : { error: t('{label} must be an http(s) link.', { label: name }) }
    }
    case 'choice': {
      const value = String(input).trim()
      const options = field.options ?? []
      return options.includes(value) ? { value } : { error: t('{label} must be one of: {options}.', { label: name, options: options.join(', ') }) }
    }
    default: {
      if (typeof input !== 'string' && typeof input !== 'number') return { error: t('{label} must be text.', { label: name }) }
      const value = String(input).trim()
      const max = field.type === 'textarea' ? TEXTAREA_MAX : TEXT_MAX
      return value.length > max ? { error: t('{label} is longer than {max} characters.', { label: name, max }) } : { value }
    }
  }
}

/**
 * The record's fields from a body. `partial` (PATCH) leaves out the fields that were not sent;
 * unknown fields are refused so that typos do not vanish silently.
 */
function validate(fields, body, { fromForm, partial }) {
  const known = new Set(fields.map((f) => f.name))
  const errors = fromForm ? [] : Object.keys(body).filter((k) => !known.has(k) && !RESERVED.includes(k)).map((k) => t('Unknown field "{name}".', { name: k }))
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
  if (field.type === 'boolean') return value ? common('yes') : common('no')
  if (value === null || value === undefined) return ''
  if (field.type === 'url') return html`<a href="${safeUrl(value)}" rel="nofollow noopener">${value}</a>`
  if (field.type === 'email') return html`<a href="mailto:${value}">${value}</a>`
  if (field.type === 'date') return formatDate(value, { dateStyle: 'medium' })
  if (field.type === 'number') return formatNumber(value)
  if (field.type === 'choice') return html`<span class="badge">${value}</span>`
  return value
}

function input(field, value) {
  const name = field.name
  const text = label(field)
  const required = field.required ? html` required` : ''
  switch (field.type) {
    case 'boolean':
      return html`<label class="check"><input type="checkbox" name="${name}"${value ? html` checked` : ''}> ${text}</label>`
    case 'number':
      return html`<label>${text} <input type="number" step="any" name="${name}" value="${value ?? ''}"${required}></label>`
    case 'date':
      return html`<label>${text} <input type="date" name="${name}" value="${value ?? ''}"${required}></label>`
    case 'email':
      return html`<label>${text} <input type="email" name="${name}" maxlength="254" value="${value ?? ''}"${required}></label>`
    case 'url':
      return html`<label>${text} <input type="url" name="${name}" maxlength="${TEXT_MAX}" placeholder="https://" value="${value ?? ''}"${required}></label>`
    case 'textarea':
      return html`<label>${text} <textarea name="${name}" maxlength="${TEXTAREA_MAX}"${required}>${value ?? ''}</textarea></label>`
    case 'choice':
      return html`<label>${text} <select name="${name}"${required}>
${field.required ? '' : html`<option value="">—</option>`}
${(field.options ?? []).map((option) => html`<option${option === value ? html` selected` : ''}>${option}</option>`)}
</select></label>`
    default:
      return html`<label>${text} <input name="${name}" maxlength="${TEXT_MAX}" value="${value ?? ''}"${required}></label>`
  }
}

function compare(a, b) {
  if (a === b) return 0
  if (a === null || a === undefined || a === '') return 1
  if (b === null || b === undefined || b === '') return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' })
}

/**
 * The records a list shows: `q` searches the text fields (case-insensitive), a choice field's name
 * filters by one of its options, `sort` is a field name (or created_at), `-` in front for descending.
 * Unknown values are ignored, never an error: they come from a URL anyone can type.
 */
export function query(records, fields, searchParams) {
  const q = String(searchParams.get('q') ?? '').trim().toLowerCase().slice(0, 200)
  let rows = records
  if (q) {
    const searched = fields.filter((f) => SEARCHED.has(f.type))
    rows = rows.filter((r) => searched.some((f) => String(r[f.name] ?? '').toLowerCase().includes(q)))
  }
  const filters = {}
  for (const field of fields.filter((f) => f.type === 'choice')) {
    const wanted = searchParams.get(field.name)
    if (wanted && (field.options ?? []).includes(wanted)) {
      filters[field.name] = wanted
      rows = rows.filter((r) => r[field.name] === wanted)
    }
  }
  const sortParam = String(searchParams.get('sort') ?? '')
  const descending = sortParam.startsWith('-')
  const sortName = sortParam.replace(/^-/, '')
  const sortable = sortName === 'created_at' || fields.some((f) => f.name === sortName)
  const sort = sortable ? (descending ? `-${sortName}` : sortName) : ''
  if (sortable) {
    rows = [...rows].sort((a, b) => compare(a[sortName], b[sortName]) * (descending ? -1 : 1))
  }
  return { rows, q, filters, sort }
}

function registerEntity(router, ctx, resource) {
  const { entity, title, singular, fields, access } = resource
  const base = `/${entity}`
  const api = `/api/${entity}`
  const collection = () => store.collection(`crud-${entity}`)

  // "public": anyone reads and writes; "admin": anyone reads, the owner writes; "private": owner only.
  const checkRead = (req) => access !== 'private' || requireAdmin(req)
  const checkWrite = (req) => access === 'public' || requireAdmin(req)
  const canWrite = (req) => access === 'public' || isAdmin(req)

  if (access !== 'private') ctx.addNavLink(base, title, 60)

  async function findOr404(id) {
    const record = (await collection()).get(id)
    if (!record) throw new HttpError(404, t('No {singular} with this id.', { singular }))
    return record
  }

  function formPage({ record = {}, errors = [], id }) {
    const action = id ? `${base}/${encodeURIComponent(id)}` : base
    const heading = id ? t('Edit {singular}', { singular }) : t('New {singular}', { singular })
    return page({
      title: heading,
      body: html`<section class="card narrow">
<h1>${heading}</h1>
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="${action}">
${fields.map((field) => input(field, record[field.name]))}
<div class="actions"><button type="submit">${common('Save')}</button><a href="${base}">${common('Cancel')}</a></div>
</form>
</section>`,
    })
  }

  function toolbar({ q, filters, sort }) {
    const choices = fields.filter((f) => f.type === 'choice')
    const sortable = fields.filter((f) => f.type !== 'boolean' && f.type !== 'textarea')
    return html`<form class="toolbar" method="get" action="${base}" role="search">
<label>${common('Search')} <input type="search" name="q" value="${q}" maxlength="200"></label>
${choices.map((f) => html`<label>${label(f)} <select name="${f.name}"><option value="">${t('All')}</option>${(f.options ?? []).map((o) => html`<option${filters[f.name] === o ? html` selected` : ''}>${o}</option>`)}</select></label>`)}
<label>${t('Sort by')} <select name="sort">
<option value="">${t('Oldest first')}</option>
<option value="-created_at"${sort === '-created_at' ? html` selected` : ''}>${t('Newest first')}</option>
${sortable.map((f) => html`<option value="${f.name}"${sort === f.name ? html` selected` : ''}>${label(f)} ↑</option><option value="-${f.name}"${sort === `-${f.name}` ? html` selected` : ''}>${label(f)} ↓</option>`)}
</select></label>
<button type="submit" class="secondary">${t('Filter')}</button>
${q || Object.keys(filters).length || sort ? html`<a href="${base}">${t('Reset')}</a>` : ''}
</form>`
  }

  router.get(base, async (req, res) => {
    checkRead(req)
    const all = (await collection()).all()
    const { rows, ...state } = query(all, fields, req.query)
    const writable = canWrite(req)
    sendHtml(res, page({
      title,
      body: html`<div class="page-head actions"><h1>${title}</h1>${access !== 'private' || writable ? html`<a class="button" href="${base}/new">${t('New {singular}', { singular })}</a>` : ''}</div>
${all.length ? toolbar(state) : ''}
${rows.length === 0 ? html`<p class="muted">${all.length ? t('Nothing matches your search.') : common('Nothing here yet.')}</p>` : html`<div class="table-wrap"><table>
<thead><tr>${fields.map((f) => html`<th>${label(f)}</th>`)}${writable ? html`<th>${t('Actions')}</th>` : ''}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${fields.map((f) => html`<td>${show(f, r[f.name])}</td>`)}
${writable ? html`<td class="actions"><a href="${base}/${encodeURIComponent(r.id)}/edit">${common('Edit')}</a>
<form class="inline" method="post" action="${base}/${encodeURIComponent(r.id)}/delete"><button class="link" type="submit">${common('Delete')}</button></form></td>` : ''}</tr>`)}</tbody>
</table></div>`}`,
    }))
  })

  router.get(`${base}/new`, (req, res) => {
    checkWrite(req)
    sendHtml(res, formPage({}))
  })

  router.post(base, async (req, res) => {
    checkWrite(req)
    const { record, errors } = validate(fields, await readBody(req, { limit: 200_000 }), { fromForm: true })
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
    const { record, errors } = validate(fields, await readBody(req, { limit: 200_000 }), { fromForm: true })
    if (errors.length) return sendHtml(res, formPage({ record, errors, id: req.params.id }), 422)
    await (await collection()).update(req.params.id, record)
    redirect(res, base)
  })

  router.post(`${base}/:id/delete`, async (req, res) => {
    checkWrite(req)
    await (await collection()).remove(req.params.id)
    redirect(res, base)
  })

  // The JSON API; the list takes the same q, filter and sort as the page.
  router.get(api, async (req, res) => {
    checkRead(req)
    sendJson(res, query((await collection()).all(), fields, req.query).rows)
  })

  router.get(`${api}/:id`, async (req, res) => {
    checkRead(req)
    sendJson(res, await findOr404(req.params.id))
  })

  router.post(api, async (req, res) => {
    checkWrite(req)
    const { record, errors } = validate(fields, await readBody(req, { limit: 200_000 }), { fromForm: false })
    if (errors.length) throw new HttpError(422, errors.join(' '), { details: errors })
    sendJson(res, await (await collection()).insert(record), 201)
  })

  async function update(req, res, partial) {
    checkWrite(req)
    await findOr404(req.params.id)
    const { record, errors } = validate(fields, await readBody(req, { limit: 200_000 }), { fromForm: false, partial })
    if (errors.length) throw new HttpError(422, errors.join(' '), { details: errors })
    sendJson(res, await (await collection()).update(req.params.id, record))
  }
  router.put(`${api}/:id`, (req, res) => update(req, res, false))
  router.patch(`${api}/:id`, (req, res) => update(req, res, true))

  router.delete(`${api}/:id`, async (req, res) => {
    checkWrite(req)
    if (!(await (await collection()).remove(req.params.id))) throw new HttpError(404, t('No {singular} with this id.', { singular }))
    sendJson(res, null, 204)
  })
}

export function register(router, ctx) {
  for (const resource of entitiesFrom(ctx.params('crud-resource'))) registerEntity(router, ctx, resource)
}
