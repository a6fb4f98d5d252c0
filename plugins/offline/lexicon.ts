import { phrase, type Lang, type Phrase } from './text.js'

/**
 * The offline interpreter's vocabulary, English and Russian. Words are
 * written in their base form and matched on Snowball stems (see text.ts:
 * `=word` is an exact word, `word*` a prefix), so "blogs", "блога" and
 * "блогом" all find the blog.
 */

/** Page and feature modules, and the words that ask for them. */
export const MODULE_WORDS: Record<string, string[]> = {
  'landing-page': ['landing', 'landing page', 'home page', 'homepage', 'front page', 'main page', 'hero', 'лендинг', 'главная страница', '=главная', '=главную', 'посадочная страница'],
  'pricing-page': ['=pricing', '=prices', 'price list', 'our rates', '=цены', '=ценами', '=цен', '=расценки', 'прайс-лист', 'стоимость услуг', 'pricing page', '=plans', 'subscription plans', '=tiers', 'тариф', 'тарифы', 'прайс', 'страница цен', 'страница с ценами', 'цены на услуги'],
  'waitlist': ['waitlist', 'newsletter signup', 'newsletter sign-up', 'wait list', 'waiting list', 'newsletter', 'early access', 'subscribe', 'subscribers', 'mailing list', 'sign-ups for updates', 'лист ожидания', 'список ожидания', 'рассылка', 'подписка на новости', 'ранний доступ'],
  'contact-form': ['contact', 'contact form', 'feedback', 'get in touch', 'enquiry', 'inquiry', 'enquiries', 'inquiries', 'reach us', 'message us', 'контакт', 'обратная связь', 'связаться', 'форма связи', 'форма для связи', 'для связи', 'форма заявки', 'оставить заявку', 'написать нам'],
  'accounts': ['account', 'accounts', 'log in', 'login', 'sign in', 'sign up', 'signup', 'sign-up', 'register', 'registration', 'members area', 'member area', 'members', 'user accounts', 'регистрация', 'зарегистрироваться', 'вход', 'личный кабинет', 'аккаунт', 'авторизация', 'логин'],
  'blog': ['blog', 'article', 'articles', 'blog posts', 'posts', '=news', 'journal', 'блог', 'статья', 'статьи', 'новости', 'посты'],
  'admin-page': ['admin', 'admin panel', 'dashboard', 'back office', 'backoffice', 'moderation', 'moderate', 'админ', 'админка', 'панель управления', 'администратор', 'модерация'],
  'file-uploads': ['upload', 'uploads', 'file upload', 'attachments', '=files', 'загрузка файлов', 'загрузка', 'загрузить', 'файлы', 'вложения'],
  'payment-link': ['pay', 'payment', 'payments', 'checkout', 'buy', '=sell', 'purchase', 'donate', 'donation', 'donations', 'stripe', 'paddle', 'оплата', 'оплатить', 'купить', 'продажа', 'продавать', 'донат', 'пожертвование'],
  'booking': ['=booking', '=bookings', 'online booking', '=book an appointment', 'book a table', 'book online', 'can book', 'to book', 'appointment', 'appointments', 'reservation', 'reservations', 'reserve', 'opening hours', 'time slots', 'бронирование', 'забронировать', 'бронь', 'онлайн-запис*', 'онлайн запис*', 'онлайн-бронирован*', 'запись на прием', 'запис*', 'часы работы', 'прием'],
  'menu': ['menu', 'dishes', 'food menu', 'drinks menu', 'меню', 'блюда'],
  'gallery': ['gallery', 'portfolio', 'photos', 'photo gallery', 'pictures', 'showcase', 'галерея', 'портфолио', 'фото', 'фотографии'],
  'faq': ['faq', 'faqs', 'frequently asked questions', 'frequently asked', 'common questions', 'частые вопросы', 'часто задаваемые вопросы', 'вопросы и ответы', '=чаво'],
  'testimonials': ['testimonials', 'testimonial', 'reviews', 'customer reviews', 'what clients say', 'отзывы', 'отзыв'],
  'about-page': ['about us', 'about page', 'about me', 'about section', 'our story', 'who we are', 'о нас', 'о компании', 'о себе', 'обо мне', 'наша история', 'страница о', 'о школе', 'о студии', 'о салоне', 'о клинике'],
  'services-page': ['=services', 'our services', 'services page', 'service list', 'услуги', 'наши услуги', 'страница услуг'],
  'team-page': ['team', 'our team', 'team page', 'meet the team', 'staff page', 'our staff', 'our teachers', 'our coaches', 'our trainers', 'our doctors', 'our therapists', 'our stylists', 'our consultants', 'команда', 'наша команда', 'наши преподаватели', 'наши учителя', 'наши тренеры', 'наши врачи', 'наши мастера', 'наши специалисты', 'преподаватели', 'тренеры', 'коллектив'],
  'events': ['events', 'event', 'rsvp', 'meetups', 'meetup', 'workshops', 'concerts', 'мероприятия', 'мероприятие', 'события', 'афиша'],
  'polls': ['poll', 'polls', 'voting', '=vote', 'голосование', 'голосовать'],
  'comments': ['comments', 'comment section', 'комментарии'],
  'link-in-bio': ['link in bio', 'links page', 'link page', 'linktree', 'all my links', 'link-in-bio', 'ссылки в био', 'страница ссылок', 'мультиссылка', 'таплинк'],
  'qa': ['q&a', 'q & a', 'q and a', 'ask questions', 'ask a question', 'questions from visitors', 'question board', 'задать вопрос', 'вопросы посетителей'],
  'survey': ['survey', 'surveys', 'questionnaire', 'опрос', 'анкета', 'анкетирование'],
}

/** Words that only say "a site" or "an app": they make the request understood, and ask for a home page. */
export const SITE_WORDS = ['website', 'site', 'web site', 'web app', 'webapp', 'app', 'application', 'page', 'one-pager', 'сайт', 'приложение', 'страница', 'веб-приложение', 'лендинг']

/** Nouns that never name a kind of record. */
export const NOT_ENTITIES = new Set(
  ['page', 'site', 'website', 'app', 'application', 'section', 'form', 'button', 'theme', 'colour', 'color', 'background', 'design', 'style', 'font', 'link', 'list', 'field', 'fields', 'way', 'place', 'thing', 'something', 'people', 'visitors', 'everything', 'one', 'it', 'them', 'us', 'me', 'support', 'option', 'ability', 'feature', 'features', 'mode', 'name', 'title', 'accent', 'accents', 'text', 'corners', 'search', 'filter', 'filters', 'sorting', 'страниц', 'сайт', 'приложен', 'раздел', 'форм', 'кнопк', 'тем', 'цвет', 'фон', 'дизайн', 'стил', 'шрифт', 'ссылк', 'список', 'пол', 'возможн', 'функц', 'поиск', 'фильтр', 'сортировк', 'акцент', 'текст', 'углы'].map((w) => w)
)

/** Field types by the words of the field's name, checked in this order. */
export const FIELD_TYPE_WORDS: [type: 'email' | 'url' | 'text' | 'date' | 'number' | 'choice' | 'boolean' | 'textarea', words: string[]][] = [
  ['email', ['email', 'e-mail', 'mail', '=emails', 'почта', 'почтой', 'email-адрес', 'имейл', 'электронная почта']],
  ['url', ['url', 'link', 'website', 'site', 'homepage', 'ссылка', 'сайт']],
  ['text', ['serial number', 'serial', 'part number', 'sku', 'code', 'reference', 'order number', 'tracking number', 'артикул', 'серийный номер', 'номер', 'phone', 'telephone', 'mobile', 'address', 'телефон', 'адрес', 'name', 'имя', 'фамилия']],
  ['date', ['date', 'deadline', '=due', 'birthday', 'day', 'when', 'дата', 'срок', 'дедлайн', 'день рождения', 'день']],
  ['number', ['quantity', 'qty', 'price', 'cost', 'amount', 'seats', 'count', 'number', 'age', 'rating', 'stock', 'budget', 'salary', 'capacity', 'calories', 'weight', 'servings', 'score', 'year', 'total', 'hours', 'minutes', 'duration', 'pages', 'votes', 'сумма', 'цена', 'стоимость', 'количество', 'кол-во', 'места', 'мест', 'возраст', 'рейтинг', 'бюджет', 'вес', 'год', 'оценка', 'остаток', 'зарплата', 'калории', 'длительность', 'порции']],
  ['choice', ['status', 'priority', 'category', 'type', 'stage', 'level', 'size', 'difficulty', 'state', 'genre', 'статус', 'приоритет', 'категория', 'тип', 'этап', 'уровень', 'размер', 'сложность', 'жанр', 'стадия']],
  ['boolean', ['done', 'completed', 'paid', 'active', 'published', 'available', 'read', 'vegan', 'выполнено', 'оплачено', 'активен', 'опубликовано', 'в наличии', 'прочитано']],
  ['textarea', ['description', 'notes', 'note', 'ingredients', 'steps', 'instructions', 'bio', 'comment', 'comments', 'body', 'content', 'details', 'summary', 'review', 'message', 'описание', 'заметки', 'заметка', 'комментарий', 'текст', 'ингредиенты', 'шаги', 'инструкция', 'подробности', 'содержание', 'отзыв', 'сообщение']],
]

/** Default options of choice fields, by the field's stem. */
export const CHOICE_OPTIONS: Record<string, Record<Lang, string[]>> = {
  status: { en: ['New', 'In progress', 'Done'], ru: ['Новая', 'В работе', 'Готово'] },
  статус: { en: ['New', 'In progress', 'Done'], ru: ['Новая', 'В работе', 'Готово'] },
  prioriti: { en: ['Low', 'Medium', 'High'], ru: ['Низкий', 'Средний', 'Высокий'] },
  приоритет: { en: ['Low', 'Medium', 'High'], ru: ['Низкий', 'Средний', 'Высокий'] },
  stage: { en: ['Lead', 'Negotiation', 'Won', 'Lost'], ru: ['Лид', 'Переговоры', 'Успех', 'Отказ'] },
  этап: { en: ['Lead', 'Negotiation', 'Won', 'Lost'], ru: ['Новый', 'Переговоры', 'Успех', 'Отказ'] },
  level: { en: ['Beginner', 'Intermediate', 'Advanced'], ru: ['Начальный', 'Средний', 'Продвинутый'] },
  уровен: { en: ['Beginner', 'Intermediate', 'Advanced'], ru: ['Начальный', 'Средний', 'Продвинутый'] },
  difficulti: { en: ['Easy', 'Medium', 'Hard'], ru: ['Легко', 'Средне', 'Сложно'] },
  сложност: { en: ['Easy', 'Medium', 'Hard'], ru: ['Легко', 'Средне', 'Сложно'] },
  size: { en: ['S', 'M', 'L', 'XL'], ru: ['S', 'M', 'L', 'XL'] },
  размер: { en: ['S', 'M', 'L', 'XL'], ru: ['S', 'M', 'L', 'XL'] },
}
export const DEFAULT_CHOICES: Record<Lang, string[]> = { en: ['General', 'Important', 'Other'], ru: ['Общее', 'Важное', 'Другое'] }

/** Russian field words in their base form, by stem: lists write them in the instrumental ("с названием"). */
export const RU_FIELD_LEMMAS: Record<string, string> = {
  назван: 'Название', им: 'Имя', имен: 'Имя', фамил: 'Фамилия', срок: 'Срок', исполнител: 'Исполнитель', телефон: 'Телефон', цен: 'Цена',
  дат: 'Дата', почт: 'Почта', статус: 'Статус', приоритет: 'Приоритет', описан: 'Описание', количеств: 'Количество', автор: 'Автор', год: 'Год',
  категор: 'Категория', адрес: 'Адрес', сумм: 'Сумма', стоимост: 'Стоимость', коммент: 'Комментарий', комментар: 'Комментарий', заметк: 'Заметки',
  ингредиент: 'Ингредиенты', шаг: 'Шаги', ссылк: 'Ссылка', сайт: 'Сайт', фот: 'Фото', компан: 'Компания', должност: 'Должность', возраст: 'Возраст',
  рейтинг: 'Рейтинг', оценк: 'Оценка', жанр: 'Жанр', тип: 'Тип', этап: 'Этап', уровен: 'Уровень', размер: 'Размер', вес: 'Вес', врем: 'Время',
  мест: 'Места', текст: 'Текст', тем: 'Тема', город: 'Город', клиент: 'Клиент', email: 'Email', e: 'Email', мастер: 'Мастер', услуг: 'Услуга',
  бюджет: 'Бюджет', остатк: 'Остаток', остаток: 'Остаток', длительн: 'Длительность', продолжительн: 'Продолжительность', сложн: 'Сложность', сложност: 'Сложность',
  порц: 'Порции', калор: 'Калории', ответствен: 'Ответственный', заказчик: 'Заказчик', поставщик: 'Поставщик', артикул: 'Артикул', марк: 'Марка', модел: 'Модель',
}

/** Russian record names: stem → [plural title, singular]. Requests use any case ("учёт товаров", "задачи с …"). */
export const RU_ENTITIES: Record<string, [string, string]> = {
  задач: ['Задачи', 'задача'], клиент: ['Клиенты', 'клиент'], товар: ['Товары', 'товар'], заказ: ['Заказы', 'заказ'], рецепт: ['Рецепты', 'рецепт'],
  книг: ['Книги', 'книга'], сотрудник: ['Сотрудники', 'сотрудник'], проект: ['Проекты', 'проект'], заявк: ['Заявки', 'заявка'], студент: ['Студенты', 'студент'],
  ученик: ['Ученики', 'ученик'], урок: ['Уроки', 'урок'], курс: ['Курсы', 'курс'], встреч: ['Встречи', 'встреча'], контакт: ['Контакты', 'контакт'],
  сделк: ['Сделки', 'сделка'], счет: ['Счета', 'счёт'], расход: ['Расходы', 'расход'], доход: ['Доходы', 'доход'], привычк: ['Привычки', 'привычка'],
  заметк: ['Заметки', 'заметка'], фильм: ['Фильмы', 'фильм'], пациент: ['Пациенты', 'пациент'], питомц: ['Питомцы', 'питомец'], питомец: ['Питомцы', 'питомец'],
  автомобил: ['Автомобили', 'автомобиль'], машин: ['Машины', 'машина'], квартир: ['Квартиры', 'квартира'], объект: ['Объекты', 'объект'],
  ваканс: ['Вакансии', 'вакансия'], кандидат: ['Кандидаты', 'кандидат'], участник: ['Участники', 'участник'], гост: ['Гости', 'гость'],
  поставщик: ['Поставщики', 'поставщик'], продукт: ['Продукты', 'продукт'], блюд: ['Блюда', 'блюдо'], мастер: ['Мастера', 'мастер'], врач: ['Врачи', 'врач'],
  тренировк: ['Тренировки', 'тренировка'], упражнен: ['Упражнения', 'упражнение'], документ: ['Документы', 'документ'], идеи: ['Идеи', 'идея'], иде: ['Идеи', 'идея'],
  покупк: ['Покупки', 'покупка'], подписчик: ['Подписчики', 'подписчик'], растен: ['Растения', 'растение'], инструмент: ['Инструменты', 'инструмент'],
  оборудован: ['Оборудование', 'единица оборудования'], устройств: ['Устройства', 'устройство'], партнер: ['Партнёры', 'партнёр'], член: ['Члены клуба', 'член клуба'],
  абонемент: ['Абонементы', 'абонемент'], тикет: ['Тикеты', 'тикет'], обращен: ['Обращения', 'обращение'], поездк: ['Поездки', 'поездка'], игр: ['Игры', 'игра'],
  вин: ['Вина', 'вино'], фильмов: ['Фильмы', 'фильм'], сериал: ['Сериалы', 'сериал'], лид: ['Лиды', 'лид'], чек: ['Чеки', 'чек'], платеж: ['Платежи', 'платёж'],
}

/** Default fields of well-known records that were named without fields ("manage products"). */
export const DEFAULT_FIELDS: Record<string, { en: string; ru: string }> = {
  task: { en: 'title, due date, status', ru: 'название, срок, статус' },
  задач: { en: 'title, due date, status', ru: 'название, срок, статус' },
  product: { en: 'name, price, quantity', ru: 'название, цена, количество' },
  товар: { en: 'name, price, quantity', ru: 'название, цена, количество' },
  book: { en: 'title, author, year', ru: 'название, автор, год' },
  книг: { en: 'title, author, year', ru: 'название, автор, год' },
  expens: { en: 'title, amount, date, category', ru: 'название, сумма, дата, категория' },
  расход: { en: 'title, amount, date, category', ru: 'название, сумма, дата, категория' },
  contact: { en: 'name, email, phone', ru: 'имя, email, телефон' },
  контакт: { en: 'name, email, phone', ru: 'имя, email, телефон' },
  custom: { en: 'name, email, phone', ru: 'имя, email, телефон' },
  клиент: { en: 'name, email, phone', ru: 'имя, email, телефон' },
  habit: { en: 'name, frequency, started', ru: 'название, периодичность, начало' },
  привычк: { en: 'name, frequency, started', ru: 'название, периодичность, начало' },
  recip: { en: 'title, ingredients, steps', ru: 'название, ингредиенты, шаги' },
  рецепт: { en: 'title, ingredients, steps', ru: 'название, ингредиенты, шаги' },
  order: { en: 'customer, total, status', ru: 'клиент, сумма, статус' },
  заказ: { en: 'customer, total, status', ru: 'клиент, сумма, статус' },
  movi: { en: 'title, year, rating', ru: 'название, год, рейтинг' },
  фильм: { en: 'title, year, rating', ru: 'название, год, рейтинг' },
}

/** Russian colour words (by stem) as CSS colours; "тёмно-"/"светло-" make them darker or lighter. */
export const RU_COLOURS: Record<string, string> = {
  красн: 'red', алый: 'crimson', оранжев: 'orange', желт: 'gold', зелен: 'green', салатов: 'yellowgreen', голуб: 'skyblue', син: 'blue',
  фиолетов: 'purple', сиренев: 'plum', лилов: 'orchid', розов: 'hotpink', черн: 'black', бел: 'white', сер: 'gray', коричнев: 'saddlebrown',
  бежев: 'beige', бирюзов: 'turquoise', бордов: 'maroon', золот: 'goldenrod', серебрист: 'silver', изумрудн: 'mediumseagreen', мятн: 'mediumaquamarine',
  лаймов: 'lime', оливков: 'olive', кремов: 'cornsilk', песочн: 'sandybrown', персиков: 'peachpuff', лазурн: 'deepskyblue', графитов: '#2f3437',
  кораллов: 'coral', малинов: 'crimson', терракотов: '#c0593b', горчичн: '#d4a017', индиго: 'indigo', пурпурн: 'purple', шоколадн: 'chocolate',
  молочн: '#fdfbf7', угольн: '#222222', небесн: 'skyblue', морск: 'seagreen', хвойн: 'darkgreen', янтарн: '#ffbf00', вишнев: '#8b0a1a',
}

/**
 * English colour words people use that are not CSS names ("burgundy", "off-white", "rose gold"), as CSS
 * colours. Two-word entries are matched before one-word ones; those in AMBIGUOUS_COLOURS need a colour cue.
 */
export const EN_COLOURS: Record<string, string> = {
  'burgundy': '#800020', 'cream': '#fffdd0', 'off-white': '#faf9f6', 'offwhite': '#faf9f6', 'sage': '#9caf88', 'sage green': '#9caf88', 'terracotta': '#e2725b',
  'mustard': '#e1ad01', 'charcoal': '#36454f', 'blush': '#f4c2c2', 'blush pink': '#f4c2c2', 'rose gold': '#b76e79', 'dusty rose': '#d8a7b1', 'dusty pink': '#d8a7b1',
  'ocean blue': '#0077be', 'electric blue': '#2563eb', 'royal blue': 'royalblue', 'baby blue': '#89cff0', 'powder blue': 'powderblue', 'neon green': '#39ff14',
  'neon cyan': '#22d3ee', 'neon pink': '#ff2e88', 'emerald': '#50c878', 'emerald green': '#50c878', 'jade': '#00a86b', 'mint green': '#98ff98', 'peach': '#ffcba4',
  'rust': '#b7410e', 'copper': '#b87333', 'bronze': '#cd7f32', 'cobalt': '#0047ab', 'cobalt blue': '#0047ab', 'denim': '#1560bd', 'ruby': '#e0115f', 'amber': '#ffbf00',
  'lilac': '#c8a2c8', 'mauve': '#e0b0ff', 'champagne': '#f7e7ce', 'wine': '#722f37', 'wine red': '#722f37', 'sand': '#c2b280', 'sandy': '#c2b280', 'espresso': '#4b2e2a',
  'honey': '#f5b700', 'honey yellow': '#f5b700', 'golden yellow': '#ffc000', 'bright red': '#e11d48', 'deep purple': '#4b0082', 'deep red': '#8b0000', 'deep blue': '#00308f',
  'bottle green': '#006a4e', 'racing green': '#004225', 'british racing green': '#004225', 'pastel pink': '#f8c8dc', 'pastel blue': '#aec6cf', 'pastel green': '#77dd77',
  'slate': 'slategray', 'ivory white': 'ivory', 'snow white': 'snow', 'pitch black': '#0a0a0a', 'jet black': '#0a0a0a', 'forest': 'forestgreen',
}
export const AMBIGUOUS_EN_COLOURS = new Set(['sage', 'rust', 'copper', 'bronze', 'ruby', 'amber', 'wine', 'sand', 'sandy', 'honey', 'cream', 'champagne', 'peach', 'jade', 'slate', 'denim', 'forest', 'espresso', 'blush', 'charcoal', 'mustard', 'emerald', 'cobalt', 'lilac', 'mauve'])

/**
 * CSS colour names that are also ordinary words: they count as colours only when the sentence talks
 * about colours (see COLOUR_CUES).
 */
export const AMBIGUOUS_COLOURS = new Set(['tan', 'linen', 'snow', 'chocolate', 'salmon', 'tomato', 'olive', 'peru', 'plum', 'wheat', 'orange', 'lime', 'bisque', 'moccasin', 'honeydew', 'peachpuff', 'seashell', 'thistle', 'orchid', 'gold', 'silver', 'coral', 'mint', 'cornsilk', 'ivory', 'lavender', 'khaki', 'azure', 'aqua', 'crimson', 'chartreuse', 'papayawhip', 'blanchedalmond'])

export const COLOUR_CUES = ['colour', 'color', 'colours', 'colors', 'theme', 'palette', 'accent', 'accents', 'primary', 'background', 'brand', 'button', 'buttons', 'tone', 'shade', 'scheme', 'look', 'design', 'style', 'links', 'highlight', 'headings', 'text', 'цвет', 'фон', 'тема', 'оттенок', 'палитра', 'акцент', 'кнопки', 'стиль', 'оформление', 'дизайн', 'гамма']

/** Which theme colour a colour word is for, by the words next to it. */
export const COLOUR_ROLES: [role: 'color_background' | 'color_text' | 'color_surface' | 'color_primary', words: string[]][] = [
  ['color_background', ['background', 'backdrop', 'page colour', 'фон', 'подложка']],
  ['color_text', ['text', 'font colour', 'font color', 'lettering', 'текст', 'буквы', 'цвет текста']],
  ['color_surface', ['card', 'cards', 'surface', 'panels', 'panel', 'карточки', 'плашки', 'панели']],
  ['color_primary', ['primary', 'accent', 'accents', 'brand', 'main colour', 'main color', 'buttons', 'button', 'links', 'highlights', 'headings', 'header', 'headers', 'navigation', 'nav bar', 'main', 'основной', 'шапка', 'шапки', 'заголовки', 'акцент', 'акценты', 'кнопки', 'ссылки', 'главный цвет', 'фирменный']],
]

/** Words that take what follows out of the app ("remove the blog", "no pricing", "без регистрации"). */
export const NEGATIONS = ['remove', 'delete', 'drop', 'without', '=no', '=not', "=don't", '=dont', '=do not', "=don’t", '=never', 'exclude', 'rid', 'take out', 'hide', 'ditch', 'scrap', '=lose', 'убери', 'уберите', 'убрать', 'удали', 'удалите', 'удалить', '=без', '=безо', '=не', '=нет', 'никаких', 'исключи', 'скрой', 'уберем']

/** Words that end a negation's reach ("no pricing page, but with a blog"). */
export const POSITIVE = ['with', 'add', 'keep', 'plus', 'include', 'but', 'also', '=and add', 'добавь', 'добавьте', 'добавить', 'оставь', 'оставьте', '=но', '=с', '=со', '=зато', 'также', 'плюс']

/** Verbs that add something in a follow-up ("add a phone field", "добавь поле"). */
export const ADD_VERBS = ['add', 'include', 'put', 'insert', 'create', 'добавь', 'добавьте', 'добавить', 'добавим', 'создай', 'вставь']

/** The word "field" (a follow-up that adds, renames or removes one). */
export const FIELD_WORDS = ['field', 'fields', 'column', 'columns', 'attribute', 'property', 'поле', 'поля', 'столбец', 'колонка', 'колонку', 'графа', 'графу']

/** Words that say "records of this kind are managed here" ("manage products", "учёт товаров"). */
export const MANAGE_WORDS = ['manage', 'track', 'keep track of', 'organize', 'organise', 'catalog of', 'catalogue of', 'list of', 'collection of', 'database of', 'directory of', 'inventory of', 'log of', 'record', 'store', 'учет', 'управление', 'управлять', 'список', 'каталог', 'база', 'трекер', 'вести учет', 'отслеживать', 'хранить', 'коллекция', 'реестр', 'журнал']

/** Nouns after which the word before names the records ("expense tracker", "book catalog"). */
export const MANAGER_NOUNS = ['tracker', 'manager', 'catalog', 'catalogue', 'inventory', 'database', 'directory', 'crm', 'log', 'planner', 'collection', 'organizer', 'library', 'journal', 'registry', 'list']

/** Russian nav labels and headings of page modules, for apps in Russian. */
export const RU_PAGE_LABELS: Record<string, string> = {
  'landing-page': 'Главная', 'pricing-page': 'Цены', 'waitlist': 'Лист ожидания', 'contact-form': 'Контакты', 'accounts': 'Аккаунт', 'blog': 'Блог',
  'admin-page': 'Админка', 'file-uploads': 'Файлы', 'payment-link': 'Оплата', 'booking': 'Запись', 'menu': 'Меню', 'gallery': 'Галерея', 'faq': 'Вопросы',
  'testimonials': 'Отзывы', 'about-page': 'О нас', 'services-page': 'Услуги', 'team-page': 'Команда', 'events': 'События', 'polls': 'Голосование',
  'comments': 'Комментарии', 'link-in-bio': 'Ссылки', 'qa': 'Вопросы и ответы', 'survey': 'Опрос',
}

export const EN_PAGE_LABELS: Record<string, string> = {
  'landing-page': 'Home', 'pricing-page': 'Pricing', 'waitlist': 'Waitlist', 'contact-form': 'Contact', 'accounts': 'Account', 'blog': 'Blog',
  'admin-page': 'Admin', 'file-uploads': 'Files', 'payment-link': 'Buy', 'booking': 'Booking', 'menu': 'Menu', 'gallery': 'Gallery', 'faq': 'FAQ',
  'testimonials': 'Testimonials', 'about-page': 'About', 'services-page': 'Services', 'team-page': 'Team', 'events': 'Events', 'polls': 'Polls',
  'comments': 'Comments', 'link-in-bio': 'Links', 'qa': 'Q&A', 'survey': 'Survey',
}

/** Landing page feature blurbs for the modules of the app. */
export const MODULE_BLURBS: Record<string, Record<Lang, string>> = {
  'pricing-page': { en: 'Clear plans and prices.', ru: 'Понятные тарифы и цены.' },
  'waitlist': { en: 'Join the waitlist and hear first.', ru: 'Запишитесь в лист ожидания и узнайте первыми.' },
  'contact-form': { en: 'Write to us: we answer quickly.', ru: 'Напишите нам: мы быстро ответим.' },
  'accounts': { en: 'Your own account: sign up in a minute.', ru: 'Личный кабинет: регистрация за минуту.' },
  'blog': { en: 'News and articles on the blog.', ru: 'Новости и статьи в блоге.' },
  'booking': { en: 'Book online at a time that suits you.', ru: 'Онлайн-запись на удобное время.' },
  'menu': { en: 'See the full menu.', ru: 'Всё меню на одной странице.' },
  'gallery': { en: 'Browse the gallery.', ru: 'Смотрите галерею работ.' },
  'faq': { en: 'Answers to common questions.', ru: 'Ответы на частые вопросы.' },
  'testimonials': { en: 'What our customers say.', ru: 'Что говорят наши клиенты.' },
  'about-page': { en: 'Our story and who we are.', ru: 'Кто мы и наша история.' },
  'services-page': { en: 'Everything we offer.', ru: 'Все наши услуги.' },
  'team-page': { en: 'Meet the team.', ru: 'Познакомьтесь с командой.' },
  'events': { en: 'Upcoming events: reserve your seat.', ru: 'Ближайшие события: забронируйте место.' },
  'polls': { en: 'Vote and see the results.', ru: 'Голосуйте и смотрите результаты.' },
  'comments': { en: 'Join the conversation.', ru: 'Обсуждайте в комментариях.' },
  'link-in-bio': { en: 'All the links in one place.', ru: 'Все ссылки в одном месте.' },
  'qa': { en: 'Ask a question, get an answer.', ru: 'Задайте вопрос и получите ответ.' },
  'survey': { en: 'Tell us what you think.', ru: 'Поделитесь мнением в опросе.' },
  'file-uploads': { en: 'Upload and share files.', ru: 'Загрузка и обмен файлами.' },
  'payment-link': { en: 'Pay online in a few clicks.', ru: 'Оплата онлайн в пару кликов.' },
  'admin-page': { en: 'An owner dashboard for everything.', ru: 'Панель владельца для всего.' },
}

/** The call to action of the home page: the first module of this list the app has. */
export const CTA: [module: string, label: Record<Lang, string>][] = [
  ['booking', { en: 'Book now', ru: 'Записаться' }],
  ['waitlist', { en: 'Join the waitlist', ru: 'Встать в лист ожидания' }],
  ['payment-link', { en: 'Buy now', ru: 'Купить' }],
  ['menu', { en: 'See the menu', ru: 'Смотреть меню' }],
  ['events', { en: 'See events', ru: 'Смотреть события' }],
  ['link-in-bio', { en: 'My links', ru: 'Мои ссылки' }],
  ['survey', { en: 'Take the survey', ru: 'Пройти опрос' }],
  ['polls', { en: 'Vote now', ru: 'Голосовать' }],
  ['gallery', { en: 'See the gallery', ru: 'Смотреть галерею' }],
  ['pricing-page', { en: 'See pricing', ru: 'Смотреть цены' }],
  ['services-page', { en: 'Our services', ru: 'Наши услуги' }],
  ['contact-form', { en: 'Contact us', ru: 'Связаться' }],
]

const compiled = new Map<string, Phrase[]>()
/** The phrases of a word list, compiled once. */
export function phrases(key: string, words: string[]): Phrase[] {
  let found = compiled.get(key)
  if (!found) {
    found = words.map(phrase)
    compiled.set(key, found)
  }
  return found
}
