// Comments: a guestbook at /comments, and comments under every blog post when the app has a blog
// (the blog's "blog-post" slot). Anyone may comment (name + text, a honeypot against bots); with
// `moderation` a comment shows only once the owner approved it at /comments/manage. Comments live
// in "comments", each with its thread ("guestbook" or "blog-<slug>").
import { HttpError, field, readBody, redirect, sendHtml, sendJson, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { formatDate, t as common, translator } from '../lib/i18n.js'
import { requireAdmin } from '../lib/admin_auth.js'
import { store } from '../lib/store.js'

const COLLECTION = 'comments'
const THREAD = /^(guestbook|blog-[a-z0-9][a-z0-9-]{0,99})$/

const t = translator({
  ru: {
    'Guestbook': 'Гостевая книга',
    'Comments': 'Комментарии',
    'Leave a comment': 'Оставить комментарий',
    'Comment': 'Комментарий',
    'Post': 'Опубликовать',
    'Thank you! Your comment is published.': 'Спасибо! Комментарий опубликован.',
    'Thank you! Your comment will appear once it is approved.': 'Спасибо! Комментарий появится после проверки.',
    'No comments yet. Be the first!': 'Комментариев пока нет. Будьте первым!',
    'Please write a comment.': 'Пожалуйста, напишите комментарий.',
    'The comment is longer than {max} characters.': 'Комментарий длиннее {max} символов.',
    'Manage comments': 'Модерация комментариев',
    'Approve': 'Одобрить',
    'awaiting approval': 'ждёт проверки',
    'Website': 'Сайт',
  },
})

export function register(router, ctx) {
  const params = ctx.params('comments')
  const heading = params.heading || t('Guestbook')
  const moderation = params.moderation === true
  const max = Number(params.max_length) || 2000
  ctx.addNavLink('/comments', params.nav_label || t('Guestbook'), 58)

  const comments = () => store.collection(COLLECTION)
  const backTo = (thread) => (thread === 'guestbook' ? '/comments' : `/blog/${thread.slice('blog-'.length)}`)
  const visible = (collection, thread) => collection.filter((c) => c.thread === thread && (c.approved || !moderation))

  function threadBlock(collection, thread, { values = {}, errors = [], note } = {}) {
    const list = visible(collection, thread)
    return html`<section class="comments" id="comments">
${thread === 'guestbook' ? '' : html`<h2>${t('Comments')} (${list.length})</h2>`}
${list.length ? list.map((c) => html`<div class="comment"><p><strong>${c.name}</strong> <span class="meta">${formatDate(c.created_at.slice(0, 10), { dateStyle: 'medium' })}</span></p><p>${c.text}</p></div>`) : html`<p class="muted">${t('No comments yet. Be the first!')}</p>`}
<div class="card narrow"><h3>${t('Leave a comment')}</h3>
${note ? html`<p class="notice" role="status">${note}</p>` : ''}
${errors.length ? html`<ul class="errors" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="/comments/${thread}">
<label>${common('Name')} <input name="name" maxlength="100" required value="${values.name ?? ''}"></label>
<label>${t('Comment')} <textarea name="text" maxlength="${max}" required>${values.text ?? ''}</textarea></label>
<label class="hidden-field" aria-hidden="true">${t('Website')} <input name="website" tabindex="-1" autocomplete="off"></label>
<button type="submit">${t('Post')}</button></form></div>
</section>`
  }

  const noteFor = (query) => (query.get('posted') === '1' ? t('Thank you! Your comment is published.') : query.get('posted') === 'pending' ? t('Thank you! Your comment will appear once it is approved.') : undefined)

  function guestbook(res, collection, state = {}, status = 200) {
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>${threadBlock(collection, 'guestbook', state)}`,
    }), status)
  }

  router.get('/comments', async (req, res) => guestbook(res, await comments(), { note: noteFor(req.query) }))

  // Under each blog post.
  ctx.addToSlot('blog-post', async ({ slug }) => threadBlock(await comments(), `blog-${slug}`))

  async function post(req, res) {
    const thread = req.params.thread
    if (!THREAD.test(thread)) throw new HttpError(404, 'No such comment thread.')
    const body = await readBody(req, { limit: max * 4 + 5_000 })
    const values = { name: field(body, 'name', 100), text: field(body, 'text', max + 1) }
    const errors = []
    if (!values.name) errors.push(common('Please tell us your name.'))
    if (!values.text) errors.push(t('Please write a comment.'))
    if (values.text.length > max) errors.push(t('The comment is longer than {max} characters.', { max }))
    if (errors.length) {
      if (wantsJson(req) || thread !== 'guestbook') throw new HttpError(422, errors.join(' '), { details: errors })
      return guestbook(res, await comments(), { values, errors }, 422)
    }
    // The hidden "website" field is only filled in by bots: pretend it worked and keep nothing.
    let saved = null
    if (!field(body, 'website')) saved = await (await comments()).insert({ thread, ...values, approved: !moderation })
    if (wantsJson(req)) return sendJson(res, { status: moderation ? 'pending' : 'published', id: saved?.id ?? null }, 201)
    redirect(res, `${backTo(thread)}?posted=${moderation ? 'pending' : '1'}#comments`)
  }
  router.post('/comments/:thread', post)
  router.post('/api/comments/:thread', post)

  router.get('/api/comments/:thread', async (req, res) => {
    if (!THREAD.test(req.params.thread)) throw new HttpError(404, 'No such comment thread.')
    sendJson(res, visible(await comments(), req.params.thread).map(({ id, name, text, created_at }) => ({ id, name, text, created_at })))
  })

  router.get('/comments/manage', async (req, res) => {
    requireAdmin(req)
    const all = (await comments()).all().reverse()
    if (wantsJson(req)) return sendJson(res, all)
    sendHtml(res, page({
      title: t('Manage comments'),
      body: html`<h1>${t('Manage comments')} (${all.length})</h1>
${all.map((c) => html`<div class="card"><p><strong>${c.name}</strong> <span class="meta">${c.thread} · ${c.created_at}</span> ${c.approved ? '' : html`<span class="badge full">${t('awaiting approval')}</span>`}</p><p>${c.text}</p>
<div class="actions">${c.approved ? '' : html`<form class="inline" method="post" action="/comments/manage/${encodeURIComponent(c.id)}/approve"><button class="small" type="submit">${t('Approve')}</button></form>`}
<form class="inline" method="post" action="/comments/manage/${encodeURIComponent(c.id)}/delete"><button class="link" type="submit">${common('Delete')}</button></form></div></div>`)}`,
    }))
  })

  router.post('/comments/manage/:id/approve', async (req, res) => {
    requireAdmin(req)
    if (!(await (await comments()).update(req.params.id, { approved: true }))) throw new HttpError(404, 'No comment with this id.')
    redirect(res, '/comments/manage')
  })
  router.post('/comments/manage/:id/delete', async (req, res) => {
    requireAdmin(req)
    await (await comments()).remove(req.params.id)
    redirect(res, '/comments/manage')
  })
}
