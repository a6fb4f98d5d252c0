import { test } from '@japa/runner'
import plugin from './index.js'
import { registerAiProviderContract } from '#tests/contracts/ai_provider'
import { loadCatalogue } from '#modules/composer'
import { parseOutput } from '#ai/output_protocol'
import { interpretConversation, type Plan } from './interpreter.js'
import { buildAnswer } from './builder.js'
import { EXAMPLES, dayCodes } from './render.js'

registerAiProviderContract(test, 'offline', () => plugin.create({ settings: {}, logger: console as any }), {
  model: 'offline-builder',
})

const plan = (...messages: string[]): Plan => interpretConversation(messages).plan
const fields = (p: Plan, index = 0) => p.entities[index].fields.map((f) => `${f.label}:${f.type}`)

test.group('Offline interpreter: names', () => {
  test('quoted, «guillemets», "called X", "for my X", Russian "под названием"', ({ assert }) => {
    assert.equal(plan('A website for my bakery called Sweet Crumbs with a menu').title, 'Sweet Crumbs')
    assert.equal(plan('A landing page for "Blue Fox Studio" with a contact form').title, 'Blue Fox Studio')
    assert.equal(plan('Сайт для кофейни «Ромашка» с меню').title, 'Ромашка')
    assert.equal(plan('a site for my bakery with a contact form').title, 'Bakery')
    assert.equal(plan('Приложение под названием Книжный клуб, где участники с именем и email').title, 'Книжный клуб')
    assert.equal(plan('Лендинг для кофейни с формой связи').title, 'Кофейня', 'the genitive of "для …" back to its base form')
  })

  test('a rename in a follow-up changes the title and keeps everything else', ({ assert }) => {
    const before = plan('A landing page for "Sweet Crumbs" with a waitlist')
    const after = plan('A landing page for "Sweet Crumbs" with a waitlist', 'rename the app to "Crumb & Co"')
    assert.equal(after.title, 'Crumb & Co')
    assert.deepEqual(after.modules, before.modules)
    assert.equal(plan('Сайт «Ромашка» с блогом', 'переименуй в «Василёк»').title, 'Василёк')
  })

  test('a Cyrillic name gets a readable slug, not "project"', async ({ assert }) => {
    const built = buildAnswer(['Сайт для кофейни «Ромашка» с формой связи'], await loadCatalogue())
    assert.equal(built.params.get('app-base')!.name, 'romashka')
  })
})

test.group('Offline interpreter: entities and fields', () => {
  test('"customers with name, email and company" and a second entity in the same request', ({ assert }) => {
    const p = plan('A CRM: customers with name, email and company, and deals with title, amount, stage and close date')
    assert.deepEqual(p.entities.map((e) => [e.entity, e.title, e.singular]), [['customers', 'Customers', 'customer'], ['deals', 'Deals', 'deal']])
    assert.deepEqual(fields(p, 0), ['Name:text', 'Email:email', 'Company:text'])
    assert.deepEqual(fields(p, 1), ['Title:text', 'Amount:number', 'Stage:choice', 'Close date:date'])
    assert.deepEqual(p.entities[1].fields[2].options, ['Lead', 'Negotiation', 'Won', 'Lost'])
  })

  test('types from the words: quantity/price/seats → number, date → date, status/priority → choice, long text → textarea', ({ assert }) => {
    assert.deepEqual(fields(plan('items with name, quantity and price')), ['Name:text', 'Quantity:number', 'Price:number'])
    assert.deepEqual(fields(plan('tasks with title, due date, priority, status (open, blocked, closed) and done')), ['Title:text', 'Due date:date', 'Priority:choice', 'Status:choice', 'Done:boolean'])
    assert.deepEqual(plan('tasks with title, status (open, blocked, closed)').entities[0].fields[1].options, ['Open', 'Blocked', 'Closed'])
    assert.deepEqual(fields(plan('A recipe collection: recipes with title, ingredients and steps, and a search')), ['Title:text', 'Ingredients:textarea', 'Steps:textarea'])
    assert.deepEqual(fields(plan('a yoga studio: classes with title, seats and website')), ['Title:text', 'Seats:number', 'Website:url'])
    assert.deepEqual(fields(plan('contacts with name, phone number and email address')), ['Name:text', 'Phone number:text', 'Email address:email'])
  })

  test('records named without fields get sensible ones ("manage products", "an expense tracker")', ({ assert }) => {
    assert.deepEqual(fields(plan('an inventory to manage products with an admin dashboard')), ['Name:text', 'Price:number', 'Quantity:number'])
    assert.deepEqual(plan('an expense tracker').entities.map((e) => e.entity), ['expenses'])
    assert.deepEqual(plan('учёт товаров для склада').entities.map((e) => e.title), ['Товары'])
  })

  test('a field added in a follow-up, to the named entity or the only one; renamed; removed', ({ assert }) => {
    const base = 'customers with name, email and company'
    assert.deepEqual(fields(plan(base, 'add a phone field to customers')), ['Name:text', 'Email:email', 'Company:text', 'Phone:text'])
    assert.deepEqual(fields(plan(base, 'add a birthday field')), ['Name:text', 'Email:email', 'Company:text', 'Birthday:date'])
    assert.deepEqual(fields(plan(base, 'rename the field company to Organisation')), ['Name:text', 'Email:email', 'Organisation:text'])
    assert.deepEqual(fields(plan(base, 'remove the company field')), ['Name:text', 'Email:email'])
    const two = plan(base, 'add suppliers with name, email and rating')
    assert.deepEqual(two.entities.map((e) => e.entity), ['customers', 'suppliers'])
    assert.deepEqual(fields(two, 1), ['Name:text', 'Email:email', 'Rating:number'])
  })
})

test.group('Offline interpreter: colours and theme', () => {
  test('CSS names, hex, roles, dark theme', ({ assert }) => {
    assert.deepEqual(plan('A bakery site with a menu. Navy background with gold accents.').theme, { color_background: 'navy', color_primary: 'gold', theme_mode: 'dark' })
    assert.equal(plan('a landing page in teal').theme.color_primary, 'teal')
    assert.equal(plan('a landing page, primary colour #e11d48').theme.color_primary, '#e11d48')
    assert.deepEqual(plan('a blog with a dark theme').theme, { theme_mode: 'dark' })
    assert.deepEqual(plan('a blog with white text on a black background and orange buttons').theme, { color_text: 'white', color_background: 'black', color_primary: 'orange', theme_mode: 'dark' })
    assert.equal(plan('a blog, dark blue accents').theme.color_primary, 'darkblue')
  })

  test('food words are not colours unless the sentence talks about colours', ({ assert }) => {
    assert.deepEqual(plan('a menu with chocolate cake and salmon').theme, {})
    assert.equal(plan('a menu, use a chocolate colour for the buttons').theme.color_primary, 'chocolate')
  })

  test('Russian colour words and theme', ({ assert }) => {
    assert.deepEqual(plan('Сайт кофейни, тёмная тема, основной цвет зелёный').theme, { theme_mode: 'dark', color_primary: 'green' })
    assert.deepEqual(plan('Лендинг с блогом: белый фон и синие кнопки').theme, { color_background: 'white', color_primary: 'blue', theme_mode: 'light' })
    assert.equal(plan('Лендинг с блогом', 'сделай основной цвет тёмно-синим').theme.color_primary, 'navy')
    assert.equal(plan('Лендинг с блогом', 'сделай основной цвет тёмно-зелёным').theme.color_primary, 'darkgreen')
  })
})

test.group('Offline interpreter: negation', () => {
  test('"remove", "without", "no", "убери", "без" take modules out; the rest stays', ({ assert }) => {
    assert.deepEqual(plan('a landing page with a waitlist, a blog and pricing', 'remove the pricing page').modules, ['landing-page', 'waitlist', 'blog'])
    assert.deepEqual(plan('a landing page with a blog but without a pricing page').modules, ['landing-page', 'blog'])
    assert.deepEqual(plan('a blog, no comments, no pricing, with a contact form').modules, ['landing-page', 'blog', 'contact-form'])
    assert.deepEqual(plan('a site with a blog', "I don't need the blog, add a FAQ").modules, ['landing-page', 'faq'])
    assert.deepEqual(plan('Сайт с блогом, отзывами и формой связи', 'убери блог').modules, ['landing-page', 'testimonials', 'contact-form'])
    assert.deepEqual(plan('Сайт для студии йоги без регистрации, с расписанием занятий и отзывами').modules, ['landing-page', 'testimonials'])
    assert.notInclude(plan('a landing page with a waitlist, no pricing page').modules, 'pricing-page')
  })

  test('removing what the app does not have is understood, changes nothing and says so', ({ assert }) => {
    const { plan: p, turn } = interpretConversation(['a landing page with a blog', 'remove the pricing page'])
    assert.isTrue(turn.understood)
    assert.deepEqual(turn.changes, [])
    assert.match(turn.notes[0].en, /no pricing page/)
    assert.deepEqual(p.modules, ['landing-page', 'blog'])
  })
})

test.group('Offline interpreter: Russian', () => {
  test('"задачи с названием, сроком и исполнителем": fields in their base form, with types', ({ assert }) => {
    const p = plan('Трекер задач для команды: задачи с названием, сроком и исполнителем, поиск и фильтры')
    assert.equal(p.lang, 'ru')
    assert.deepEqual(p.entities.map((e) => [e.entity, e.title, e.singular]), [['zadachi', 'Задачи', 'задача']])
    assert.deepEqual(fields(p), ['Название:text', 'Срок:date', 'Исполнитель:text'])
  })

  test('Russian follow-ups: add a field, a page, change colours', ({ assert }) => {
    const p = plan('Клиенты с именем, телефоном и почтой', 'добавь поле компания в клиенты', 'добавь блог', 'сделай фон чёрным')
    assert.deepEqual(fields(p), ['Имя:text', 'Телефон:text', 'Почта:email', 'Компания:text'])
    assert.include(p.modules, 'blog')
    assert.equal(p.theme.color_background, 'black')
  })

  test('the answer is in the language of the message, and the app is Russian for a Russian request', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const ru = buildAnswer(['Лендинг для пекарни «Сдоба» с формой связи'], catalogue)
    assert.match(ru.answer, /Офлайн-сборщик/)
    assert.equal(ru.plan.lang, 'ru')
    const en = buildAnswer(['A landing page for "Crumbs" with a contact form'], catalogue)
    assert.match(en.answer, /Offline builder/)
    assert.equal(en.plan.lang, 'en')
  })

  test('every feature card of the home page has a title: the page it stands for, in the app\'s language', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const ru = buildAnswer(['Сайт кофейни «Утро»: меню, запись и отзывы'], catalogue).params.get('landing-page')!
    assert.includeMembers(ru.features as string[], ['Меню: Всё меню на одной странице.', 'Отзывы: Что говорят наши клиенты.'])
    const en = buildAnswer(['A bakery site with a menu and a FAQ'], catalogue).params.get('landing-page')!
    assert.includeMembers(en.features as string[], ['Menu: See the full menu.', 'FAQ: Answers to common questions.'])
  })

  test('the answer names the theme in the user\'s words, not parameter names', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const ru = buildAnswer(['Сайт кофейни «Утро» с меню. Цвета зелёные, тёмная тема.'], catalogue)
    assert.include(ru.answer, 'Оформление: тёмная тема, основной цвет green.')
    const en = buildAnswer(['A bakery site with a menu. Navy background with gold accents.'], catalogue)
    assert.include(en.answer, 'Theme: background navy, primary colour gold, dark theme.')
    // The prose (the module instructions after it carry the parameters themselves).
    const prose = (answer: string) => answer.slice(0, answer.indexOf('<xb'))
    assert.notMatch(prose(ru.answer) + prose(en.answer), /theme_mode|color_/)
  })
})

test.group('Offline interpreter: honesty and determinism', () => {
  test('gibberish and small talk are not understood: no instruction, three example requests, in the user\'s language', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    for (const message of ['asdf qwer zxcv', 'hello there', 'lorem ipsum dolor sit amet', 'ывапролдж фывап']) {
      const built = buildAnswer([message], catalogue)
      assert.isFalse(built.turn.understood, message)
      assert.deepEqual(parseOutput(built.answer, { finished: true }).ops, [], message)
      const examples = EXAMPLES[built.turn.lang]
      for (const example of examples) assert.include(built.answer, example)
    }
    assert.match(buildAnswer(['asdf'], catalogue).answer, /did not understand/)
    assert.match(buildAnswer(['ывапролдж фывап'], catalogue).answer, /не понял/)
  })

  test('every example request offered is itself understood', ({ assert }) => {
    for (const example of [...EXAMPLES.en, ...EXAMPLES.ru]) {
      const { turn, plan: p } = interpretConversation([example])
      assert.isTrue(turn.understood, example)
      assert.isAbove(p.modules.length + p.entities.length, 1, example)
    }
  })

  test('the suggestion an answer ends with works: it is understood and changes the app', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    for (const request of ['a landing page with pricing', 'customers with name and email', 'a blog', 'Сайт с тарифами', 'Клиенты с именем и почтой', 'Блог о путешествиях', ...EXAMPLES.en, ...EXAMPLES.ru]) {
      const first = buildAnswer([request], catalogue)
      const next = first.suggestion!
      assert.isString(next, request)
      assert.include(first.answer, next)
      const second = buildAnswer([request, next], catalogue)
      assert.isTrue(second.turn.understood, `${request} → ${next}`)
      assert.isNotEmpty(second.ops.text, `${request} → "${next}" changes the app`)
    }
  })

  test('the same conversation always gives the same answer', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    const conversation = ['A CRM for "Acme": customers with name and email, navy theme', 'add a phone field to customers']
    assert.equal(buildAnswer(conversation, catalogue).answer, buildAnswer(conversation, catalogue).answer)
  })
})

/**
 * Requests the builder benchmark (bench/builder) found misread, each fixed in
 * the interpreter's rules or vocabulary, never by matching the sentence.
 */
test.group('Offline interpreter: lists and pages the benchmark found misread', () => {
  test('"X: records with fields" in Russian: the records after the colon, in their base form, and no extra list for X', ({ assert }) => {
    const vet = plan('Учёт пациентов ветклиники: питомцы с кличкой, породой, возрастом и владельцем')
    assert.deepEqual(vet.entities.map((e) => e.title), ['Питомцы'])
    assert.deepEqual(fields(vet), ['Кличка:text', 'Порода:text', 'Возраст:number', 'Владелец:text'])
    assert.deepEqual(plan('CRM для агентства недвижимости: клиенты с именем, телефоном и бюджетом').entities.map((e) => e.title), ['Клиенты'])
    assert.deepEqual(fields(plan('Каталог книг: книги с названием, автором, годом и жанром')), ['Название:text', 'Автор:text', 'Год:number', 'Жанр:choice'])
  })

  test('"…, а также проекты с …" starts a second kind of records', ({ assert }) => {
    const p = plan('Ведём клиентов с именем, почтой и компанией, а также проекты с названием, бюджетом и сроком')
    assert.deepEqual(p.entities.map((e) => e.title), ['Клиенты', 'Проекты'])
    assert.deepEqual(fields(p, 1), ['Название:text', 'Бюджет:number', 'Срок:date'])
  })

  test('a page word inside a field list is a field when it plainly is one', ({ assert }) => {
    const devices = plan('devices with name, serial number, owner and purchase date')
    assert.deepEqual(fields(devices), ['Name:text', 'Serial number:text', 'Owner:text', 'Purchase date:date'])
    assert.notInclude(devices.modules, 'payment-link')
    const hackathon = plan('участники с именем, почтой, командой и навыками')
    assert.deepEqual(fields(hackathon), ['Имя:text', 'Почта:email', 'Команда:text', 'Навыки:text'])
    assert.notInclude(hackathon.modules, 'team-page')
    // Still: an article before a page word ends the list.
    assert.deepEqual(plan('recipes with title and steps, and a blog').modules, ['landing-page', 'blog'])
  })

  test('a list of pages after a colon is pages, not fields; prose with "with" is not records', ({ assert }) => {
    const tutor = plan('Сайт репетитора по математике: о себе, цены, отзывы и форма для связи')
    assert.deepEqual(tutor.entities, [])
    assert.includeMembers(tutor.modules, ['about-page', 'pricing-page', 'testimonials', 'contact-form'])
    assert.deepEqual(plan('Atlas Consulting helps small businesses with finance and taxes. Add a contact form.').entities, [])
  })

  test('the list ends before prose: "…lesson day, and I want a public page about me, my prices"', ({ assert }) => {
    const p = plan('I want to keep track of my students with name, email, level and lesson day, and I want a public page about me, my prices and a contact form')
    assert.deepEqual(fields(p), ['Name:text', 'Email:email', 'Level:choice', 'Lesson day:date'])
    assert.includeMembers(p.modules, ['about-page', 'pricing-page', 'contact-form'])
  })

  test('pages asked for in other words: prices, цены, онлайн-запись, newsletter signup, our teachers, о школе', ({ assert }) => {
    assert.include(plan('Car repair shop where customers can see our prices').modules, 'pricing-page')
    assert.include(plan('Лендинг для школы английского языка с ценами и формой заявки').modules, 'pricing-page')
    assert.include(plan('Лендинг для школы английского языка с ценами и формой заявки').modules, 'contact-form')
    assert.include(plan('Сайт для салона красоты «Лилия» с онлайн-записью').modules, 'booking')
    assert.include(plan('A band site with a newsletter signup').modules, 'waitlist')
    assert.includeMembers(plan('Онлайн-школа: страница о школе, наши преподаватели и тарифы').modules, ['about-page', 'team-page', 'pricing-page'])
  })
})

test.group('Offline interpreter: colours the benchmark found misread', () => {
  test('colour words that are not CSS names: burgundy, off-white, rose gold, sage', ({ assert }) => {
    assert.equal(plan('a library site, deep burgundy primary colour on a light background').theme.color_primary, '#800020')
    assert.equal(plan('a blog, white background with rose gold accents').theme.color_primary, '#b76e79')
    assert.equal(plan('a blog with an off-white background').theme.color_background, '#faf9f6')
    assert.deepEqual(plan('a herb shop selling sage, rust remover and cream cheese').theme, {}, 'no colour cue: "sage" and "cream" are just words')
  })

  test('"name (#hex)" is one colour, the exact one; two colour words in a row are one colour', ({ assert }) => {
    assert.deepEqual(plan('A café. Colours: espresso brown (#4b2e2a) for the header and buttons, off-white background.').theme, { color_primary: '#4b2e2a', color_background: '#faf9f6', theme_mode: 'light' })
    assert.deepEqual(plan('A guesthouse. Colours: ocean blue primary (#0369a1) and sandy beige background.').theme, { color_primary: '#0369a1', color_background: 'beige', theme_mode: 'light' })
    assert.equal(plan('a helpdesk, slate gray primary colour').theme.color_primary, 'slategray')
    assert.equal(plan('a recipe book, olive green accents on a beige background').theme.color_primary, 'olive', 'a shade of a basic hue is the shade')
  })

  test('"dark themed", "dark colour scheme"', ({ assert }) => {
    assert.equal(plan('Dark themed landing page for an indie game studio named Pixel Forge').theme.theme_mode, 'dark')
    assert.equal(plan('a portfolio with a dark color scheme').theme.theme_mode, 'dark')
  })
})

test.group('Offline builder: opening hours', () => {
  test('the days of the hours become one opening-hours record per open day', async ({ assert }) => {
    assert.deepEqual(dayCodes('Mon–Fri'), ['mon', 'tue', 'wed', 'thu', 'fri'])
    assert.deepEqual(dayCodes('пн–сб'), ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'])
    assert.deepEqual(dayCodes('Sat–Mon'), ['sat', 'sun', 'mon'])
    assert.deepEqual(dayCodes('daily'), ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
    assert.deepEqual(dayCodes(null), ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
    const booking = buildAnswer(['Physiotherapy bookings, open Mon-Fri 8:00-19:00'], await loadCatalogue()).params.get('booking')!
    assert.deepEqual(booking.opening_hours, ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '08:00', close: '19:00' })))
  })

  test('Russian hours in any case: «с часами работы — ежедневно с 8:00 до 22:00»', ({ assert }) => {
    assert.deepEqual(plan('Кофейня с меню, часами работы — ежедневно с 8:00 до 22:00 — и отзывами').booking.hours, { days: 'ежедневно', from: '08:00', to: '22:00' })
  })
})

test.group('Offline interpreter: names, copy and details the benchmark found missed', () => {
  test('"X is a …", "X helps …", "We are X, …", "I\'m X, …" name the app', ({ assert }) => {
    assert.equal(plan('Bloom & Petal is a florist in Brighton. Add a contact form.').title, 'Bloom & Petal')
    assert.equal(plan('Atlas Consulting helps small businesses. We need a services page.').title, 'Atlas Consulting')
    assert.equal(plan('We are The Midnight Owls, an indie folk band. We need a blog.').title, 'The Midnight Owls')
    assert.equal(plan("I'm Maya Chen, an illustrator. I want a gallery.").title, 'Maya Chen')
    assert.equal(plan('Our village library wants a blog').title !== 'Our village library', true, 'a pronoun is not a name')
    assert.equal(plan("I'm Sam, a dog walker, and my business is called Happy Tails. Add a booking page.").title, 'Happy Tails', '"called" wins')
  })

  test('«для салона красоты» names the app "Салон красоты", not "Салон"', ({ assert }) => {
    assert.equal(plan('Сайт для салона красоты с записью').title, 'Салон красоты')
    assert.equal(plan('CRM для агентства недвижимости: клиенты с именем и телефоном').title, 'Агентство недвижимости')
    assert.equal(plan('Лендинг для кофейни с формой связи').title, 'Кофейня', 'a preposition after the place is not part of it')
  })

  test('"a headline that says …" sets the headline', ({ assert }) => {
    assert.equal(plan('A landing page with a headline that says "See your data clearly" and a pricing page').headline, 'See your data clearly')
  })

  test('a newsletter signup is the waitlist shown as "Newsletter" («Рассылка»)', async ({ assert }) => {
    const catalogue = await loadCatalogue()
    assert.equal(buildAnswer(['A band site with a blog and a newsletter signup'], catalogue).params.get('waitlist')!.nav_label, 'Newsletter')
    assert.equal(buildAnswer(['Сайт кофейни с меню и подпиской на новости'], catalogue).params.get('waitlist')!.nav_label, 'Рассылка')
    assert.notProperty(buildAnswer(['A landing page with a waitlist'], catalogue).params.get('waitlist')!, 'nav_label')
  })

  test('services from "book … for X, Y and Z" and «записаться на X, Y и Z»', ({ assert }) => {
    assert.deepEqual(plan('Clients should book appointments online for manicure, pedicure and eyebrow shaping.').booking.services, ['Manicure', 'Pedicure', 'Eyebrow shaping'])
    assert.deepEqual(plan('Нужен сайт, где клиентки смогут записаться онлайн на стрижку, окрашивание и маникюр.').booking.services, ['Стрижка', 'Окрашивание', 'Маникюр'])
    assert.isUndefined(plan('A booking page for my hair salon with opening hours').booking.services)
  })

  test('records named in the genitive plural get their real name and default fields ("трекер привычек")', ({ assert }) => {
    const p = plan('Трекер привычек')
    assert.deepEqual(p.entities.map((e) => e.title), ['Привычки'])
    assert.deepEqual(fields(p), ['Название:text', 'Периодичность:text', 'Начало:text'])
  })
})
