// File uploads: bytes in DATA_DIR/uploads/<id>, their name, size and type in the "uploads"
// collection. Upload with a form (multipart, field "file") or raw (POST /api/files?name=...).
// Downloads are served as attachments, except common images, so an uploaded HTML or SVG file can
// never run as a page of the site.
import { createHash } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { HttpError, contentType, readRaw, redirect, send, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { parseMultipart } from '../lib/multipart.js'
import { newId, store } from '../lib/store.js'
import { translator } from '../lib/i18n.js'
const t = translator({
  ru: {
    "Files": "Файлы",
    "File": "Файл",
    "up to": "до",
    "Upload": "Загрузить",
    "Uploading asks for the admin password.": "Для загрузки нужен пароль администратора.",
    "No files yet.": "Файлов пока нет.",
    "Name": "Имя",
    "Size": "Размер",
    "Uploaded": "Загружен",
    "Choose a file to upload.": "Выберите файл для загрузки.",
  },
})

const INLINE_TYPES = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' }
const ID = /^[a-f0-9]{16}$/

function cleanName(name) {
  const base = basename(String(name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f"]/g, '').trim()
  return base.slice(-200) || 'file'
}

function extension(name) {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
}

function disposition(kind, name) {
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

export function register(router, ctx) {
  const params = ctx.params('file-uploads')
  const maxBytes = Math.round((Number(params.max_size_mb) || 10) * 1024 * 1024)
  const allowed = (params.allowed_extensions ?? []).map((e) => String(e).toLowerCase())
  const access = params.access || 'admin'
  const folder = join(ctx.dataDir, 'uploads')

  // "public": anyone uploads; "admin": the owner uploads, anyone downloads; "private": owner only.
  const checkRead = (req) => access !== 'private' || requireAdmin(req)
  const checkWrite = (req) => access === 'public' || requireAdmin(req)
  if (access !== 'private') ctx.addNavLink('/files', params.nav_label || t('Files'), 70)
  const heading = params.heading || t('Files')

  async function save(name, data, type) {
    const clean = cleanName(name)
    if (allowed.length && !allowed.includes(extension(clean))) {
      throw new HttpError(415, `Only these file types are accepted: ${allowed.join(', ')}.`)
    }
    if (data.length === 0) throw new HttpError(422, 'The file is empty.')
    await mkdir(folder, { recursive: true })
    const id = newId()
    // Write aside, then rename: a listed file is always complete.
    const temporary = join(folder, `${id}.tmp`)
    const handle = await open(temporary, 'w', 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, join(folder, id))
    const sha256 = createHash('sha256').update(data).digest('hex')
    return (await store.collection('uploads')).insert({ id, name: clean, size: data.length, type: String(type || 'application/octet-stream').slice(0, 100), sha256 })
  }

  function describe(file) {
    return { id: file.id, name: file.name, size: file.size, type: file.type, sha256: file.sha256, created_at: file.created_at, url: `/files/${file.id}` }
  }

  router.get('/files', async (req, res) => {
    checkRead(req)
    const files = (await store.collection('uploads')).all().reverse()
    sendHtml(res, page({
      title: heading,
      body: html`<h1>${heading}</h1>
${html`<form class="card stack" method="post" action="/files" enctype="multipart/form-data">
<label>${t('File')} (${t('up to')} ${formatSize(maxBytes)}${allowed.length ? `; ${allowed.join(', ')}` : ''}) <input type="file" name="file" required></label>
<button type="submit">${t('Upload')}</button>
${access === 'admin' ? html`<p class="muted">${t('Uploading asks for the admin password.')}</p>` : ''}
</form>`}
${files.length === 0 ? html`<p class="muted">${t('No files yet.')}</p>` : html`<table><thead><tr><th>${t('Name')}</th><th>${t('Size')}</th><th>${t('Uploaded')}</th></tr></thead>
<tbody>${files.map((f) => html`<tr><td><a href="/files/${f.id}">${f.name}</a></td><td>${formatSize(f.size)}</td><td>${f.created_at.slice(0, 16).replace('T', ' ')}</td></tr>`)}</tbody></table>`}`,
    }))
  })

  router.post('/files', async (req, res) => {
    checkWrite(req)
    if (contentType(req) !== 'multipart/form-data') throw new HttpError(415, 'Send the file as multipart/form-data.')
    // Room for the multipart headers around the file itself.
    const body = await readRaw(req, maxBytes + 16_384)
    const part = parseMultipart(body, req.headers['content-type']).find((p) => p.name === 'file' && p.filename !== undefined)
    if (!part) throw new HttpError(422, t('Choose a file to upload.'))
    if (part.data.length > maxBytes) throw new HttpError(413, `The file is larger than ${formatSize(maxBytes)}.`)
    const file = await save(part.filename, part.data, part.type)
    if (wantsJson(req)) return sendJson(res, describe(file), 201)
    redirect(res, '/files')
  })

  router.post('/api/files', async (req, res) => {
    checkWrite(req)
    const data = await readRaw(req, maxBytes)
    const file = await save(req.query.get('name') ?? 'file', data, req.headers['content-type'])
    sendJson(res, describe(file), 201)
  })

  router.get('/api/files', async (req, res) => {
    checkRead(req)
    sendJson(res, (await store.collection('uploads')).all().map(describe))
  })

  router.get('/files/:id', async (req, res) => {
    checkRead(req)
    const file = ID.test(req.params.id) ? (await store.collection('uploads')).get(req.params.id) : undefined
    if (!file) throw new HttpError(404, 'No such file.')
    const data = await readFile(join(folder, file.id))
    const inlineType = INLINE_TYPES[extension(file.name)]
    send(res, 200, data, inlineType ?? 'application/octet-stream', {
      'content-disposition': disposition(inlineType ? 'inline' : 'attachment', file.name),
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, max-age=0',
    })
  })

  async function remove(req) {
    requireAdmin(req)
    const uploads = await store.collection('uploads')
    if (!ID.test(req.params.id) || !(await uploads.remove(req.params.id))) throw new HttpError(404, 'No such file.')
    await unlink(join(folder, req.params.id)).catch(() => {})
  }
  router.post('/files/:id/delete', async (req, res) => {
    await remove(req)
    redirect(res, '/files')
  })
  router.delete('/api/files/:id', async (req, res) => {
    await remove(req)
    sendJson(res, null, 204)
  })
}
