import { test } from '@japa/runner'
import { loadCatalogue } from '#modules/composer'
import { checkDocumentedRoutes, startModules, stopCleanly } from './harness.js'

/** Modules composed together: each one's documented routes still answer, and they work together. */
test.group('Module compositions', () => {
  test('landing + waitlist: the call to action leads to the waitlist, which takes sign-ups', async ({ assert, cleanup }) => {
    const app = await startModules([{ id: 'landing-page', params: { headline: 'Plant care, simplified', cta_label: 'Join the beta', cta_url: '/waitlist' } }, 'waitlist'], cleanup)
    await checkDocumentedRoutes(app, assert, ['waitlist'])
    const home = await (await app.request('/')).text()
    assert.include(home, '<a class="button" href="/waitlist">Join the beta</a>')
    assert.include(home, '<nav><a href="/">Home</a><a href="/waitlist">Join</a></nav>')
    assert.equal((await app.request('/waitlist', { method: 'POST', form: { email: 'fern@example.com' } })).headers.get('location'), '/waitlist?status=joined')
    await stopCleanly(app, assert)
  })

  test('booking + contact form + services: each answers, the services lead to booking', async ({ assert, cleanup }) => {
    const app = await startModules(['booking', 'contact-form', 'services-page'], cleanup, { install: false })
    assert.isAtLeast(await checkDocumentedRoutes(app, assert), 12)
    assert.include(await (await app.request('/services')).text(), 'href="/booking">Book now</a>')
    const nav = (await (await app.request('/contact')).text()).match(/<nav>.*<\/nav>/)![0]
    assert.equal(nav, '<nav><a href="/services">Services</a><a href="/booking">Book</a><a href="/contact">Contact</a></nav>')
    await stopCleanly(app, assert)
  })

  test('menu + gallery + testimonials with a landing page: a café site', async ({ assert, cleanup }) => {
    const app = await startModules(
      [{ id: 'app-base', params: { title: 'Café Lumen', color_primary: 'saddlebrown', font: 'serif' } }, { id: 'landing-page', params: { headline: 'Coffee and cake by the river', cta_label: 'See the menu', cta_url: '/menu' } }, 'menu', 'gallery', 'testimonials'],
      cleanup,
      { install: false }
    )
    // (The landing page's documented text is its default headline, replaced here.)
    await checkDocumentedRoutes(app, assert, ['menu', 'gallery', 'testimonials'])
    const home = await (await app.request('/')).text()
    assert.include(home, '<a href="/menu">Menu</a><a href="/gallery">Gallery</a><a href="/testimonials">Reviews</a>')
    assert.include(await (await app.request('/theme.css')).text(), '--accent: #8b4513;')
    await stopCleanly(app, assert)
  })

  test('two crud entities + admin page: the admin sees both collections', async ({ assert, cleanup }) => {
    const entities = [
      { entity: 'recipes', title: 'Recipes', singular: 'recipe', fields: [{ name: 'title', type: 'text', required: true }, { name: 'ingredients', type: 'textarea' }, { name: 'course', type: 'choice', options: ['starter', 'main', 'dessert'] }] },
      { entity: 'cooks', title: 'Cooks', singular: 'cook', access: 'public', fields: [{ name: 'name', type: 'text', required: true }, { name: 'email', type: 'email' }] },
    ]
    const app = await startModules([{ id: 'crud-resource', params: { entities } }, 'admin-page'], cleanup, { install: false })
    await checkDocumentedRoutes(app, assert)
    assert.equal((await app.request('/api/recipes', { admin: true, method: 'POST', json: { title: 'Borscht', course: 'starter' } })).status, 201)
    assert.equal((await app.request('/api/cooks', { method: 'POST', json: { name: 'Anna' } })).status, 201)
    const admin = (await (await app.request('/admin', { admin: true, headers: { accept: 'application/json' } })).json()) as { collections: { name: string; count: number }[] }
    assert.deepInclude(admin.collections, { name: 'crud-recipes', count: 1 })
    assert.deepInclude(admin.collections, { name: 'crud-cooks', count: 1 })
    await stopCleanly(app, assert)
  })

  test('blog + comments: comments under a post, posted from the post page and shown there', async ({ assert, cleanup }) => {
    const app = await startModules(['blog', 'comments'], cleanup, { install: false })
    await checkDocumentedRoutes(app, assert)
    const post = await (await app.request('/blog/hello-world')).text()
    assert.include(post, '<h2>Comments (0)</h2>')
    assert.include(post, '<form class="stack" method="post" action="/comments/blog-hello-world">')
    const posted = await app.request('/comments/blog-hello-world', { method: 'POST', form: { name: 'Reader', text: 'Nice <em>post</em>' } })
    assert.equal(posted.headers.get('location'), '/blog/hello-world?posted=1#comments')
    const after = await (await app.request('/blog/hello-world')).text()
    assert.include(after, '<h2>Comments (1)</h2>')
    assert.include(after, 'Nice &lt;em&gt;post&lt;/em&gt;')
    // The guestbook is a thread of its own.
    assert.notInclude(await (await app.request('/comments')).text(), 'Nice &lt;em&gt;')
    await stopCleanly(app, assert)
  })

  test('events + accounts: both answer, side by side', async ({ assert, cleanup }) => {
    const app = await startModules(['events', 'accounts'], cleanup, { install: false })
    await checkDocumentedRoutes(app, assert)
    const page = await (await app.request('/events')).text()
    assert.include(page, '<a href="/events">Events</a>')
    assert.include(page, '<a href="/signup">Sign up</a>')
    await stopCleanly(app, assert)
  })

  test('a Russian app: every module of it speaks Russian', async ({ assert, cleanup }) => {
    const app = await startModules(
      [{ id: 'app-base', params: { lang: 'ru', title: 'Салон «Бархат»' } }, { id: 'landing-page', params: { headline: 'Стрижки и укладки', cta_label: 'Записаться', cta_url: '/booking' } }, 'contact-form', 'waitlist', 'accounts', 'blog', 'pricing-page', 'booking', 'faq'],
      cleanup,
      { install: false }
    )
    const pages: Record<string, string[]> = {
      '/': ['<html lang="ru">', 'Главная', 'Почему мы'],
      '/contact': ['Свяжитесь с нами', 'Эл. почта', 'Отправить'],
      '/waitlist': ['Запишитесь в лист ожидания'],
      '/signup': ['Создайте аккаунт', 'Пароль'],
      '/blog': ['Блог', 'Новости и заметки.'],
      '/pricing': ['Цены'],
      '/booking': ['Онлайн-запись', 'Часы работы'],
      '/faq': ['Частые вопросы'],
    }
    for (const [path, words] of Object.entries(pages)) {
      const body = await (await app.request(path)).text()
      for (const word of words) assert.include(body, word, `${path}: ${word}`)
    }
    const refused = await app.request('/contact', { method: 'POST', form: { name: '', email: 'x', message: '' } })
    assert.include(await refused.text(), 'Пожалуйста, укажите имя.')
    await stopCleanly(app, assert)
  })

  test('every module of the catalogue at once: no route or file conflicts, every documented route answers', async ({ assert, cleanup }) => {
    const ids = (await loadCatalogue()).list().map((m) => m.id)
    const app = await startModules(ids, cleanup)
    assert.isAtLeast(await checkDocumentedRoutes(app, assert), 60)
    assert.sameMembers(app.composed.modules, ids)
    await stopCleanly(app, assert)
  })
})
