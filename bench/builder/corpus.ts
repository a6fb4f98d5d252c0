/**
 * The builder benchmark's public corpus: requests written as real people
 * write them, each with what a person reading it would demand of the live
 * app. Groups: short English requests, Russian requests, and long
 * multi-paragraph specifications with colours (like those of public
 * app-generation benchmarks).
 *
 * Expectations (checked by bench/builder/check.ts against the live app):
 * - words: each appears in the visible text of the home page or a page it
 *   links to ("A|B": either; case-insensitive, ё = е);
 * - pages: the home page links to a page whose link text says it, and it
 *   answers 200;
 * - fields: the page so linked (or its "new" form, as the owner sees it)
 *   shows these field labels, with as many form controls;
 * - colours: CSS colours (names or hex) the theme must use, as accent,
 *   background, surfaces or text (within a small distance: a lifted accent
 *   or "navy" for "dark blue" still counts);
 * - dark: the theme is dark (true) or light (false).
 */
export type Group = 'en' | 'ru' | 'long'
export const GROUPS: [Group, string][] = [
  ['en', 'English, short'],
  ['ru', 'Russian'],
  ['long', 'long specifications'],
]

export type Expectation = {
  words?: string[]
  pages?: string[]
  fields?: Record<string, string[]>
  colours?: string[]
  dark?: boolean
}

export type Entry = { id: string; group: Group; request: string; expect: Expectation }

const en = (id: string, request: string, expect: Expectation): Entry => ({ id: `en-${id}`, group: 'en', request, expect })
const ru = (id: string, request: string, expect: Expectation): Entry => ({ id: `ru-${id}`, group: 'ru', request, expect })
const long = (id: string, request: string, expect: Expectation): Entry => ({ id: `long-${id}`, group: 'long', request: request.trim().replace(/^ +/gm, ''), expect })

export const corpus: Entry[] = [
  // ------------------------------------------------------------------------------------------
  // English, short: one or two sentences, as typed into a chat box.
  en('recipes', 'A recipe collection: recipes with title, ingredients and steps, and a search', {
    words: ['Recipe'],
    pages: ['Recipes'],
    fields: { Recipes: ['Title', 'Ingredients', 'Steps'] },
  }),
  en('salon', 'A booking page for my hair salon "Velvet Cuts" with opening hours Tue–Sat 9:00–18:00', {
    words: ['Velvet Cuts', '09:00|9:00', '18:00'],
    pages: ['Book|Appointment'],
  }),
  en('crm', 'A small CRM: customers with name, email and company', {
    pages: ['Customers'],
    fields: { Customers: ['Name', 'Email', 'Company'] },
  }),
  en('photography', 'A portfolio site for my wedding photography with a gallery and a contact form', {
    words: ['photograph'],
    pages: ['Gallery|Portfolio', 'Contact'],
  }),
  en('hardware', 'Inventory tracker for my hardware shop: items with name, quantity and price', {
    words: ['hardware|inventory'],
    pages: ['Items'],
    fields: { Items: ['Name', 'Quantity', 'Price'] },
  }),
  en('yoga-waitlist', 'A landing page for "Brightside Yoga" with class pricing and a waitlist for the new studio', {
    words: ['Brightside Yoga'],
    pages: ['Pricing|Prices', 'Waitlist|Join'],
  }),
  en('charity-run', 'Event page for our charity run on June 14 with RSVP', {
    words: ['charity run'],
    pages: ['Event|RSVP'],
  }),
  en('todo', 'A to-do list app', {
    pages: ['Tasks|To-do|Todo'],
    fields: { 'Tasks|To-do|Todo': ['Title|Task'] },
  }),
  en('dental', 'Website for a dental clinic with online appointment booking, our services and a FAQ', {
    words: ['dental'],
    pages: ['Book|Appointment', 'Services', 'FAQ|Questions'],
  }),
  en('hiking-blog', 'A simple blog about hiking in the Alps', {
    words: ['hiking', 'Alps'],
    pages: ['Blog'],
  }),
  en('gym', 'Gym website with membership pricing, our team of trainers and a contact form', {
    words: ['gym', 'trainer|team'],
    pages: ['Pricing|Membership', 'Team|Trainers', 'Contact'],
  }),
  en('expenses', 'Track my expenses', {
    pages: ['Expenses'],
    fields: { Expenses: ['Amount', 'Date'] },
  }),
  en('linkinbio', 'A link-in-bio page for my TikTok cooking channel', {
    words: ['cooking'],
    pages: ['Links'],
  }),
  en('trattoria', 'Menu and table reservations for Trattoria Bella', {
    words: ['Trattoria Bella'],
    pages: ['Menu', 'Book|Reserv'],
  }),
  en('python-faq', 'A FAQ page for my online course on Python', {
    words: ['Python'],
    pages: ['FAQ|Questions'],
  }),
  en('offsite-poll', 'Poll to pick the date of the team offsite', {
    words: ['offsite'],
    pages: ['Poll|Vote'],
  }),
  en('book-club', 'Book club site where members can suggest books with title, author and year', {
    words: ['Book club'],
    pages: ['Books'],
    fields: { Books: ['Title', 'Author', 'Year'] },
  }),
  en('wedding', 'A wedding website for Anna & Tom with RSVP, our story and a photo gallery', {
    words: ['Anna & Tom|Anna and Tom'],
    pages: ['RSVP|Event', 'Story|About', 'Gallery|Photos'],
  }),
  en('coffee-survey', 'Customer feedback survey for my coffee shop', {
    words: ['coffee'],
    pages: ['Survey|Feedback'],
  }),
  en('pocketbudget', 'Landing page for a mobile app called Pocketbudget with a newsletter signup', {
    words: ['Pocketbudget', 'newsletter|subscribe|waitlist'],
    pages: ['Subscribe|Newsletter|Waitlist|Sign up'],
  }),
  en('law-firm', 'Team page and services page for a small law firm, Hart & Cole', {
    words: ['Hart & Cole', 'law'],
    pages: ['Team', 'Services'],
  }),
  en('job-board', 'A job board: jobs with title, company, location and salary', {
    pages: ['Jobs'],
    fields: { Jobs: ['Title', 'Company', 'Location', 'Salary'] },
  }),
  en('freelance', 'Client testimonials and pricing for my web design freelance business', {
    words: ['web design'],
    pages: ['Testimonials|Reviews', 'Pricing'],
  }),
  en('garden-qa', 'Q&A site for our neighbourhood community garden', {
    words: ['garden'],
    pages: ['Q&A|Questions'],
  }),
  en('pets', 'A pet adoption site listing pets with name, species, age and photo', {
    words: ['adopt'],
    pages: ['Pets'],
    fields: { Pets: ['Name', 'Species', 'Age'] },
  }),
  en('reading-log', 'Personal reading log: books with title, author, rating and date finished', {
    pages: ['Books'],
    fields: { Books: ['Title', 'Author', 'Rating', 'Date finished'] },
  }),
  en('pixel-forge', 'Dark themed landing page for an indie game studio named Pixel Forge', {
    words: ['Pixel Forge'],
    dark: true,
  }),
  en('grooming', 'Dog grooming appointments, 60-minute slots, open Mon–Fri 8am–5pm', {
    words: ['groom', '08:00|8:00|8am', '17:00|5pm'],
    pages: ['Book|Appointment'],
  }),
  en('conference', 'A conference site with the speakers on a team page, ticket pricing and a FAQ', {
    words: ['conference', 'speaker|team'],
    pages: ['Pricing|Tickets', 'Team|Speakers', 'FAQ|Questions'],
  }),
  en('plumber', 'Simple contact page for a plumber in Bristol', {
    words: ['plumb', 'Bristol'],
    pages: ['Contact'],
  }),
  en('candles', 'Make a site for selling my handmade candles with a buy button', {
    words: ['candle'],
    pages: ['Buy|Shop|Order'],
  }),
  en('food-bank', 'Volunteer sign-up for the food bank: volunteers with name, email, phone and availability', {
    words: ['food bank'],
    pages: ['Volunteers'],
    fields: { Volunteers: ['Name', 'Email', 'Phone', 'Availability'] },
  }),
  en('travel-blog', 'A blog with comments for my travel diary', {
    words: ['travel', 'comment'],
    pages: ['Blog'],
  }),
  en('salty-dog', 'Restaurant website for "The Salty Dog" with our menu, opening hours 12:00-23:00 and reviews', {
    words: ['The Salty Dog', '12:00', '23:00'],
    pages: ['Menu', 'Reviews|Testimonials'],
  }),
  en('yoga-green', 'Yoga studio site in green and white with a class schedule', {
    words: ['yoga'],
    colours: ['green|forestgreen|seagreen'],
  }),
  en('attendance', 'Student attendance tracker: students with name, class and grade', {
    pages: ['Students'],
    fields: { Students: ['Name', 'Class', 'Grade'] },
  }),
  en('pottery', 'An about page and a contact form for my pottery studio, Clay Days', {
    words: ['Clay Days', 'pottery'],
    pages: ['About', 'Contact'],
  }),
  en('solarkit', 'A product launch waitlist for SolarKit, orange accents', {
    words: ['SolarKit'],
    pages: ['Waitlist|Join'],
    colours: ['orange|darkorange'],
  }),
  en('car-repair', 'Car repair shop where customers can book a service, see our prices and read the FAQ', {
    words: ['repair'],
    pages: ['Book|Appointment', 'Pric', 'FAQ|Questions'],
  }),
  en('real-estate', 'Real estate listings: properties with address, price, bedrooms and status', {
    pages: ['Properties'],
    fields: { Properties: ['Address', 'Price', 'Bedrooms', 'Status'] },
  }),
  en('lunch-survey', 'An online survey for parents about the new school lunches', {
    words: ['lunch'],
    pages: ['Survey'],
  }),
  en('workouts', 'Fitness tracker: workouts with date, type, duration and calories', {
    pages: ['Workouts'],
    fields: { Workouts: ['Date', 'Type', 'Duration', 'Calories'] },
  }),

  // ------------------------------------------------------------------------------------------
  // Russian: short and medium requests, as Russian small businesses write them.
  ru('coffee', 'Сайт для кофейни «Зерно» с меню и формой обратной связи', {
    words: ['Зерно'],
    pages: ['Меню', 'Контакт|Связ|Напис'],
  }),
  ru('warehouse', 'Учёт товаров на складе: товары с названием, количеством и ценой', {
    pages: ['Товары'],
    fields: { Товары: ['Название', 'Количество', 'Цена'] },
  }),
  ru('tasks', 'Задачи с названием, сроком и исполнителем', {
    pages: ['Задачи'],
    fields: { Задачи: ['Название', 'Срок', 'Исполнитель'] },
  }),
  ru('beauty', 'Сайт для салона красоты «Лилия» с онлайн-записью, услугами и отзывами', {
    words: ['Лилия'],
    pages: ['Запис', 'Услуг', 'Отзыв'],
  }),
  ru('english-school', 'Лендинг для школы английского языка с ценами и формой заявки', {
    words: ['английск'],
    pages: ['Цен|Тариф', 'Заявк|Контакт|Связ'],
  }),
  ru('photographer', 'Портфолио фотографа с галереей работ и контактами', {
    words: ['фотограф'],
    pages: ['Галере|Портфолио', 'Контакт'],
  }),
  ru('altai-blog', 'Блог о путешествиях по Алтаю', {
    words: ['Алта', 'путешеств'],
    pages: ['Блог'],
  }),
  ru('dentist', 'Сайт стоматологической клиники: запись на приём, наши врачи, цены и частые вопросы', {
    words: ['стоматолог', 'врач|команд'],
    pages: ['Запис', 'Цен', 'Вопрос'],
  }),
  ru('white-nights', 'Меню и бронирование столиков для ресторана «Белые ночи»', {
    words: ['Белые ночи'],
    pages: ['Меню', 'Брон|Запис'],
  }),
  ru('realty-crm', 'CRM для агентства недвижимости: клиенты с именем, телефоном и бюджетом', {
    pages: ['Клиент'],
    fields: { Клиент: ['Имя', 'Телефон', 'Бюджет'] },
  }),
  ru('fitness-dark', 'Сайт фитнес-клуба «Атлет» в тёмной теме, с ценами на абонементы и командой тренеров', {
    words: ['Атлет'],
    pages: ['Цен|Тариф|Абонемент', 'Команд|Тренер'],
    dark: true,
  }),
  ru('hotel-survey', 'Опрос для гостей нашей гостиницы', {
    words: ['гост'],
    pages: ['Опрос|Анкет'],
  }),
  ru('beer-vote', 'Голосование за название нового сорта пива нашей пивоварни', {
    words: ['пив'],
    pages: ['Голосов|Опрос'],
  }),
  ru('ceramics', 'Страница мероприятия: мастер-класс по керамике 12 октября, запись участников', {
    words: ['керамик'],
    pages: ['Событ|Мероприят|Запис|Афиша'],
  }),
  ru('family-todo', 'Список дел для семьи', {
    pages: ['Задачи|Дела'],
  }),
  ru('car-service', 'Сайт автосервиса с прайсом, записью на ремонт и контактами, синий цвет', {
    words: ['автосервис|ремонт'],
    pages: ['Цен|Прайс|Тариф', 'Запис', 'Контакт'],
    colours: ['blue|royalblue|mediumblue'],
  }),
  ru('home-library', 'Каталог книг домашней библиотеки: книги с названием, автором, годом и жанром', {
    pages: ['Книги'],
    fields: { Книги: ['Название', 'Автор', 'Год', 'Жанр'] },
  }),
  ru('yoga-course', 'Лендинг для курса по йоге с отзывами учеников и листом ожидания', {
    words: ['йог'],
    pages: ['Отзыв', 'Ожидан|Подпис'],
  }),
  ru('expenses', 'Учёт расходов', {
    pages: ['Расход'],
    fields: { Расход: ['Сумма', 'Дата'] },
  }),
  ru('kindergarten', 'Сайт детского сада «Солнышко»: о нас, команда воспитателей, галерея и контакты', {
    words: ['Солнышко'],
    pages: ['О нас', 'Команд', 'Галере', 'Контакт'],
  }),
  ru('flowers', 'Сайт цветочного магазина в розовых тонах с оплатой онлайн и отзывами покупателей', {
    words: ['цвет'],
    pages: ['Оплат|Купить', 'Отзыв'],
    colours: ['pink|hotpink|palevioletred|deeppink|lightpink'],
  }),
  ru('dance-form', 'Анкета для записи на пробное занятие в школе танцев', {
    words: ['танц'],
    pages: ['Анкет|Опрос|Запис'],
  }),
  ru('habits', 'Трекер привычек', {
    pages: ['Привычк'],
  }),
  ru('lawyer', 'Сайт юриста: услуги, цены, вопросы и ответы, форма связи', {
    words: ['юрист'],
    pages: ['Услуг', 'Цен', 'Вопрос', 'Связ|Контакт'],
  }),
  ru('bakery', 'Интернет-витрина пекарни «Хлебный дом» с меню, часами работы с 8:00 до 20:00 и зелёными акцентами', {
    words: ['Хлебный дом', '08:00|8:00', '20:00'],
    pages: ['Меню'],
    colours: ['green|forestgreen|seagreen'],
  }),
  ru('hackathon', 'Регистрация участников хакатона: участники с именем, почтой, командой и навыками', {
    words: ['хакатон'],
    pages: ['Участник'],
    fields: { Участник: ['Имя', 'Почт|Email', 'Команд', 'Навык'] },
  }),
  ru('manicure', 'Сайт-визитка мастера маникюра с портфолио и онлайн-записью, часы работы пн–сб 10:00–19:00', {
    words: ['маникюр', '10:00', '19:00'],
    pages: ['Портфолио|Галере', 'Запис'],
  }),
  ru('vet', 'Учёт пациентов ветклиники: питомцы с кличкой, породой, возрастом и владельцем', {
    pages: ['Питомц'],
    fields: { Питомц: ['Кличка', 'Порода', 'Возраст', 'Владел'] },
  }),
  ru('it-conf', 'Лендинг для IT-конференции «Код 2027» с тарифами на билеты и частыми вопросами', {
    words: ['Код 2027'],
    pages: ['Тариф|Цен|Билет', 'Вопрос'],
  }),
  ru('tutor', 'Сайт репетитора по математике: о себе, цены, отзывы и форма для связи', {
    words: ['математик'],
    pages: ['О себе|О нас|Обо мне', 'Цен', 'Отзыв', 'Связ|Контакт'],
  }),
  ru('knitting-links', 'Страница ссылок для моего блога о вязании', {
    words: ['вязан'],
    pages: ['Ссылк'],
  }),
  ru('confectionery', 'Журнал заказов кондитерской: заказы с клиентом, датой, суммой и статусом', {
    pages: ['Заказ'],
    fields: { Заказ: ['Клиент', 'Дата', 'Сумма', 'Статус'] },
  }),
  ru('barber', 'Сайт для барбершопа «Борода» в чёрно-золотой гамме с записью к мастеру', {
    words: ['Борода'],
    pages: ['Запис'],
    colours: ['black|#111111|#1a1a1a', 'gold|goldenrod|#d4af37'],
  }),

  // ------------------------------------------------------------------------------------------
  // Long specifications: several paragraphs, with the look described, as in public app-generation benchmarks.
  long('bakery', `
    I run a small family bakery called "Sweet Crumbs" in Leeds. I want a website where people can see what we bake and ask about birthday cakes.

    The home page should introduce the bakery and link to a menu of our breads and cakes. There should also be a contact form so customers can ask about custom orders.

    Design: warm cream background with a chocolate brown accent, rounded corners, friendly serif headings.`, {
    words: ['Sweet Crumbs', 'bakery'],
    pages: ['Menu', 'Contact'],
    colours: ['chocolate|saddlebrown|sienna'],
  }),
  long('clinic', `
    We are a physiotherapy clinic named "MoveWell Physio". Patients should be able to book an appointment online. Sessions are 45 minutes and we are open Mon-Fri 8:00-19:00.

    Please add a page with our services, a page about the team of therapists and a FAQ that answers the usual questions about insurance and what to wear.

    The look should be calm and clinical: white background, teal as the main colour, sans-serif font.`, {
    words: ['MoveWell Physio', '08:00|8:00', '19:00'],
    pages: ['Book|Appointment', 'Services', 'Team', 'FAQ|Questions'],
    colours: ['teal|darkcyan', 'white'],
  }),
  long('crm-agency', `
    I need an internal CRM for our small marketing agency, Northwind Media.

    We track clients with name, email, company and phone, and deals with title, value, stage and close date. The owner should be able to search the clients.

    Keep it simple and professional: navy blue primary colour on a light grey background.`, {
    words: ['Northwind Media'],
    pages: ['Clients', 'Deals'],
    fields: { Clients: ['Name', 'Email', 'Company', 'Phone'], Deals: ['Title', 'Value', 'Stage', 'Close date'] },
    colours: ['navy|darkblue|midnightblue'],
  }),
  long('gym', `
    Iron Temple is a neighbourhood gym. We want a website to attract new members.

    It needs membership pricing, a team page introducing our coaches, testimonials from members and a contact form for questions. Members should be able to sign up for an account.

    Make it bold: a dark theme, with a bright red accent colour and square corners.`, {
    words: ['Iron Temple'],
    pages: ['Pricing|Membership', 'Team|Coaches', 'Testimonials|Reviews', 'Contact', 'Sign up|Account|Log in'],
    colours: ['red|crimson|#e11d48'],
    dark: true,
  }),
  long('portfolio', `
    I'm Maya Chen, an illustrator and graphic designer. I want a personal portfolio website.

    The main thing is a gallery of my work. I'd also like an about page telling my story, a list of services with prices, and a contact form for commissions.

    Colour scheme: soft lavender background, deep purple accents, and a handwritten-feeling rounded font.`, {
    words: ['Maya Chen'],
    pages: ['Gallery|Portfolio|Work', 'About', 'Services', 'Contact'],
    colours: ['purple|rebeccapurple|indigo|darkviolet'],
  }),
  long('cafe', `
    Our café, "The Daily Grind", is opening a second location downtown.

    We need a site with the full menu (coffee, pastries, sandwiches), our opening hours — we are open daily 7:00-18:00 — and customer reviews. People should be able to subscribe to a newsletter for seasonal specials.

    Colours: espresso brown (#4b2e2a) for the header and buttons, off-white background.`, {
    words: ['The Daily Grind', '07:00|7:00', '18:00'],
    pages: ['Menu', 'Reviews|Testimonials', 'Subscribe|Newsletter|Waitlist'],
    colours: ['#4b2e2a'],
  }),
  long('inventory', `
    We are a small electronics repair shop and we keep losing track of spare parts.

    Build an inventory app: parts with name, part number, quantity, price and supplier. We also want a list of suppliers with name, email and phone. It must be possible to search and sort the parts.

    Use a dark green primary colour and keep the background white.`, {
    pages: ['Parts', 'Suppliers'],
    fields: { Parts: ['Name', 'Part number', 'Quantity', 'Price', 'Supplier'], Suppliers: ['Name', 'Email', 'Phone'] },
    colours: ['darkgreen|forestgreen|#166534'],
  }),
  long('event', `
    We are organising "Harvest Fest 2027", a weekend food and music festival.

    The site should list the events of the festival where people can RSVP and reserve a seat, show a photo gallery from last year, and have a FAQ about tickets, parking and pets.

    Theme: golden yellow and dark brown, festive but readable.`, {
    words: ['Harvest Fest 2027'],
    pages: ['Events|RSVP', 'Gallery|Photos', 'FAQ|Questions'],
    colours: ['gold|goldenrod|#eab308', 'saddlebrown|#3e2723|#4e342e|sienna|brown'],
  }),
  long('school', `
    Greenfield Primary School wants a simple website for parents.

    Please include a blog for school news, an events page for parent evenings and the summer fair, a team page with our teachers, and a contact form for the office.

    Friendly colours: sky blue primary on a white background, rounded corners.`, {
    words: ['Greenfield Primary School|Greenfield Primary'],
    pages: ['Blog|News', 'Events', 'Team|Teachers', 'Contact'],
    colours: ['skyblue|deepskyblue|lightskyblue|#0ea5e9'],
  }),
  long('salon-long', `
    Hello! I own a nail and beauty salon called Glow Studio.

    Clients should book appointments online for manicure, pedicure and eyebrow shaping. We are open Tue-Sun 10:00-20:00 and each appointment is 30 minutes.

    I'd love a gallery of our work and a few testimonials from happy clients.

    Style: blush pink background with rose gold accents (#b76e79). Elegant serif font.`, {
    words: ['Glow Studio', 'Manicure', 'Pedicure', '10:00', '20:00'],
    pages: ['Book|Appointment', 'Gallery|Portfolio', 'Testimonials|Reviews'],
    colours: ['#b76e79'],
  }),
  long('recipes-long', `
    I want to build a family recipe book so that grandma's recipes are not lost.

    Recipes have a title, ingredients, steps, cooking time and difficulty. Family members should be able to comment on recipes, and there should be a search.

    Please make it cosy: olive green accents on a beige background, serif font.`, {
    pages: ['Recipes'],
    fields: { Recipes: ['Title', 'Ingredients', 'Steps', 'Cooking time', 'Difficulty'] },
    colours: ['olive|olivedrab|darkolivegreen'],
  }),
  long('saas', `
    We're launching "Taskly", a lightweight project management tool for freelancers.

    The landing page needs a strong headline, pricing with three plans, a FAQ, and a waitlist form for early access. Add a blog for product updates.

    Brand colours: electric blue #2563eb as primary, white background, and dark slate text.`, {
    words: ['Taskly'],
    pages: ['Pricing', 'FAQ|Questions', 'Waitlist|Early access|Join', 'Blog'],
    colours: ['#2563eb'],
  }),
  long('nonprofit', `
    Paws & Whiskers is an animal shelter run by volunteers.

    We need a website that lists animals for adoption (animals with name, species, age and description), lets people donate online, and has an about page with our story. A contact form for adoption questions would be great too.

    Warm orange as the main colour on a soft white background.`, {
    words: ['Paws & Whiskers|Paws and Whiskers'],
    pages: ['Animals', 'Donate|Buy|Pay', 'About', 'Contact'],
    fields: { Animals: ['Name', 'Species', 'Age', 'Description'] },
    colours: ['orange|darkorange|#f97316'],
  }),
  long('coworking', `
    HiveSpace is a coworking space in Berlin.

    Members should be able to book meeting rooms online; we are open Mon-Fri 8:00-20:00 and rooms are booked by the hour. Show membership pricing, our upcoming community events and a contact form.

    Use a honey yellow (#f5b700) accent with charcoal (#222222) text on a light background.`, {
    words: ['HiveSpace', '08:00|8:00', '20:00'],
    pages: ['Book|Reserv', 'Pricing|Membership', 'Events', 'Contact'],
    colours: ['#f5b700'],
  }),
  long('tutoring', `
    I'm a maths tutor offering lessons for GCSE and A-level students.

    I want to keep track of my students with name, email, level and lesson day, and I want a public page about me, my prices and a contact form for parents.

    Colours: forest green primary, cream background, friendly rounded font.`, {
    words: ['tutor|maths'],
    pages: ['Students', 'About', 'Pric', 'Contact'],
    fields: { Students: ['Name', 'Email', 'Level', 'Lesson day'] },
    colours: ['forestgreen|green|darkgreen'],
  }),
  long('band', `
    We are The Midnight Owls, an indie folk band.

    Our site needs upcoming concerts where fans can RSVP, a gallery with photos from gigs, a blog for tour diaries, and a newsletter signup.

    Dark theme please, with a silver accent colour.`, {
    words: ['The Midnight Owls|Midnight Owls'],
    pages: ['Events|Concerts|RSVP', 'Gallery|Photos', 'Blog', 'Subscribe|Newsletter|Waitlist'],
    colours: ['silver|#c0c0c0|lightgray|gainsboro'],
    dark: true,
  }),
  long('helpdesk', `
    Our IT department needs a small helpdesk app.

    Employees submit tickets with title, description, priority and status. We also keep a list of devices with name, serial number, owner and purchase date. Only the admin can edit.

    Neutral design: slate gray primary colour, white background, monospace font for a technical feel.`, {
    pages: ['Tickets', 'Devices'],
    fields: { Tickets: ['Title', 'Description', 'Priority', 'Status'], Devices: ['Name', 'Serial number', 'Owner', 'Purchase date'] },
    colours: ['slategray|slategrey|gray|#64748b'],
  }),
  long('wedding-long', `
    Emma and Liam are getting married on 12 September 2027 in Bath!

    We want a wedding website with an RSVP for the ceremony and the party, our story on an about page, a photo gallery, and a FAQ with travel and dress code details.

    Colours: sage green (#9caf88) and ivory, with an elegant serif font.`, {
    words: ['Emma', 'Liam'],
    pages: ['RSVP|Event', 'Story|About', 'Gallery|Photos', 'FAQ|Questions'],
    colours: ['#9caf88'],
  }),
  long('florist', `
    Bloom & Petal is a florist in Brighton.

    Customers should see our services (wedding flowers, bouquets, subscriptions), read testimonials, and pay for a bouquet online. We also want a contact form for event enquiries.

    Design: white background, dusty rose (#d8a7b1) accents, rounded corners.`, {
    words: ['Bloom & Petal|Bloom and Petal'],
    pages: ['Services', 'Testimonials|Reviews', 'Buy|Pay|Order', 'Contact'],
    colours: ['#d8a7b1'],
  }),
  long('library', `
    Our village library wants to put its catalogue online.

    Books have title, author, year, genre and available (yes/no). Visitors should be able to search the books. We also run reading events and want people to RSVP.

    Colours: deep burgundy primary colour on an off-white background, serif font.`, {
    pages: ['Books', 'Events'],
    fields: { Books: ['Title', 'Author', 'Year', 'Genre', 'Available'] },
    colours: ['maroon|#800020|darkred|#7f1d1d'],
  }),
  long('startup-dark', `
    "Nebula Analytics" is a data analytics startup.

    We need a landing page with a headline that says "See your data clearly", a pricing page, customer testimonials and a contact form for demo requests.

    Dark mode with a neon cyan accent (#22d3ee), sharp square corners.`, {
    words: ['Nebula Analytics', 'See your data clearly'],
    pages: ['Pricing', 'Testimonials|Reviews', 'Contact'],
    colours: ['#22d3ee'],
    dark: true,
  }),
  long('dog-walker', `
    I'm Sam, a dog walker in Manchester, and my business is called Happy Tails.

    I want clients to book walks online (30-minute slots, open daily 7:00-19:00), see my prices, and read reviews from other dog owners.

    Bright and playful: lime green accent on a white background.`, {
    words: ['Happy Tails', '07:00|7:00', '19:00'],
    pages: ['Book|Appointment', 'Pric', 'Reviews|Testimonials'],
    colours: ['limegreen|lime|#84cc16|yellowgreen'],
  }),
  long('hotel', `
    Seaview Guesthouse is a family-run B&B on the coast of Cornwall.

    Guests should be able to make a reservation online, see a gallery of the rooms, read reviews and find answers in a FAQ (check-in times, breakfast, parking).

    Colours: ocean blue primary (#0369a1) and sandy beige background.`, {
    words: ['Seaview Guesthouse'],
    pages: ['Book|Reserv', 'Gallery|Photos|Rooms', 'Reviews|Testimonials', 'FAQ|Questions'],
    colours: ['#0369a1'],
  }),
  long('club', `
    The Riverside Chess Club meets every Thursday.

    We want a members area where people can sign up and log in, an events page for tournaments, a poll to choose the next tournament format, and a blog with game analyses.

    Classic look: black and white with a dark green accent.`, {
    words: ['Riverside Chess Club'],
    pages: ['Sign up|Account|Log in', 'Events', 'Poll|Vote', 'Blog'],
    colours: ['darkgreen|green|forestgreen'],
  }),
  long('consultancy', `
    Atlas Consulting helps small businesses with finance and taxes.

    The website should present our services, the team of consultants, client testimonials and a Q&A section where visitors ask questions. Add a contact form too.

    Professional navy (#1e3a5f) primary colour with gold accents, white background.`, {
    words: ['Atlas Consulting'],
    pages: ['Services', 'Team', 'Testimonials|Reviews', 'Q&A|Questions', 'Contact'],
    colours: ['#1e3a5f'],
  }),
  long('ru-salon', `
    Я открываю салон красоты «Бархат» в Казани. Нужен сайт, где клиентки смогут записаться онлайн на стрижку, окрашивание и маникюр.

    Мы работаем пн–сб с 10:00 до 21:00. Нужна страница с услугами и ценами, галерея наших работ и отзывы клиентов.

    Оформление: бордовый основной цвет, светло-бежевый фон, элегантный шрифт с засечками.`, {
    words: ['Бархат', '10:00', '21:00'],
    pages: ['Запис', 'Услуг|Цен', 'Галере', 'Отзыв'],
    colours: ['maroon|#800020|darkred'],
  }),
  long('ru-crm', `
    Нам нужна простая CRM для студии веб-дизайна «Пиксель».

    Ведём клиентов с именем, почтой, телефоном и компанией, а также проекты с названием, бюджетом, сроком и статусом. Нужен поиск по клиентам.

    Цвета: тёмно-синий основной, белый фон.`, {
    words: ['Пиксель'],
    pages: ['Клиент', 'Проект'],
    fields: { Клиент: ['Имя', 'Почт|Email', 'Телефон', 'Компани'], Проект: ['Название', 'Бюджет', 'Срок', 'Статус'] },
    colours: ['navy|darkblue|midnightblue'],
  }),
  long('ru-cafe', `
    Кофейня «Утро» в Петербурге. Хотим сайт с меню (кофе, выпечка, завтраки), часами работы — ежедневно с 8:00 до 22:00 — и отзывами гостей.

    Ещё нужна форма обратной связи для заказов на мероприятия и подписка на новости.

    Тёплые цвета: коричневый как основной, кремовый фон.`, {
    words: ['Утро', '08:00|8:00', '22:00'],
    pages: ['Меню', 'Отзыв', 'Контакт|Связ', 'Подпис|Рассылк|Ожидан'],
    colours: ['saddlebrown|brown|sienna|chocolate|#6f4e37'],
  }),
  long('ru-school', `
    Онлайн-школа программирования для детей «Робокод».

    На сайте нужны: страница о школе, наши преподаватели, тарифы на курсы, частые вопросы родителей и анкета для записи на бесплатный пробный урок.

    Яркое оформление: оранжевый основной цвет, белый фон, скруглённые углы.`, {
    words: ['Робокод'],
    pages: ['О нас|О школе', 'Команд|Преподавател', 'Тариф|Цен', 'Вопрос', 'Анкет|Опрос|Запис'],
    colours: ['orange|darkorange'],
  }),
  long('ru-events', `
    Мы проводим городской фестиваль уличной еды «Вкусный двор» 20–21 июня.

    Нужен сайт с программой мероприятий, где можно зарегистрироваться и забронировать место на мастер-классы, галереей фотографий прошлого года и частыми вопросами.

    Тёмная тема, жёлтые акценты.`, {
    words: ['Вкусный двор'],
    pages: ['Мероприят|Событ|Афиша', 'Галере|Фото', 'Вопрос'],
    colours: ['gold|yellow|#eab308|#facc15'],
    dark: true,
  }),
]
