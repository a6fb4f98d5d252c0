// The app's language (app-base's `lang`: "en" or "ru") and its built-in words. Modules keep their own
// Russian tables next to their code; the English text is the key, so a missing translation shows the
// English words rather than nothing. Parameters (headings, copy) are the owner's words and are never
// translated; only the strings written in the code are.
import { moduleParams } from './config.js'

export const LANGUAGES = ['en', 'ru']
export const lang = LANGUAGES.includes(moduleParams('app-base').lang) ? moduleParams('app-base').lang : 'en'
export const locale = lang === 'ru' ? 'ru-RU' : 'en-GB'

function fill(template, vars) {
  return template.replace(/\{(\w+)\}/g, (match, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : match))
}

/**
 * t('New {singular}', { singular: 'task' }): the text in the app's language with `{name}` filled in.
 * The result is plain text; the `html` tag escapes it like any other value.
 */
export function translator(tables) {
  const table = tables[lang] ?? {}
  return (text, vars = {}) => fill(Object.hasOwn(table, text) ? table[text] : text, vars)
}

const pluralRules = new Intl.PluralRules(locale)

/** plural(3, { one: '{n} seat', other: '{n} seats' }) (Russian also has few/many). */
export function plural(n, forms) {
  const form = forms[pluralRules.select(n)] ?? forms.other
  return fill(form, { n: new Intl.NumberFormat(locale).format(n) })
}

/** "2026-12-03" → "3 December 2026" / "3 декабря 2026 г."; anything else is shown as it is. */
export function formatDate(value, options = { dateStyle: 'long' }) {
  const text = String(value ?? '')
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : null
  if (!date || Number.isNaN(date.getTime())) return text
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(date)
}

export function formatNumber(value) {
  return typeof value === 'number' && Number.isFinite(value) ? new Intl.NumberFormat(locale).format(value) : String(value ?? '')
}

/** The words of app-base itself (errors, the page frame). */
export const t = translator({
  ru: {
    'Page not found.': 'Страница не найдена.',
    'Method not allowed.': 'Метод не поддерживается.',
    'Something went wrong.': 'Что-то пошло не так.',
    'The URL is malformed.': 'Неверный адрес страницы.',
    'Cross-site request refused.': 'Запрос с другого сайта отклонён.',
    'The admin password is required.': 'Нужен пароль администратора.',
    'Set ADMIN_PASSWORD to use the admin pages.': 'Задайте ADMIN_PASSWORD, чтобы открыть страницы администратора.',
    'The body is not a JSON object.': 'Тело запроса — не объект JSON.',
    'Send the body as JSON or as a URL-encoded form.': 'Отправьте данные как JSON или как форму.',
    'The request body is larger than {limit} bytes.': 'Запрос больше {limit} байт.',
    'Back to the home page': 'На главную',
    'Error {status}': 'Ошибка {status}',
    'Home': 'Главная',
    'Menu': 'Меню',
    'Skip to content': 'Перейти к содержанию',
    'Save': 'Сохранить',
    'Cancel': 'Отмена',
    'Delete': 'Удалить',
    'Edit': 'Изменить',
    'Search': 'Поиск',
    'Send': 'Отправить',
    'Name': 'Имя',
    'E-mail': 'Эл. почта',
    'Message': 'Сообщение',
    'yes': 'да',
    'no': 'нет',
    'Nothing here yet.': 'Здесь пока ничего нет.',
    'Please tell us your name.': 'Пожалуйста, укажите имя.',
    'Please enter a valid e-mail address.': 'Пожалуйста, введите правильный адрес эл. почты.',
  },
})
