// A blog: Markdown posts from content/posts/*.md (front matter: title, date, summary) and posts
// written on the site by the owner (stored in the "blog_posts" collection).
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { HttpError, field, readBody, redirect, sendHtml } from '../lib/http.js'
import { html, page, raw, renderSlot } from '../lib/html.js'
import { renderMarkdown } from '../lib/markdown.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { root } from '../lib/config.js'
import { store } from '../lib/store.js'
import { formatDate, translator } from '../lib/i18n.js'
const t = translator({
  ru: {
    "Blog": "Блог",
    "News and notes.": "Новости и заметки.",
    "No posts yet.": "Записей пока нет.",
    "New post": "Новая запись",
    "Title": "Заголовок",
    "Summary": "Кратко",
    "Text (Markdown)": "Текст (Markdown)",
    "Publish": "Опубликовать",
    "No post at this address.": "Такой записи нет.",
    "All posts": "Все записи",
  },
})

const SLUG = /^[a-z0-9][a-z0-9-]{0,79}$/
const RESERVED = new Set(['new'])

function parseFrontMatter(text) {
  const match = text.match(/^---\r?\n([\s\S]*?)\r?\n---\r?\n?/)
  if (!match) return { meta: {}, body: text }
  const meta = {}
  for (const line of match[1].split(/\r?\n/)) {
    const pair = line.match(/^([A-Za-z_]+)\s*:\s*(.*)$/)
    if (pair) meta[pair[1].toLowerCase()] = pair[2].trim().replace(/^(["'])(.*)\1$/, '$2')
  }
  return { meta, body: text.slice(match[0].length) }
}

async function filePosts() {
  const folder = join(root, 'content', 'posts')
  let names = []
  try {
    names = (await readdir(folder)).filter((name) => name.endsWith('.md')).sort()
  } catch {
    return []
  }
  const posts = []
  for (const name of names) {
    const slug = name.slice(0, -3)
    if (!SLUG.test(slug) || RESERVED.has(slug)) continue
    const { meta, body } = parseFrontMatter(await readFile(join(folder, name), 'utf8'))
    posts.push({ slug, title: meta.title || slug, date: meta.date || '', summary: meta.summary || '', body, source: 'file' })
  }
  return posts
}

export function slugify(title) {
  const slug = title.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60)
  return slug || 'post'
}

export async function register(router, ctx) {
  const params = ctx.params('blog')
  const fromFiles = await filePosts()
  ctx.addNavLink('/blog', params.nav_label || t('Blog'), 50)
  const title = params.title || t('Blog')
  const intro = params.intro || t('News and notes.')

  async function allPosts() {
    const stored = (await store.collection('blog_posts')).all().map((p) => ({ ...p, source: 'store' }))
    return [...fromFiles, ...stored].sort((a, b) => String(b.date).localeCompare(String(a.date)) || a.slug.localeCompare(b.slug))
  }

  router.get('/blog', async (req, res) => {
    const posts = await allPosts()
    sendHtml(res, page({
      title,
      body: html`<div class="page-head"><h1>${title}</h1>
<p>${intro}</p></div>
${posts.length === 0 ? html`<p class="muted">${t('No posts yet.')}</p>` : ''}
${posts.map((p) => html`<section class="card"><h2><a href="/blog/${p.slug}">${p.title}</a></h2><p class="meta">${formatDate(p.date)}</p>${p.summary ? html`<p>${p.summary}</p>` : ''}</section>`)}`,
    }))
  })

  router.get('/blog/new', (req, res) => {
    requireAdmin(req)
    sendHtml(res, page({
      title: t('New post'),
      body: html`<section class="card narrow"><h1>${t('New post')}</h1>
<form class="stack" method="post" action="/blog">
<label>${t('Title')} <input name="title" maxlength="200" required></label>
<label>${t('Summary')} <input name="summary" maxlength="300"></label>
<label>${t('Text (Markdown)')} <textarea name="body" required></textarea></label>
<button type="submit">${t('Publish')}</button>
</form></section>`,
    }))
  })

  router.post('/blog', async (req, res) => {
    requireAdmin(req)
    const body = await readBody(req, { limit: 300_000 })
    const title = field(body, 'title', 200)
    const text = typeof body.body === 'string' ? body.body.slice(0, 200_000) : ''
    if (!title || !text.trim()) throw new HttpError(422, 'A post needs a title and a text.')
    const posts = await allPosts()
    const taken = new Set([...posts.map((p) => p.slug), ...RESERVED])
    const base = slugify(title)
    let slug = base
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`
    await (await store.collection('blog_posts')).insert({ slug, title, summary: field(body, 'summary', 300), body: text, date: new Date().toISOString().slice(0, 10) })
    redirect(res, `/blog/${slug}`)
  })

  router.get('/blog/:slug', async (req, res) => {
    const post = (await allPosts()).find((p) => p.slug === req.params.slug)
    if (!post) throw new HttpError(404, t('No post at this address.'))
    sendHtml(res, page({
      title: post.title,
      description: post.summary,
      body: html`<article class="post"><h1>${post.title}</h1><p class="meta">${formatDate(post.date)}</p>
${raw(renderMarkdown(post.body))}
</article>
${await renderSlot('blog-post', { slug: post.slug, title: post.title })}
<p><a href="/blog">← ${t('All posts')}</a></p>`,
    }))
  })

  router.post('/blog/:slug/delete', async (req, res) => {
    requireAdmin(req)
    const posts = await store.collection('blog_posts')
    const post = posts.find((p) => p.slug === req.params.slug)
    if (!post) throw new HttpError(404, 'Only posts written on the site can be deleted here; remove a file post from content/posts/.')
    await posts.remove(post.id)
    redirect(res, '/blog')
  })
}
