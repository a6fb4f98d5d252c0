import { test } from '@japa/runner'
import { links, mentions, themeColours, themeHas, verdict, visibleText, type Fetched } from '../../bench/builder/check.js'
import { corpus } from '../../bench/builder/corpus.js'

/**
 * The builder benchmark's checker and corpus (issue 12, item 6): the checker
 * must fail an app that lacks what was asked for, or the figures it prints
 * mean nothing; the corpus must hold what the issue promises.
 */
const page = (nav: string, body: string) => `<!doctype html><html><head><title>T</title><style>.x{color:red}</style></head><body><nav>${nav}</nav><main>${body}</main><script>var hidden = "Secret"</script></body></html>`
const THEME = ':root {\n  --radius: 12px;\n  color-scheme: light;\n  --accent: #000080;\n  --bg: #ffffff;\n  --surface: #ffffff;\n  --text: #1b1e2b;\n}\n@media (prefers-color-scheme: dark) {\n:root {\n  --accent: #ff0000;\n  --bg: #000000;\n}\n}\n'

function app(overrides: Partial<Fetched> = {}): Fetched {
  const nav = '<a href="/apps/a-1/">Home</a><a href="/apps/a-1/menu">Menu</a><a href="/apps/a-1/recipes">Recipes</a>'
  return {
    home: page(nav, '<h1>Sweet &amp; Crumbs</h1><p>Рецепты бабушки</p>'),
    pages: [
      { link: { href: '/apps/a-1/menu', text: 'Menu' }, status: 200, html: page(nav, '<h2>Breads</h2>') },
      { link: { href: '/apps/a-1/recipes', text: 'Recipes' }, status: 200, html: page(nav, '<a href="/apps/a-1/recipes/new">New recipe</a>') },
    ],
    forms: new Map([['Recipes', page(nav, '<form><label>Title <input name="title"></label><label>Steps <textarea name="steps"></textarea></label><input type="hidden" name="_csrf"><button>Save</button></form>')]]),
    themeCss: THEME,
    ...overrides,
  }
}

test.group('Builder benchmark: reading a live app', () => {
  test('visible text leaves out scripts, styles and tags, decodes entities and keeps placeholders', ({ assert }) => {
    const text = visibleText('<style>p{}</style><p>Fish &amp; chips&#33;</p><script>alert("no")</script><input placeholder="Your email">')
    assert.equal(text, 'Fish & chips! Your email')
  })

  test('links come with their visible text', ({ assert }) => {
    assert.deepEqual(links('<a class="x" href="/apps/a/menu"><span>Menu</span></a> <a>no href</a>'), [{ href: '/apps/a/menu', text: 'Menu' }])
  })

  test('words match case-insensitively, with alternatives, and ё as е', ({ assert }) => {
    assert.isTrue(mentions('Тёмная тема', 'темная'))
    assert.isTrue(mentions('Book now', 'reserve|BOOK'))
    assert.isFalse(mentions('Contact', 'Menu'))
  })

  test('theme colours come from the main :root block, within a tolerance', ({ assert }) => {
    const theme = themeColours(THEME)
    assert.deepEqual(theme.accent, [0, 0, 128])
    assert.isTrue(themeHas(theme, 'darkblue'), 'navy counts for dark blue')
    assert.isFalse(themeHas(theme, 'red'), 'the dark block is not the main palette')
    assert.isTrue(themeHas(theme, 'red|navy'))
    assert.throws(() => themeHas(theme, 'cream'), /not a CSS colour/)
  })
})

test.group('Builder benchmark: verdict', () => {
  test('an app that shows what was asked for is honoured', ({ assert }) => {
    const result = verdict({ words: ['Sweet & Crumbs', 'рецепт'], pages: ['Menu'], fields: { Recipes: ['Title', 'Steps'] }, colours: ['navy'], dark: false }, app())
    assert.deepEqual(result.failures, [])
    assert.isTrue(result.honoured)
    assert.deepEqual(result.colours, { asked: true, honoured: true })
  })

  test('each missing thing is a named failure', ({ assert }) => {
    const result = verdict({ words: ['Secret', 'Gallery'], pages: ['Blog'], fields: { Recipes: ['Title', 'Servings'] }, colours: ['teal'], dark: true }, app())
    assert.isFalse(result.honoured)
    assert.deepEqual(result.failures, [
      'word "Secret" is on no page',
      'word "Gallery" is on no page',
      'no link to a page "Blog" on the home page',
      'page "Recipes" has no field "Servings"',
      'colour teal is not in /theme.css',
      'the theme is not dark',
    ])
    assert.deepEqual(result.colours, { asked: true, honoured: false })
  })

  test('a linked page that does not answer 200 is not reachable', ({ assert }) => {
    const fetched = app()
    fetched.pages[0].status = 404
    assert.deepEqual(verdict({ pages: ['Menu'] }, fetched).failures, ['page "Menu" (/apps/a-1/menu) answered 404'])
  })

  test('fields are read from the "new" form when there is one, not from the list\'s headers and filters', ({ assert }) => {
    const fetched = app()
    fetched.pages[1].html = page('', '<table><th>Servings</th></table><input name="q"><select name="f"></select>')
    assert.deepEqual(verdict({ fields: { Recipes: ['Servings'] } }, fetched).failures, ['page "Recipes" has no field "Servings"'])
  })

  test('labels without form controls are not fields', ({ assert }) => {
    const fetched = app({ forms: new Map([['Recipes', page('', '<p>Title, Steps</p>')]]) })
    assert.match(verdict({ fields: { Recipes: ['Title', 'Steps'] } }, fetched).failures[0], /0 form controls for 2 fields/)
  })
})

test.group('Builder benchmark: corpus', () => {
  test('at least 100 requests: 25 in Russian, 25 long specifications that ask for colours', ({ assert }) => {
    assert.isAtLeast(corpus.length, 100)
    assert.equal(new Set(corpus.map((e) => e.id)).size, corpus.length, 'ids are unique')
    assert.isAtLeast(corpus.filter((e) => /[а-яё]/i.test(e.request)).length, 25)
    const long = corpus.filter((e) => e.group === 'long')
    assert.isAtLeast(long.length, 25)
    for (const entry of long) {
      assert.isAtLeast(entry.request.split(/\n\s*\n/).length, 2, `${entry.id} has several paragraphs`)
      assert.isTrue((entry.expect.colours?.length ?? 0) > 0 || entry.expect.dark !== undefined, `${entry.id} asks for colours`)
    }
    assert.isAtLeast(corpus.filter((e) => e.group === 'en').length, 25)
  })

  test('every entry expects something, and every colour it expects is a CSS colour', ({ assert }) => {
    const theme = themeColours(THEME)
    for (const entry of corpus) {
      const { words = [], pages = [], fields = {}, colours = [], dark } = entry.expect
      assert.isTrue(words.length + pages.length + Object.keys(fields).length + colours.length > 0 || dark !== undefined, entry.id)
      for (const colour of colours) assert.doesNotThrow(() => themeHas(theme, colour), entry.id)
    }
  })
})
