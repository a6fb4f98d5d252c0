// Polls: /polls shows each question with its options; a vote (POST /polls/<slug>/vote) counts once
// per browser (a random voter id in a cookie, stored only as a hash) and leads to the results with
// bars and percentages. /api/polls/<slug> gives the results as JSON. Votes live in "poll_votes".
import { createHash, randomBytes } from 'node:crypto'
import { HttpError, field, parseCookies, readBody, redirect, sendHtml, sendJson, setCookie, wantsJson } from '../lib/http.js'
import { html, page } from '../lib/html.js'
import { lang, plural, translator } from '../lib/i18n.js'
import { store } from '../lib/store.js'

const COLLECTION = 'poll_votes'
const VOTER_COOKIE = 'poll_voter'

const t = translator({
  ru: {
    'Polls': 'Опросы',
    'Vote': 'Голосовать',
    'Results': 'Результаты',
    'Thank you for voting!': 'Спасибо за ваш голос!',
    'You have already voted in this poll.': 'Вы уже голосовали в этом опросе.',
    'Please choose one of the options.': 'Пожалуйста, выберите один из вариантов.',
    'No poll at this address.': 'Такого опроса нет.',
    'All polls': 'Все опросы',
    'What should we do next?': 'Что нам сделать дальше?',
    'More events': 'Больше мероприятий',
    'Longer opening hours': 'Дольше работать',
    'A mobile app': 'Мобильное приложение',
  },
})

const VOTE_FORMS = {
  en: { one: '{n} vote', other: '{n} votes' },
  ru: { one: '{n} голос', few: '{n} голоса', many: '{n} голосов', other: '{n} голоса' },
}

const hash = (value) => createHash('sha256').update(value).digest('hex')

export function register(router, ctx) {
  const params = ctx.params('polls')
  const heading = params.heading || t('Polls')
  const polls = Array.isArray(params.polls) && params.polls.length
    ? params.polls
    : [{ slug: 'next', question: t('What should we do next?'), options: [t('More events'), t('Longer opening hours'), t('A mobile app')] }]
  const showResults = params.show_results === 'always' ? 'always' : 'after_vote'
  ctx.addNavLink('/polls', params.nav_label || t('Polls'), 55)

  const votes = () => store.collection(COLLECTION)
  const findOr404 = (slug) => {
    const poll = polls.find((p) => p.slug === slug)
    if (!poll) throw new HttpError(404, t('No poll at this address.'))
    return poll
  }
  const voterOf = (req) => {
    const id = parseCookies(req)[VOTER_COOKIE]
    return typeof id === 'string' && /^[A-Za-z0-9_-]{20,64}$/.test(id) ? id : null
  }

  function results(collection, poll) {
    const cast = collection.filter((v) => v.poll === poll.slug)
    const total = cast.length
    return {
      slug: poll.slug,
      question: poll.question,
      total,
      options: poll.options.map((option) => {
        const count = cast.filter((v) => v.option === option).length
        return { option, votes: count, percent: total ? Math.round((count / total) * 100) : 0 }
      }),
    }
  }

  function resultsBlock(r) {
    return html`<div class="results">${r.options.map((o) => html`<p><strong>${o.option}</strong> <span class="muted">${o.percent}% · ${plural(o.votes, VOTE_FORMS[lang])}</span></p>
<div class="bar" role="img" aria-label="${o.percent}%"><span class="w${Math.round(o.percent / 5) * 5}"></span></div>`)}</div>`
  }

  function pollCard(collection, poll, voter, note) {
    const voted = voter && collection.find((v) => v.poll === poll.slug && v.voter === hash(voter))
    const r = results(collection, poll)
    return html`<section class="card" id="${poll.slug}"><h2>${poll.question}</h2>
${note ? html`<p class="${note.error ? 'errors' : 'notice'}" role="status">${note.text}</p>` : ''}
${voted ? resultsBlock(r) : html`<form class="stack" method="post" action="/polls/${poll.slug}/vote">
<fieldset>${poll.options.map((option, i) => html`<label class="check"><input type="radio" name="option" value="${option}"${i === 0 ? html` required` : ''}> ${option}</label>`)}</fieldset>
<div class="actions"><button type="submit">${t('Vote')}</button>${showResults === 'always' ? html`<a href="/polls/${poll.slug}">${t('Results')}</a>` : ''}</div>
</form>`}
</section>`
  }

  router.get('/polls', async (req, res) => {
    const collection = await votes()
    const voter = voterOf(req)
    sendHtml(res, page({
      title: heading,
      body: html`<div class="page-head"><h1>${heading}</h1>${params.intro ? html`<p>${params.intro}</p>` : ''}</div>
<div class="grid two">${polls.map((poll) => pollCard(collection, poll, voter))}</div>`,
    }))
  })

  router.get('/polls/:slug', async (req, res) => {
    const poll = findOr404(req.params.slug)
    const collection = await votes()
    const voter = voterOf(req)
    const voted = voter && collection.find((v) => v.poll === poll.slug && v.voter === hash(voter))
    const note = req.query.get('voted') === '1' ? { text: t('Thank you for voting!') } : req.query.get('already') === '1' ? { text: t('You have already voted in this poll.'), error: true } : null
    sendHtml(res, page({
      title: poll.question,
      body: html`<p><a href="/polls">← ${t('All polls')}</a></p>
${voted || showResults === 'always' ? html`<section class="card"><h1>${poll.question}</h1>${note ? html`<p class="${note.error ? 'errors' : 'notice'}" role="status">${note.text}</p>` : ''}${resultsBlock(results(collection, poll))}</section>` : pollCard(collection, poll, voter, note)}`,
    }))
  })

  async function vote(req, res, poll) {
    const body = await readBody(req, { limit: 5_000 })
    const option = field(body, 'option', 200)
    if (!poll.options.includes(option)) throw new HttpError(422, t('Please choose one of the options.'))
    let voter = voterOf(req)
    if (!voter) {
      voter = randomBytes(24).toString('base64url')
      setCookie(res, req, VOTER_COOKIE, voter, { maxAge: 365 * 86_400 })
    }
    const collection = await votes()
    // Checked and inserted with no await in between: one browser, one vote.
    if (collection.find((v) => v.poll === poll.slug && v.voter === hash(voter))) {
      if (wantsJson(req)) throw new HttpError(409, t('You have already voted in this poll.'))
      return redirect(res, `/polls/${poll.slug}?already=1`)
    }
    await collection.insert({ poll: poll.slug, option, voter: hash(voter) })
    if (wantsJson(req)) return sendJson(res, results(collection, poll), 201)
    redirect(res, `/polls/${poll.slug}?voted=1`)
  }
  router.post('/polls/:slug/vote', (req, res) => vote(req, res, findOr404(req.params.slug)))
  router.post('/api/polls/:slug/vote', (req, res) => vote(req, res, findOr404(req.params.slug)))

  router.get('/api/polls', async (req, res) => {
    const collection = await votes()
    sendJson(res, polls.map((poll) => (showResults === 'always' ? results(collection, poll) : { slug: poll.slug, question: poll.question, options: poll.options })))
  })
  router.get('/api/polls/:slug', async (req, res) => {
    const poll = findOr404(req.params.slug)
    sendJson(res, results(await votes(), poll))
  })
}
