import colorNames from 'color-name'
import {
  ADD_VERBS, AMBIGUOUS_COLOURS, AMBIGUOUS_EN_COLOURS, EN_COLOURS, CHOICE_OPTIONS, COLOUR_CUES, COLOUR_ROLES, DEFAULT_CHOICES, DEFAULT_FIELDS, FIELD_TYPE_WORDS, FIELD_WORDS,
  MANAGE_WORDS, MANAGER_NOUNS, MODULE_WORDS, NEGATIONS, NOT_ENTITIES, POSITIVE, RU_COLOURS, RU_ENTITIES, RU_FIELD_LEMMAS, SITE_WORDS, phrases,
} from './lexicon.js'
import { CYRILLIC, capitalize, detectLang, findPhrases, fold, slug, stem, tokenize, type Lang, type Phrase, type Token } from './text.js'

/**
 * The offline builder's request interpreter. It reads every user message of
 * the conversation in order and folds them into one plan of the app: its
 * name and words, its pages (modules), its records (entities and their
 * typed fields), its colours and theme, its language. Each message is an
 * edit of the plan the messages before it made, so a follow-up ("remove the
 * pricing page", "add a phone field to customers", «переименуй в …») changes
 * only what it names. Deterministic: the same conversation, the same plan.
 */
export type FieldType = 'text' | 'textarea' | 'number' | 'email' | 'date' | 'choice' | 'boolean' | 'url'
export type PlanField = { name: string; label: string; type: FieldType; options?: string[]; required?: boolean }
export type PlanEntity = { entity: string; title: string; singular: string; fields: PlanField[]; access: 'admin' | 'public' }
export type Theme = Partial<Record<'color_primary' | 'color_background' | 'color_surface' | 'color_text' | 'font', string>> & {
  theme_mode?: 'light' | 'dark' | 'auto'
  radius?: number
}

export type Plan = {
  lang: Lang
  title: string | null
  /** A short phrase of what the app is ("recipe collection"), from the first description. */
  purpose: string | null
  /** The description the home page's sub-headline is written from. */
  summary: string | null
  headline: string | null
  subheadline: string | null
  ctaLabel: string | null
  /** Page and feature modules, in the order they were asked for. */
  modules: string[]
  /** Modules the user took out: they are not added back by default. */
  removed: string[]
  entities: PlanEntity[]
  theme: Theme
  booking: { services?: string[]; hours?: { days: string | null; from: string; to: string }; slotMinutes?: number }
  /** Features of the record pages that were asked for (search, filter, sort). */
  features: string[]
  /** Pages named in the user's words ("a newsletter signup" is the waitlist, shown as "Newsletter"): module → label. */
  labels?: Record<string, string>
}

/** One thing a message changed, in the words of both languages (the answer picks one). */
export type Change = { kind: string; en: string; ru: string }

export type TurnReport = {
  /** False when nothing in the message could be read as a request. */
  understood: boolean
  /** The language of the message (the answer is written in it). */
  lang: Lang
  changes: Change[]
  /** Things asked for that the plan already had or that cannot be done (e.g. removing a page the app does not have). */
  notes: Change[]
}

export function emptyPlan(lang: Lang = 'en'): Plan {
  return { lang, title: null, purpose: null, summary: null, headline: null, subheadline: null, ctaLabel: null, modules: [], removed: [], entities: [], theme: {}, booking: {}, features: [], labels: {} }
}

const clone = (plan: Plan): Plan => JSON.parse(JSON.stringify(plan))

/**
 * Folds the user messages of a conversation into a plan; reports what the last one did.
 * `built` says whether a message before the last one was understood (so an app exists to edit).
 */
export function interpretConversation(messages: string[]): { plan: Plan; previous: Plan; turn: TurnReport; built: boolean } {
  let plan: Plan | null = null
  let previous: Plan = emptyPlan(detectLang(messages.at(-1) ?? ''))
  let turn: TurnReport = { understood: false, lang: previous.lang, changes: [], notes: [] }
  let built = false
  for (const [index, message] of messages.entries()) {
    if (index === messages.length - 1) built = plan !== null
    const before = plan ?? emptyPlan(detectLang(message))
    const next = clone(before)
    const report = applyMessage(next, message, plan === null)
    previous = before
    turn = report
    // A message that was not understood leaves the plan as it was.
    if (report.understood) plan = next
  }
  return { plan: plan ?? previous, previous, turn, built }
}

// ---------------------------------------------------------------------------------------------
// One message

/** The message as it is being read: what a step understood is masked out for the next ones. `heads`: where records named with their fields begin. */
type Work = { text: string; heads: number[]; mask(start: number, end: number): void }

function work(text: string): Work {
  const state = {
    text,
    heads: [] as number[],
    mask(start: number, end: number) {
      state.text = state.text.slice(0, start) + ' '.repeat(Math.max(0, end - start)) + state.text.slice(end)
    },
  }
  return state
}

const has = (tokens: Token[], list: Phrase[]) => findPhrases(tokens, list).length > 0

/**
 * Applies one message to the plan (in place).
 * @param first  no earlier message was understood: this one describes the app.
 */
export function applyMessage(plan: Plan, message: string, first: boolean): TurnReport {
  const lang = detectLang(message)
  const report: TurnReport = { understood: false, lang, changes: [], notes: [] }
  const text = message.normalize('NFC').replace(/\r\n?/g, '\n').slice(0, 20_000)
  const w = work(text)
  const change = (kind: string, en: string, ru: string) => report.changes.push({ kind, en, ru })
  const note = (kind: string, en: string, ru: string) => report.notes.push({ kind, en, ru })

  if (first) plan.lang = lang
  languageSwitch(plan, text, change)
  copy(plan, w, change)
  naming(plan, w, first, change)
  fieldEdits(plan, w, change, note)
  entitiesWithFields(plan, w, lang, change)
  managedEntities(plan, w, lang, change)
  colours(plan, w, change)
  bookingDetails(plan, text, change)
  modules(plan, w, first, report, change, note)

  report.understood = report.changes.length > 0 || report.notes.length > 0
  if (report.understood && first) describe(plan, text)
  return report
}

// ---------------------------------------------------------------------------------------------
// Language of the generated app

function languageSwitch(plan: Plan, text: string, change: (k: string, en: string, ru: string) => void) {
  const ru = /\b(?:in|into|to)\s+russian\b|на\s+русском|по-русски|на\s+русский/i.test(text)
  const en = /\b(?:in|into|to)\s+english\b|на\s+английском|по-английски|на\s+английский/i.test(text)
  const wanted = ru && !en ? 'ru' : en && !ru ? 'en' : null
  if (wanted && plan.lang !== wanted) {
    plan.lang = wanted
    change('lang', `the app's language is now ${wanted === 'ru' ? 'Russian' : 'English'}`, `язык приложения теперь ${wanted === 'ru' ? 'русский' : 'английский'}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Explicit copy: headline, sub-headline, button

const QUOTED = /["“«„]([^"“”«»„\n]{1,200})["”»“]|(?<![\p{L}])'([^'\n]{1,200})'(?![\p{L}])/u
const VALUE = String.raw`\s*(?:(?:that|which)\s+(?:says|reads|should\s+(?:say|read|be))|should\s+(?:be|say|read)|will\s+be|says|reads|is|to|as|:|—|–|-|=|на|будет|пусть\s+будет)?\s*`

function quotedOrRest(rest: string): { value: string; length: number } | null {
  const quoted = rest.match(new RegExp('^' + VALUE + QUOTED.source, 'u'))
  if (quoted) return { value: (quoted[1] ?? quoted[2]).trim(), length: quoted[0].length }
  const plain = rest.match(/^\s*(?::|—|–|-|=|\bto\b|(?<![\p{L}])на(?![\p{L}]))\s*([^\n.;!?]{2,160})/iu)
  if (plain) return { value: plain[1].trim().replace(/[,\s]+$/, ''), length: plain[0].length }
  return null
}

const COPY_TARGETS: [key: 'subheadline' | 'headline' | 'ctaLabel', pattern: RegExp, en: string, ru: string][] = [
  ['subheadline', /\b(?:sub-?headline|sub-?heading|subtitle|tag-?line|slogan)\b|подзаголов\p{L}*|слоган\p{L}*|девиз\p{L}*/giu, 'sub-headline', 'подзаголовок'],
  ['headline', /(?<!sub-?)\b(?:headline|heading|hero\s+text|main\s+title)\b|(?<!под)заголов\p{L}*/giu, 'headline', 'заголовок'],
  ['ctaLabel', /\b(?:button|cta)(?:\s+(?:text|label))?\b|кнопк\p{L}*/giu, 'button', 'кнопка'],
]

function copy(plan: Plan, w: Work, change: (k: string, en: string, ru: string) => void) {
  for (const [key, pattern, en, ru] of COPY_TARGETS) {
    for (const match of w.text.matchAll(pattern)) {
      const after = match.index! + match[0].length
      const value = quotedOrRest(w.text.slice(after))
      if (!value || !value.value) continue
      plan[key] = value.value.slice(0, key === 'ctaLabel' ? 40 : key === 'headline' ? 120 : 500)
      w.mask(match.index!, after + value.length)
      change('copy', `the ${en} now reads "${plan[key]}"`, `${ru}: «${plan[key]}»`)
      break
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The app's name

const NAME_END = String.raw`(?=$|[\n.,;:!?()]|\s+(?:with|for|that|which|where|and|to|in|on|so|who|и|с|со|для|где|который|которая|чтобы|где)(?![\p{L}]))`
const NAME_WORDS = String.raw`([\p{L}\p{N}][\p{L}\p{N}'’&+-]*(?:\s+[\p{L}\p{N}][\p{L}\p{N}'’&+-]*){0,4}?)`

const RENAME_PATTERNS = [
  /\brename\s+(?:the\s+|my\s+)?(?:app|site|website|project|shop|store|page|it|this)\s*(?:to|as|into)?\s*/iu,
  /\bchange\s+(?:the\s+)?(?:app'?s\s+|site'?s\s+|website'?s\s+)?name\s+(?:of\s+the\s+(?:app|site)\s+)?to\s*/iu,
  /\b(?:call|name)\s+(?:it|the\s+app|the\s+site|the\s+website|this|my\s+app|my\s+site)\s*/iu,
  /\b(?:the\s+)?(?:app|site|website|shop|store|project)\s+(?:should\s+be\s+|is\s+|will\s+be\s+)?(?:called|named)\s*/iu,
  /\b(?:called|named|titled|name:|name\s+is)\s*/iu,
  /переименуй\p{L}*\s+(?:(?:приложение|сайт|проект|его|её|ее|магазин)\s+)?(?:в|на)?\s*/iu,
  /назов(?:и|ите|ём|ем)\s+(?:(?:приложение|сайт|проект|его|её|ее|магазин)\s+)?/iu,
  /(?:смени|измени|поменяй)\p{L}*\s+название\s+(?:приложения\s+|сайта\s+)?на\s*/iu,
  /(?:под\s+названием|называется|названием|название\s*[:—–-]|name\s*[:—–-])\s*/iu,
]

function cleanName(raw: string): string {
  return capitalize(raw.replace(/^[\s"'“”«»„]+|[\s"'“”«»„.,;:!?]+$/g, '').replace(/\s+/g, ' ').trim()).slice(0, 60)
}

function naming(plan: Plan, w: Work, first: boolean, change: (k: string, en: string, ru: string) => void) {
  let found: string | null = null
  for (const pattern of RENAME_PATTERNS) {
    const match = w.text.match(pattern)
    if (!match) continue
    const after = match.index! + match[0].length
    const rest = w.text.slice(after)
    const quoted = rest.match(new RegExp('^' + QUOTED.source, 'u'))
    let value: string | null = null
    let length = 0
    if (quoted) {
      value = quoted[1] ?? quoted[2]
      length = quoted[0].length
    } else {
      const plain = rest.match(new RegExp('^' + NAME_WORDS + NAME_END, 'u'))
      // "с названием, сроком…" is a field list, not a name: an unquoted name must start with a capital or digit.
      if (plain && (/^[\p{Lu}\p{N}]/u.test(plain[1]) || /rename|переименуй|назов|call|name|смени|измени|поменяй/i.test(match[0]))) {
        value = plain[1]
        length = plain[0].length
      }
    }
    if (value && cleanName(value).length >= 2) {
      found = cleanName(value)
      w.mask(match.index!, after + length)
      break
    }
  }
  if (!found) {
    // A quoted phrase in a description names the app ("«Ромашка»", "“Sweet Crumbs”").
    const quoted = w.text.match(new RegExp(QUOTED.source, 'u'))
    const value = quoted ? cleanName(quoted[1] ?? quoted[2]) : ''
    if (quoted && value.length >= 2 && value.split(/\s+/).length <= 6 && (first || !plan.title)) {
      found = value
      w.mask(quoted.index!, quoted.index! + quoted[0].length)
    }
  }
  if (!found && first) {
    // "Bloom & Petal is a florist…", "Atlas Consulting helps…", "We are The Midnight Owls, an indie band", "I'm Maya Chen, an illustrator".
    const lead = w.text.match(/^\s*((?:The\s+)?\p{Lu}[\p{L}\p{N}'’-]+(?:\s+(?:&\s+|and\s+|of\s+)?\p{Lu}[\p{L}\p{N}'’-]*){0,4})\s+(?:is|are|helps|offers|makes|runs|sells|provides|wants|needs)\s/u)
    if (lead && !/^(?:We|I|It|This|They|Our|My|You|He|She|There|Here)$/u.test(lead[1].split(/\s+/)[0])) found = cleanName(lead[1])
    const intro = w.text.match(/\b(?:we\s+are|we're|i\s+am|i'm|this\s+is)\s+((?:The\s+)?\p{Lu}[\p{L}\p{N}'’-]+(?:\s+(?:&\s+|and\s+)?\p{Lu}[\p{L}\p{N}'’-]*){0,3})(?=\s*[,.;(]|\s+(?:a|an|from|in)\s)/iu)
    if (!found && intro && /^\p{Lu}/u.test(intro[1])) found = cleanName(intro[1])
  }
  if (!found && first) {
    const forMy = w.text.match(/\bfor\s+(?:my|our)\s+((?:[\p{L}'’-]+\s+){0,2}?[\p{L}'’-]+)(?=$|[\n.,;:!?()]|\s+(?:with|where|that|which|and|in|on|to|so|who|called|named)\b)/iu)
    if (forMy && !/^(?:customers?|clients?|users?|team|family|friends|business|company|students?|members?)$/i.test(forMy[1])) found = cleanName(forMy[1])
    const proper = w.text.match(/\bfor\s+((?:\p{Lu}[\p{L}'’&-]*\s+){0,3}\p{Lu}[\p{L}'’&-]*)/u)
    if (!found && proper) found = cleanName(proper[1])
  }
  if (!found) return
  if (plan.title === found) return
  const old = plan.title
  plan.title = found
  if (old && plan.headline === old) plan.headline = null
  // The old name goes everywhere it was written: copy made from the description carries it too.
  if (old) {
    const replace = (value: string | null) => (value ? value.split(old).join(found!) : value)
    plan.summary = replace(plan.summary)
    plan.subheadline = replace(plan.subheadline)
    plan.headline = replace(plan.headline)
    plan.ctaLabel = replace(plan.ctaLabel)
  }
  change('rename', old ? `renamed the app from "${old}" to "${found}"` : `named the app "${found}"`, old ? `переименовал приложение: «${old}» → «${found}»` : `назвал приложение «${found}»`)
}

// ---------------------------------------------------------------------------------------------
// Records and their fields

const STOP = new Set(['a', 'an', 'the', 'my', 'our', 'your', 'their', 'its', 'his', 'her', 'each', 'every', 'some', 'any', 'all', 'of', 'for', 'in', 'on', 'at', 'to', 'and', 'or', 'with', 'by', 'up', 'as', 'is', 'are', 'be', 'it', 'that', 'this', 'these', 'those', 'which', 'who', 'where', 'can', 'will', 'should', 'must', 'also', 'just', 'simple', 'small', 'new', 'more', 'less', 'few', 'many', 'own', 'so', 'then', 'me', 'us', 'them', 'we', 'i', 'you', 'they', 'there', 'here', 'one', 'two', 'three', 'page', 'и', 'или', 'с', 'со', 'в', 'на', 'для', 'по', 'к', 'у', 'о', 'об', 'от', 'до', 'из', 'за', 'мой', 'моя', 'мои', 'наш', 'наша', 'наши', 'их', 'его', 'её', 'ее', 'каждый', 'каждая', 'все', 'это', 'этот', 'эта', 'где', 'который', 'которые', 'чтобы', 'а', 'но', 'же', 'ли', 'бы', 'мне', 'нам', 'простой', 'простая', 'небольшой'])
const LIST_END = new Set(['where', 'that', 'which', 'so', 'who', 'for', 'in', 'on', 'by', 'to', 'plus', 'but', 'also', 'with', 'when', 'while', 'because', 'then', 'where', 'где', 'который', 'которые', 'которая', 'чтобы', 'для', 'а', 'но', 'также', 'плюс', 'когда', 'потому', 'затем', 'при', 'с', 'со'])
/** Words that ask for a module, but name records when fields follow them. */
const RECORD_LIKE = new Set(['contact', 'member', 'account', 'file', 'photo', 'контакт', 'участник', 'файл', 'фот'])
const CONNECTORS = new Set(['with', 'having', 'has', 'have', 'containing', 'с', 'со'])
const FEATURE_WORDS: [feature: string, words: string[]][] = [
  ['search', ['search', 'searchable', 'find', 'поиск', 'искать', 'найти']],
  ['filter', ['filter', 'filters', 'filtering', 'фильтр', 'фильтры', 'фильтрация']],
  ['sort', ['sort', 'sorting', 'sortable', 'order by', 'сортировка', 'сортировать']],
]
const TYPE_HINTS: Record<string, FieldType> = {
  number: 'number', numeric: 'number', integer: 'number', число: 'number', числ: 'number', date: 'date', дата: 'date', дат: 'date', email: 'email',
  url: 'url', link: 'url', ссылк: 'url', text: 'text', текст: 'text', 'long text': 'textarea', textarea: 'textarea', choice: 'choice', dropdown: 'choice',
  select: 'choice', список: 'choice', выбор: 'choice', checkbox: 'boolean', boolean: 'boolean', 'yes/no': 'boolean', флажок: 'boolean', 'да/нет': 'boolean',
}

function startsPhrase(tokens: Token[], index: number, key: string, words: string[]): boolean {
  return findPhrases(tokens, phrases(key, words), index, Math.min(tokens.length, index + 5)).some((h) => h.start === index)
}

function isModuleWord(tokens: Token[], index: number): boolean {
  return Object.entries(MODULE_WORDS).some(([id, words]) => startsPhrase(tokens, index, `module:${id}`, words))
}

const ALL_FIELD_TYPE_WORDS = FIELD_TYPE_WORDS.flatMap(([, words]) => words)
function isFieldWord(tokens: Token[], index: number): boolean {
  return startsPhrase(tokens, index, 'field-type-any', ALL_FIELD_TYPE_WORDS)
}

function singularEn(word: string): string {
  if (/ies$/i.test(word)) return word.slice(0, -3) + 'y'
  if (/(?:ss|sh|ch|x|z)es$/i.test(word)) return word.slice(0, -2)
  if (/s$/i.test(word) && !/ss$/i.test(word)) return word.slice(0, -1)
  return word
}
function pluralEn(word: string): string {
  if (/s$/i.test(word) && !/ss$/i.test(word)) return word
  if (/[^aeiou]y$/i.test(word)) return word.slice(0, -1) + 'ies'
  if (/(?:ss|sh|ch|x|z)$/i.test(word)) return word + 'es'
  return word + 's'
}

/** A Russian word of a list after "с" (instrumental case) back to its base form, when the lexicon does not know it. */
function ruBaseForm(word: string): string {
  const lower = fold(word)
  const known = RU_FIELD_LEMMAS[stem(lower)]
  if (known) return known
  const rules: [RegExp, string][] = [[/ием$/, 'ие'], [/ией$/, 'ия'], [/ями$/, 'и'], [/([кгхжшщч])ами$/, '$1и'], [/ами$/, 'ы'], [/льцем$/, 'лец'], [/цем$/, 'ец'], [/ом$/, ''], [/ем$/, 'ь'], [/ой$/, 'а'], [/ей$/, 'я'], [/ью$/, 'ь']]
  for (const [ending, base] of rules) if (ending.test(lower)) return capitalize(lower.replace(ending, base))
  return capitalize(lower)
}

/** "привычек" → "привычк": the stem of a genitive plural without the vowel its other forms do not have. */
const fleetingVowel = (stemmed: string) => stemmed.replace(/([^аеиоуыэюя])[ео]к$/, '$1к')

/** A record kind from the noun naming it (any case, either language). */
function entityFrom(token: Token, lang: Lang): { entity: string; title: string; singular: string } | null {
  if (!token.word || /^\d/.test(token.text) || token.text.length < 3) return null
  const lower = token.lower
  if (STOP.has(lower) || NOT_ENTITIES.has(lower) || NOT_ENTITIES.has(token.stem)) return null
  if (CYRILLIC.test(lower)) {
    // "привычек", "заявок" (genitive plural) drop the vowel the other forms do not have.
    const known = RU_ENTITIES[token.stem] ?? RU_ENTITIES[fleetingVowel(token.stem)]
    const [title, singular] = known ?? [capitalize(lower), lower]
    const entity = slug(title)
    return entity ? { entity, title, singular } : null
  }
  void lang
  const plural = pluralEn(lower)
  const entity = slug(plural)
  return entity ? { entity, title: capitalize(plural), singular: singularEn(plural) } : null
}

function fieldType(tokens: Token[], hint: FieldType | null): FieldType {
  if (hint) return hint
  for (const [type, words] of FIELD_TYPE_WORDS) {
    if (has(tokens, phrases(`field-type:${type}`, words))) return type
  }
  return 'text'
}

/** Parses one item of a field list ("due date", "status (open, closed)", "сроком выполнения"). */
function parseField(raw: string, lang: Lang, instrumental: boolean): PlanField | null {
  let text = raw.trim()
  let options: string[] | undefined
  let hint: FieldType | null = null
  const paren = text.match(/\(([^)]*)\)?\s*$/)
  if (paren) {
    text = text.slice(0, paren.index).trim()
    const inside = paren[1].trim()
    const asType = TYPE_HINTS[fold(inside)] ?? TYPE_HINTS[stem(inside)]
    if (asType) hint = asType
    else {
      const parts = inside.split(/\s*(?:,|\/|\bor\b|(?<![\p{L}])или(?![\p{L}])|;)\s*/iu).map((o) => o.trim()).filter(Boolean)
      if (parts.length >= 2) options = parts.map((o) => capitalize(o).slice(0, 40)).slice(0, 12)
    }
  }
  const asMatch = text.match(/\s+(?:as\s+(?:a\s+|an\s+)?|как\s+)([\p{L}/ ]+?)(?:\s+field)?$/iu)
  if (asMatch && (TYPE_HINTS[fold(asMatch[1])] ?? TYPE_HINTS[stem(asMatch[1])])) {
    hint = TYPE_HINTS[fold(asMatch[1])] ?? TYPE_HINTS[stem(asMatch[1])]
    text = text.slice(0, asMatch.index)
  }
  const colonOptions = text.match(/^([\p{L} ]+?)\s*[:—–-]\s*(.+\/.+)$/u)
  if (colonOptions) {
    text = colonOptions[1]
    options = colonOptions[2].split('/').map((o) => capitalize(o.trim()).slice(0, 40)).filter(Boolean)
  }
  let required: boolean | undefined
  let words = tokenize(text).filter((t) => t.word)
  words = words.filter((t) => {
    if (/^(?:required|mandatory|обязательн\p{L}*)$/iu.test(t.lower)) return ((required = true), false)
    if (/^(?:optional|необязательн\p{L}*)$/iu.test(t.lower)) return ((required = false), false)
    return true
  })
  while (words.length && STOP.has(words[0].lower)) words.shift()
  while (words.length && (FIELD_WORDS.includes(words.at(-1)!.lower) || STOP.has(words.at(-1)!.lower))) words.pop()
  if (words.length === 0 || words.length > 4) return null
  const phraseText = text.slice(words[0].start, words.at(-1)!.end)
  let label: string
  if (CYRILLIC.test(phraseText) && instrumental) {
    label = [ruBaseForm(words[0].text), ...words.slice(1).map((t) => t.text)].join(' ')
  } else {
    label = capitalize(phraseText.replace(/\s+/g, ' '))
  }
  const type = fieldType(words, hint)
  const field: PlanField = { name: fieldName(label), label: label.slice(0, 80), type }
  if (type === 'choice') {
    const known = CHOICE_OPTIONS[words.at(-1)!.stem] ?? CHOICE_OPTIONS[words[0].stem]
    field.options = options ?? known?.[lang] ?? DEFAULT_CHOICES[lang]
  } else if (options && options.length >= 2) {
    field.type = 'choice'
    field.options = options
  }
  if (required !== undefined) field.required = required
  return field.name ? field : null
}

function fieldName(label: string): string {
  let name = slug(label, '_', 40)
  if (!name) return ''
  if (!/^[a-z]/.test(name)) name = `f_${name}`.slice(0, 40)
  if (['id', 'created_at', 'updated_at'].includes(name)) name = `${name}_value`
  return name
}

/** Splits the tokens after a connector into field items, up to where the list ends. */
function fieldList(tokens: Token[], from: number, source: string): { items: string[]; end: number; features: string[] } {
  const items: string[] = []
  const features: string[] = []
  let depth = 0
  let itemStart = -1
  let end = from
  let i = from
  let lastClosed = from
  const close = (at: number) => {
    if (itemStart === -1) return
    lastClosed = at
    const raw = source.slice(tokens[itemStart].start, tokens[at - 1].end)
    const itemTokens = tokens.slice(itemStart, at)
    const feature = FEATURE_WORDS.find(([, words]) => has(itemTokens, phrases(`feature:${words[0]}`, words)))
    if (feature && itemTokens.filter((t) => t.word).length <= 3) features.push(feature[0])
    else items.push(raw)
    itemStart = -1
  }
  for (; i < tokens.length; i++) {
    const t = tokens[i]
    const gap = i > from ? source.slice(tokens[i - 1].end, t.start) : ''
    if (depth === 0 && gap.includes('\n')) break
    if (t.text === '(') depth++
    if (t.text === ')') {
      if (depth === 0) break
      depth--
      end = i + 1
      continue
    }
    if (depth > 0) {
      end = i + 1
      continue
    }
    if (['.', '!', '?', ';', ':', '—', '–'].includes(t.text)) break
    if (t.word && LIST_END.has(t.lower) && (itemStart !== -1 || items.length > 0)) {
      // "…, and deals with title…": the last word before a new "with" names the next records.
      if (CONNECTORS.has(t.lower) && i - itemStart === 1) itemStart = -1
      break
    }
    if (t.text === ',' || t.text === '/' || t.text === '&' || (t.word && ['and', 'or', 'и', 'или'].includes(t.lower))) {
      close(i)
      continue
    }
    if (itemStart === -1) {
      // Articles before an item are not part of it; a page or a negation ends the list ("with a menu, no pricing"),
      // unless it is plainly one more field: "purchase date", or "…, почтой, командой и навыками" after two fields.
      if (t.word && STOP.has(t.lower) && !isFieldWord(tokens, i)) continue
      const article = i > 0 && tokens[i - 1].word && STOP.has(tokens[i - 1].lower) && !['and', 'or', 'и', 'или'].includes(tokens[i - 1].lower)
      const fieldAfter = tokens[i + 1]?.word && isFieldWord(tokens, i + 1)
      if (t.word && isModuleWord(tokens, i) && !isFieldWord(tokens, i) && !fieldAfter && (article || items.length < 2 || tokens.length > i + 1 && tokens[i + 1].word && !LIST_END.has(tokens[i + 1].lower) && !['and', 'or', 'и', 'или'].includes(tokens[i + 1].lower))) break
      if (t.word && startsPhrase(tokens, i, 'negations', NEGATIONS)) break
      itemStart = i
    }
    // An item of more than four words is prose, not a field name: the list ended with the item before it.
    if (itemStart !== -1 && tokens.slice(itemStart, i + 1).filter((x) => x.word).length > 5) {
      end = lastClosed
      itemStart = -1
      break
    }
    end = i + 1
  }
  close(Math.min(i, end))
  return { items, end: tokens[Math.max(from, end - 1)]?.end ?? 0, features }
}

function findEntity(plan: Plan, tokens: Token[]): PlanEntity | null {
  for (const entity of plan.entities) {
    const names = [entity.entity, entity.title, entity.singular].flatMap((n) => tokenize(n).filter((t) => t.word).map((t) => t.stem))
    const singular = stem(singularEn(entity.entity))
    if (tokens.some((t) => t.word && (names.includes(t.stem) || t.stem === singular || RU_ENTITIES[t.stem]?.[0] === entity.title))) return entity
  }
  return null
}

function mergeFields(entity: PlanEntity, fields: PlanField[]): PlanField[] {
  const added: PlanField[] = []
  for (const field of fields) {
    if (entity.fields.some((f) => f.name === field.name)) continue
    if (entity.fields.length >= 20) break
    entity.fields.push(field)
    added.push(field)
  }
  return added
}

const describeField = (f: PlanField) => `${f.label} (${f.type})`

function addEntity(plan: Plan, base: { entity: string; title: string; singular: string }, fields: PlanField[], change: (k: string, en: string, ru: string) => void) {
  const existing = plan.entities.find((e) => e.entity === base.entity)
  if (existing) {
    const added = mergeFields(existing, fields)
    if (added.length) change('field', `added ${added.map(describeField).join(', ')} to ${existing.title}`, `добавил в «${existing.title}»: ${added.map(describeField).join(', ')}`)
    return
  }
  if (plan.entities.length >= 12 || fields.length === 0) return
  const entity: PlanEntity = { ...base, fields: [], access: 'admin' }
  mergeFields(entity, fields)
  if (!entity.fields.some((f) => f.required)) entity.fields[0].required = true
  plan.entities.push(entity)
  change('entity', `${entity.title} with ${entity.fields.map(describeField).join(', ')}`, `«${entity.title}»: ${entity.fields.map(describeField).join(', ')}`)
}

/** "customers with name, email and company", "задачи с названием, сроком и исполнителем", "books (title, author, year)". */
function entitiesWithFields(plan: Plan, w: Work, lang: Lang, change: (k: string, en: string, ru: string) => void) {
  const tokens = tokenize(w.text)
  for (let i = 1; i < tokens.length; i++) {
    const connector = tokens[i]
    const isConnector = (connector.word && CONNECTORS.has(connector.lower)) || connector.text === '(' || connector.text === ':'
    if (!isConnector) continue
    let headIndex = i - 1
    // "each recipe has a title…", "recipes that have…"
    if (tokens[headIndex]?.lower === 'that' || tokens[headIndex]?.lower === 'which') headIndex--
    const head = tokens[headIndex]
    // "a blog with comments" is a page; "contacts with name and phone" are records.
    if (!head?.word || (isModuleWord(tokens, headIndex) && !RECORD_LIKE.has(head.stem))) continue
    const base = entityFrom(head, lang)
    if (!base) continue
    const { items, end, features } = fieldList(tokens, i + 1, w.text)
    const strict = connector.text === '(' || connector.text === ':'
    const fields = items.map((item) => parseField(item, lang, ['с', 'со'].includes(connector.lower))).filter((f): f is PlanField => f !== null)
    if (fields.length === 0 || (strict && fields.length < 2)) continue
    // "Сайт репетитора: о себе, цены, отзывы…" lists pages, not fields.
    if (strict) {
      const span = tokens.slice(i + 1).filter((t) => t.end <= end)
      const pages = findPhrases(span, Object.entries(MODULE_WORDS).flatMap(([id, words]) => phrases(`module:${id}`, words))).filter((h) => !isFieldWord(span, h.start))
      if (pages.length > 0) continue
    }
    // Unknown words after "with" must look like a list of several fields, or one known field word.
    const known = fields.filter((f) => f.type !== 'text' || /name|title|имя|назван|phone|телефон|address|адрес/i.test(f.label)).length
    // "helps small businesses with finance and taxes" is prose: a short list needs a field word.
    if (fields.length <= 2 && known === 0) continue
    // "школа с ценами и формой заявки": one item that names a page is that page.
    if (fields.length === 1 && isModuleWord(tokenize(items[0]), 0)) continue
    if (strict && known === 0) continue
    addEntity(plan, base, fields, change)
    w.heads.push(head.start)
    for (const feature of features) if (!plan.features.includes(feature)) plan.features.push(feature)
    w.mask(head.start, end)
  }
}

/** "manage products", "an expense tracker", "учёт товаров": records named without their fields get sensible ones. */
function managedEntities(plan: Plan, w: Work, lang: Lang, change: (k: string, en: string, ru: string) => void) {
  const tokens = tokenize(w.text)
  const candidates: Token[] = []
  for (const hit of findPhrases(tokens, phrases('manage', MANAGE_WORDS))) {
    let j = hit.end
    while (j < tokens.length && tokens[j].word && STOP.has(tokens[j].lower)) j++
    // "manage my small shop's products": skip one adjective when the next word is a plural noun.
    if (tokens[j]?.word && !isModuleWord(tokens, j)) candidates.push(tokens[j])
  }
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i].word && MANAGER_NOUNS.includes(tokens[i].lower) && tokens[i - 1].word && !STOP.has(tokens[i - 1].lower)) candidates.push(tokens[i - 1])
  }
  if (/\bto-?do\b|список дел/i.test(w.text)) candidates.push(...tokenize(lang === 'ru' ? 'задачи' : 'tasks'))
  for (const token of candidates) {
    if (isModuleWord([token], 0) || MANAGER_NOUNS.includes(token.lower)) continue
    // "Учёт пациентов ветклиники: питомцы с кличкой…": the records after the colon are these ones.
    const at = tokens.indexOf(token)
    const colon = tokens.slice(at, at + 6).find((t) => t.text === ':')
    if (colon && w.heads.some((h) => h > colon.start && w.text.slice(colon.end, h).trim() === '')) continue
    const base = entityFrom(token, lang)
    if (!base || plan.entities.some((e) => e.entity === base.entity)) continue
    if (token.lower.length < 4 && !CYRILLIC.test(token.lower)) continue
    const defaults = DEFAULT_FIELDS[token.stem] ?? DEFAULT_FIELDS[fleetingVowel(token.stem)] ?? DEFAULT_FIELDS[stem(singularEn(token.lower))]
    const list = defaults ? defaults[CYRILLIC.test(token.lower) ? 'ru' : 'en'] : CYRILLIC.test(token.lower) ? 'название, заметки' : 'name, notes'
    const fields = list.split(', ').map((item) => parseField(item, lang, false)).filter((f): f is PlanField => f !== null)
    addEntity(plan, base, fields, change)
    w.mask(token.start, token.end)
  }
}

/** Follow-ups on fields: add ("add a phone field to customers"), rename, remove. */
function fieldEdits(plan: Plan, w: Work, change: (k: string, en: string, ru: string) => void, note: (k: string, en: string, ru: string) => void) {
  if (plan.entities.length === 0) return
  const renameField = w.text.match(/\b(?:rename|change)\s+(?:the\s+)?(?:field\s+|column\s+)?["“«']?([\p{L}\p{N} ]{2,40}?)["”»']?\s+(?:field\s+|column\s+)?(?:to|into|as)\s+["“«']?([\p{L}\p{N} ]{2,40}?)["”»']?(?=$|[\n.,;!?])|переименуй\p{L}*\s+(?:поле\s+|столбец\s+)?["“«']?([\p{L}\p{N} ]{2,40}?)["”»']?\s+(?:в|на)\s+["“«']?([\p{L}\p{N} ]{2,40}?)["”»']?(?=$|[\n.,;!?])/iu)
  if (renameField) {
    const from = fold((renameField[1] ?? renameField[3]).trim())
    const to = capitalize((renameField[2] ?? renameField[4]).trim())
    for (const entity of plan.entities) {
      const field = entity.fields.find((f) => fold(f.label) === from || f.name === from)
      if (field) {
        const old = field.label
        field.label = to
        change('field', `renamed the field "${old}" of ${entity.title} to "${to}"`, `переименовал поле «${old}» в «${entity.title}»: теперь «${to}»`)
        w.mask(renameField.index!, renameField.index! + renameField[0].length)
        return
      }
      if (fold(entity.title) === from) {
        const old = entity.title
        entity.title = to
        entity.singular = CYRILLIC.test(to) ? fold(to) : singularEn(fold(to))
        change('entity', `renamed ${old} to ${to}`, `переименовал «${old}» в «${to}»`)
        w.mask(renameField.index!, renameField.index! + renameField[0].length)
        return
      }
    }
  }
  const tokens = tokenize(w.text)
  const verbs = findPhrases(tokens, phrases('add-verbs', ADD_VERBS))
  const negations = findPhrases(tokens, phrases('negations', NEGATIONS))
  const fieldWords = findPhrases(tokens, phrases('field-words', FIELD_WORDS))
  for (const verb of [...verbs.map((v) => ({ ...v, remove: false })), ...negations.map((v) => ({ ...v, remove: true }))]) {
    // The clause of the verb.
    let end = verb.end
    while (end < tokens.length && !['.', '!', '?', ';', '\n'].includes(tokens[end].text)) end++
    const clause = tokens.slice(verb.end, end)
    const fieldWord = fieldWords.find((f) => f.start >= verb.end && f.start < end)
    let target: PlanEntity | null = null
    let targetAt = -1
    for (let k = 0; k < clause.length; k++) {
      if (!clause[k].word || !['to', 'for', 'in', 'into', 'в', 'во', 'к', 'для', 'у'].includes(clause[k].lower)) continue
      const found = findEntity(plan, clause.slice(k + 1, k + 4))
      if (found) {
        target = found
        targetAt = k
        break
      }
    }
    if (!target && !fieldWord) continue
    if (!target) {
      const named = findEntity(plan, clause)
      target = named ?? plan.entities.at(-1)!
    }
    const itemTokens = clause.slice(0, targetAt === -1 ? clause.length : targetAt).filter((t) => !(fieldWord && t.start >= tokens[fieldWord.start].start && t.end <= tokens[fieldWord.end - 1].end))
    if (itemTokens.length === 0) continue
    const itemsText = w.text.slice(itemTokens[0].start, itemTokens.at(-1)!.end).replace(/^(?:a|an|the|new|another|new)\s+/i, '')
    const inner = tokenize(itemsText)
    const { items } = fieldList(inner, 0, itemsText)
    const names = items.map((item) => item.trim()).filter((item) => item && !findEntity({ ...plan, entities: [target!] }, tokenize(item)))
    if (verb.remove) {
      const removed = target.fields.filter((f) => names.some((n) => fold(n) === fold(f.label) || fieldName(n) === f.name))
      if (removed.length === 0) continue
      if (removed.length === target.fields.length) {
        note('field', `${target.title} must keep at least one field`, `в «${target.title}» должно остаться хотя бы одно поле`)
      } else {
        target.fields = target.fields.filter((f) => !removed.includes(f))
        change('field', `removed ${removed.map((f) => f.label).join(', ')} from ${target.title}`, `убрал из «${target.title}»: ${removed.map((f) => f.label).join(', ')}`)
      }
    } else {
      const fields = names.map((n) => parseField(n, CYRILLIC.test(n) ? 'ru' : 'en', false)).filter((f): f is PlanField => f !== null)
      if (fields.length === 0) continue
      const added = mergeFields(target, fields)
      if (added.length) change('field', `added ${added.map(describeField).join(', ')} to ${target.title}`, `добавил в «${target.title}»: ${added.map(describeField).join(', ')}`)
      else note('field', `${target.title} already has ${fields.map((f) => f.label).join(', ')}`, `в «${target.title}» уже есть ${fields.map((f) => f.label).join(', ')}`)
    }
    w.mask(tokens[verb.start].start, tokens[end - 1]?.end ?? tokens[verb.start].end)
  }
}

// ---------------------------------------------------------------------------------------------
// Colours and theme

type Rgb = [number, number, number]

function rgbOf(colour: string): Rgb | null {
  const named = (colorNames as Record<string, Rgb>)[colour.toLowerCase()]
  if (named) return named
  const hex = colour.match(/^#([0-9a-f]{3,8})$/i)?.[1]
  if (!hex) return null
  const full = hex.length <= 4 ? [...hex.slice(0, 3)].map((c) => c + c).join('') : hex.slice(0, 6)
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb
}

export function luminance(colour: string): number {
  const rgb = rgbOf(colour)
  if (!rgb) return 0.5
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function saturation(colour: string): number {
  const rgb = rgbOf(colour)
  if (!rgb) return 0
  const max = Math.max(...rgb)
  const min = Math.min(...rgb)
  return max === 0 ? 0 : (max - min) / max
}

type ColourHit = { colour: string; start: number; end: number }
const BASIC_HUES = new Set(['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'pink', 'brown', 'gray', 'grey', 'violet'])

function findColours(tokens: Token[]): ColourHit[] {
  const names = colorNames as Record<string, Rgb>
  const hits: ColourHit[] = []
  const cue = has(tokens, phrases('colour-cues', COLOUR_CUES))
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
    if (!t.word) continue
    if (/^#[0-9a-f]{3,8}$/i.test(t.text) && [4, 5, 7, 9].includes(t.text.length)) {
      hits.push({ colour: t.text.toLowerCase(), start: i, end: i + 1 })
      continue
    }
    // Russian: "тёмно-синий", "светло-серым", "синий".
    if (CYRILLIC.test(t.lower)) {
      const parts = t.lower.split('-')
      const shade = parts.length > 1 && /^(?:темно|светло|ярко|бледно)$/.test(parts[0]) ? parts[0] : null
      const base = RU_COLOURS[stem(parts.at(-1)!)]
      if (!base) continue
      let colour = base
      if (shade === 'темно') colour = base === 'blue' ? 'navy' : names[`dark${base}`] ? `dark${base}` : base
      if (shade === 'светло') colour = names[`light${base}`] ? `light${base}` : base
      hits.push({ colour, start: i, end: i + 1 })
      continue
    }
    // English words that are not CSS names: "rose gold", "burgundy", "off-white".
    const next = tokens[i + 1]
    const pair = next?.word ? EN_COLOURS[`${t.lower} ${next.lower}`] : undefined
    if (pair) {
      hits.push({ colour: pair, start: i, end: i + 2 })
      i++
      continue
    }
    // English: "dark blue" → darkblue, "navy blue" → navy, "sky blue" → skyblue.
    if (next?.word) {
      const joined = t.lower + next.lower
      if (names[joined] && !['dark', 'light'].includes(next.lower)) {
        hits.push({ colour: joined, start: i, end: i + 2 })
        i++
        continue
      }
      if (names[t.lower] && ['blue', 'green', 'red'].includes(next.lower) && ['navy', 'forest', 'sea'].includes(t.lower)) {
        hits.push({ colour: t.lower, start: i, end: i + 2 })
        i++
        continue
      }
    }
    const single = EN_COLOURS[t.lower]
    if (single && (cue || !AMBIGUOUS_EN_COLOURS.has(t.lower))) {
      hits.push({ colour: single, start: i, end: i + 1 })
      continue
    }
    const lower = t.lower === 'grey' ? 'gray' : t.lower.replace(/^grey/, 'gray')
    if (!names[lower]) continue
    if (AMBIGUOUS_COLOURS.has(lower) && !cue) continue
    hits.push({ colour: lower, start: i, end: i + 1 })
  }
  // "espresso brown (#4b2e2a)": the code in brackets is the exact shade of the words before it.
  // So are colour words right before those ("espresso brown (#4b2e2a)" is one colour, not three).
  const shadowed = new Set<number>()
  for (let k = hits.length - 2; k >= 0; k--) {
    const hit = hits[k]
    const after = hits[k + 1]
    // "ocean blue primary (#0369a1)": up to two words between the name and the bracket.
    const between = tokens.slice(hit.end, after.start - 1)
    const exact = after.colour.startsWith('#') && tokens[after.start - 1]?.text === '(' && tokens[after.end]?.text === ')' && between.length <= 2 && between.every((t) => t.word)
    // Two colour words in a row are one colour: "olive green", "espresso brown" are the first, a shade of a
    // basic hue; "sandy beige" the last.
    if (exact) shadowed.add(k)
    else if (after.start === hit.end) shadowed.add(BASIC_HUES.has(tokens[after.start].lower) && !shadowed.has(k + 1) ? k + 1 : k)
  }
  return hits.filter((_, k) => !shadowed.has(k))
}

function colours(plan: Plan, w: Work, change: (k: string, en: string, ru: string) => void) {
  const tokens = tokenize(w.text)
  const before = JSON.stringify(plan.theme)
  const theme: Theme = {}
  // Theme mode: "dark theme", "dark mode", «тёмная тема».
  if (/\b(?:dark|night)\s+(?:theme|mode|design|look|style|background|palette|ui)\b|\bdark[- ]themed?\b|\bdark\s+(?:colou?r\s+)?scheme\b|темн\p{L}*\s+(?:тем\p{L}*|фон\p{L}*|оформлен\p{L}*|стил\p{L}*|дизайн\p{L}*|режим\p{L}*)|тёмн\p{L}*\s+(?:тем\p{L}*|фон\p{L}*|оформлен\p{L}*|стил\p{L}*|дизайн\p{L}*|режим\p{L}*)/iu.test(w.text)) theme.theme_mode = 'dark'
  else if (/\b(?:light|bright)\s+(?:theme|mode|design|look|style|palette)\b|светл\p{L}*\s+(?:тем\p{L}*|оформлен\p{L}*|стил\p{L}*|дизайн\p{L}*|режим\p{L}*)/iu.test(w.text)) theme.theme_mode = 'light'
  else if (/\b(?:auto(?:matic)?|system)\s+(?:theme|mode)\b|follows? the system/i.test(w.text)) theme.theme_mode = 'auto'
  // Font and corners.
  if (/\bsans[- ]?serif\b|без\s+засечек/iu.test(w.text)) theme.font = 'sans'
  else if (/\bserif\b|с\s+засечками/iu.test(w.text)) theme.font = 'serif'
  else if (/\bmono(?:space|spaced)?\b|typewriter|моноширин/iu.test(w.text)) theme.font = 'mono'
  else if (/\brounded\s+(?:font|type|letters)\b|\bplayful\s+font\b|округл\p{L}*\s+шрифт/iu.test(w.text)) theme.font = 'rounded'
  else if (/\bgeometric\s+(?:font|type)\b/i.test(w.text)) theme.font = 'geometric'
  else if (/\bslab\b/i.test(w.text)) theme.font = 'slab'
  if (/\b(?:square|sharp|straight)\s+corners\b|\bno\s+rounded\s+corners\b|остр\p{L}*\s+угл|прям\p{L}*\s+угл/iu.test(w.text)) theme.radius = 0
  else if (/\b(?:very|extra|fully)\s+rounded\b|\bpill\b/i.test(w.text)) theme.radius = 24
  else if (/\brounded\s+corners\b|скругл\p{L}*\s+угл/iu.test(w.text)) theme.radius = 16

  const hits = findColours(tokens)
  const roles = COLOUR_ROLES.map(([role, words]) => ({ role, hits: findPhrases(tokens, phrases(`role:${role}`, words)) }))
  const unassigned: string[] = []
  const clauseOf = (index: number) => {
    let c = 0
    for (let k = 0; k < index; k++) if (['.', '!', '?', ';', ','].includes(tokens[k].text) || (tokens[k].word && ['and', 'with', 'и', 'с', 'а', 'but', 'on'].includes(tokens[k].lower))) c++
    return c
  }
  for (const hit of hits) {
    // The role word nearest to the colour in its part of the sentence ("white text on a navy background").
    let best: { role: keyof Theme; distance: number } | null = null
    for (const { role, hits: roleHits } of roles) {
      for (const r of roleHits) {
        if (clauseOf(r.start) !== clauseOf(hit.start)) continue
        const distance = r.start >= hit.end ? r.start - hit.end : hit.start - r.end + 0.5
        if (distance <= 4 && (!best || distance < best.distance)) best = { role, distance }
      }
    }
    if (best && theme[best.role] === undefined) (theme as any)[best.role] = hit.colour
    else unassigned.push(hit.colour)
  }
  for (const colour of unassigned) {
    const lum = luminance(colour)
    const extreme = lum > 0.8 || lum < 0.04
    if (!theme.color_primary && !extreme && saturation(colour) > 0.2) theme.color_primary = colour
    else if (!theme.color_background && extreme) theme.color_background = colour
    else if (!theme.color_primary) theme.color_primary = colour
    else if (!theme.color_surface) theme.color_surface = colour
    else if (!theme.color_text) theme.color_text = colour
  }
  if (theme.color_background && !theme.theme_mode) theme.theme_mode = luminance(theme.color_background) < 0.2 ? 'dark' : 'light'
  if (Object.keys(theme).length === 0) return
  // A dark theme asked for over a light background given earlier (or the other way) drops the old background.
  if (theme.theme_mode && !theme.color_background && plan.theme.color_background) {
    const dark = luminance(plan.theme.color_background) < 0.2
    if ((theme.theme_mode === 'dark') !== dark) {
      delete plan.theme.color_background
      delete plan.theme.color_surface
      delete plan.theme.color_text
    }
  }
  Object.assign(plan.theme, theme)
  for (const hit of hits) w.mask(tokens[hit.start].start, tokens[hit.end - 1].end)
  if (JSON.stringify(plan.theme) === before) return
  const parts = Object.entries(theme).map(([key, value]) => `${key.replace('color_', '')} ${value}`)
  change('theme', `theme: ${parts.join(', ')}`, `оформление: ${parts.join(', ')}`)
}

// ---------------------------------------------------------------------------------------------
// Booking details

const DAY = String.raw`(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|пн|вт|ср|чт|пт|сб|вс|понедельник\p{L}*|вторник\p{L}*|сред\p{L}*|четверг\p{L}*|пятниц\p{L}*|суббот\p{L}*|воскресень\p{L}*|weekdays|будни|будням|ежедневно|daily|every day`
const TIME = String.raw`\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?`

function clock(value: string): string {
  const match = value.trim().toLowerCase().match(/^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/)
  if (!match) return value.trim()
  let hours = Number(match[1]) % 24
  if (match[3]?.startsWith('p') && hours < 12) hours += 12
  if (match[3]?.startsWith('a') && hours === 12) hours = 0
  return `${String(hours).padStart(2, '0')}:${match[2] ?? '00'}`
}

function bookingDetails(plan: Plan, text: string, change: (k: string, en: string, ru: string) => void) {
  const hours = text.match(new RegExp(String.raw`(?:open(?:ing)?\s*hours?|hours|open|час\p{L}*\s+работы|работаем|открыт\p{L}*|график\p{L}*)\s*(?:are|is|:|—|–|-)?\s*(?:from\s+)?((?:${DAY})(?:\s*(?:-|–|—|to|through|по|до)\s*(?:${DAY}))?,?\s*)?(?:from\s+|с\s+)?(${TIME})\s*(?:-|–|—|to|until|till|до)\s*(${TIME})`, 'iu'))
  if (hours) {
    const value = { days: hours[1] ? hours[1].replace(/[,\s]+$/, '').replace(/\s*(?:-|—|to|through|по|до)\s*/i, '–') : null, from: clock(hours[2]), to: clock(hours[3]) }
    if (JSON.stringify(plan.booking.hours) !== JSON.stringify(value)) {
      plan.booking.hours = value
      const shown = `${value.days ? value.days + ' ' : ''}${value.from}–${value.to}`
      change('booking', `opening hours ${shown}`, `часы работы ${shown}`)
    }
  }
  const slot = text.match(/(\d{2,3})\s*-?\s*(?:minute|min\b|мин)/iu)
  if (slot && /slot|appointment|session|booking|visit|сеанс|запис|прием|приём|слот|визит/iu.test(text)) {
    const minutes = Math.max(5, Math.min(480, Number(slot[1])))
    if (plan.booking.slotMinutes !== minutes) {
      plan.booking.slotMinutes = minutes
      change('booking', `${minutes}-minute slots`, `запись по ${minutes} минут`)
    }
  }
  const services =
    text.match(/\b(?:services?|treatments|procedures|offer(?:ing)?s?)\s*(?:like|such as|include|including|are|:|—|–)\s*([^.;\n]{3,300})|(?:услуги|процедуры)\s*(?::|—|–|-|такие как)\s*([^.;\n]{3,300})/iu) ??
    // "book appointments online for manicure, pedicure and eyebrow shaping", «записаться онлайн на стрижку, окрашивание и маникюр»
    text.match(/\b(?:book|booking|appointments?|reservations?)(?:\s+[\p{L}-]+){0,2}?\s+for\s+((?:[^.;\n,]{2,60},\s*)+[^.;\n,]{2,60}?\s+(?:and|or)\s+[^.;\n,]{2,60})(?=$|[.;\n]|,\s)|(?:записаться|запись|записи|записываться)(?:\s+[\p{L}-]+){0,2}?\s+на\s+((?:[^.;\n,]{2,60},\s*)+[^.;\n,]{2,60}?\s+(?:и|или)\s+[^.;\n,]{2,60})(?=$|[.;\n]|,\s)/iu)
  if (services) {
    const list = (services[1] ?? services[2] ?? services[3] ?? services[4]).split(/\s*(?:,|\band\b|(?<![\p{L}])и(?![\p{L}])|\bor\b|(?<![\p{L}])или(?![\p{L}]))\s*/iu).map((s) => capitalize(ruAccusativeToBase(s.trim().replace(/^(?:a|an|the)\s+/i, '')))).filter((s) => s.length >= 2 && s.length <= 60).slice(0, 12)
    if (list.length && JSON.stringify(plan.booking.services) !== JSON.stringify(list)) {
      plan.booking.services = list
      change('booking', `services ${list.join(', ')}`, `услуги: ${list.join(', ')}`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Modules, with negation

function modules(plan: Plan, w: Work, first: boolean, report: TurnReport, change: (k: string, en: string, ru: string) => void, note: (k: string, en: string, ru: string) => void) {
  const tokens = tokenize(w.text)
  const negations = findPhrases(tokens, phrases('negations', NEGATIONS))
  const positives = findPhrases(tokens, phrases('positive', POSITIVE))

  /** True when the words at `index` are in the reach of a negation ("remove the blog", "no pricing, no blog"), within their sentence. */
  const negated = (index: number): boolean => {
    for (let i = index - 1; i >= 0; i--) {
      if (w.text.slice(tokens[i].end, tokens[i + 1].start).includes('\n')) return false
      if (['.', '!', '?', ';'].includes(tokens[i].text)) return false
      if (positives.some((p) => p.start === i)) return false
      if (negations.some((n) => n.start === i)) return true
    }
    return false
  }

  const asked: { id: string; remove: boolean; words: string }[] = []
  const used = new Set<number>()
  const hits = Object.entries(MODULE_WORDS).flatMap(([id, words]) => findPhrases(tokens, phrases(`module:${id}`, words)).map((h) => ({ ...h, id })))
  hits.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start))
  for (const hit of hits) {
    if (Array.from({ length: hit.end - hit.start }, (_, k) => hit.start + k).some((k) => used.has(k))) continue
    for (let k = hit.start; k < hit.end; k++) used.add(k)
    asked.push({ id: hit.id, remove: negated(hit.start), words: w.text.slice(tokens[hit.start].start, tokens[hit.end - 1].end) })
  }

  // Records can be removed like pages ("remove the suppliers").
  for (const entity of [...plan.entities]) {
    const at = tokens.findIndex((t, i) => !used.has(i) && findEntity({ ...plan, entities: [entity] }, [t]))
    if (at !== -1 && negated(at)) {
      plan.entities = plan.entities.filter((e) => e !== entity)
      change('remove', `removed ${entity.title}`, `убрал «${entity.title}»`)
    }
  }

  for (const { id, remove, words } of asked) {
    const present = plan.modules.includes(id)
    if (remove) {
      if (present) {
        plan.modules = plan.modules.filter((m) => m !== id)
        if (!plan.removed.includes(id)) plan.removed.push(id)
        change('remove', `removed ${words}`, `убрал: ${words}`)
      } else {
        if (!plan.removed.includes(id)) plan.removed.push(id)
        if (!first) note('remove', `the app has no ${words}, so there is nothing to remove`, `в приложении нет «${words}» — убирать нечего`)
        else change('exclude', `no ${words}`, `без: ${words}`)
      }
    } else if (!present) {
      plan.modules.push(id)
      plan.removed = plan.removed.filter((m) => m !== id)
      if (id === 'waitlist' && /newsletter|mailing|subscri|рассылк|подписк|новост/iu.test(words)) {
        plan.labels = { ...plan.labels, waitlist: plan.lang === 'ru' ? 'Рассылка' : 'Newsletter' }
      }
      change('add', `added ${words}`, `добавил: ${words}`)
    } else if (!first) {
      note('add', `the app already has ${words}`, `в приложении уже есть «${words}»`)
    }
  }

  // A description always gets a home page, unless it said not to.
  const site = findPhrases(tokens, phrases('site-words', SITE_WORDS)).length > 0
  const understood = report.changes.length > 0 || report.notes.length > 0
  if (first && (understood || site) && !plan.modules.includes('landing-page') && !plan.removed.includes('landing-page')) {
    plan.modules.unshift('landing-page')
    if (!understood) change('add', 'a home page', 'главная страница')
  }
}

// ---------------------------------------------------------------------------------------------
// Purpose and copy of a description

const FILLERS = [
  /^(?:hi|hello|hey|привет|здравствуйте)[,!.\s]+/iu,
  /^(?:please\s+|пожалуйста,?\s+)/iu,
  /^(?:can|could|would)\s+you\s+(?:please\s+)?/i,
  /^(?:i|we)\s*(?:'d|would)?\s*(?:want|need|like|'d like|would like)\s+(?:to\s+(?:have|build|create|make|get|launch|start)\s+)?/i,
  /^(?:i'm|i am|we're|we are)\s+(?:looking for|building|making|launching|opening)\s+/i,
  /^(?:build|create|make|generate|design|set up|give|spin up|launch)\s+(?:me\s+|us\s+)?/i,
  /^(?:(?:мне|нам)\s+)?(?:нужен|нужна|нужно|нужны|хочу|хотим|хотелось бы)\s+/iu,
  /^(?:сделай(?:те)?|создай(?:те)?|собери(?:те)?|сгенерируй(?:те)?|разработай(?:те)?)\s+(?:мне\s+|нам\s+)?/iu,
  /^(?:a|an|the)\s+/i,
]

function describe(plan: Plan, text: string) {
  const sentence = (text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).find((s) => /\p{L}{3,}/u.test(s)) ?? '').slice(0, 400)
  let cleaned = sentence
  for (let round = 0; round < 3; round++) for (const filler of FILLERS) cleaned = cleaned.replace(filler, '')
  cleaned = cleaned.replace(/[.!?]+$/, '').trim()
  const short = cleaned.split(/\s*[:;,(—–]\s*|\s+(?:with|where|that|which|so|to|for|called|named|и|с|где|чтобы|для|под названием)\s+/iu)[0]?.trim() ?? ''
  const generic = new Set(['website', 'site', 'web site', 'app', 'application', 'web app', 'landing page', 'page', 'simple website', 'simple app', 'сайт', 'приложение', 'лендинг', 'страница', 'простой сайт', 'одностраничник'])
  const purpose = short.replace(/^(?:manage|track|organi[sz]e|keep track of|list|catalog|store|log|учет|управление|вести учет)\s+(?:my\s+|our\s+|the\s+)?/iu, '')
  if (purpose && !generic.has(fold(purpose)) && purpose.split(/\s+/).length <= 6) plan.purpose = purpose
  if (cleaned) plan.summary = capitalize(cleaned).slice(0, 300)
  if (!plan.title) {
    // "для салона красоты" → "Салон красоты": a noun in the genitive after the place stays as it is.
    const forWhom = cleaned.match(/(?<![\p{L}])для\s+(?:моей|моего|нашей|нашего|моих|наших)?\s*(\p{L}+)(?:\s+(\p{L}+))?/iu)
    const complement = forWhom?.[2] && CYRILLIC.test(forWhom[2]) && !STOP.has(fold(forWhom[2])) && /(?:ии|ия|ы|и|ов|ев|ей|ости|ства)$/u.test(fold(forWhom[2])) && !isModuleWord(tokenize(forWhom[2]), 0) ? forWhom[2] : null
    if (forWhom) plan.title = capitalize(ruGenitiveToBase(forWhom[1])) + (complement ? ` ${fold(complement)}` : '')
    else if (plan.purpose) plan.title = capitalize(plan.purpose).slice(0, 60)
  }
}

/** "на стрижку" → "стрижка": the first word of a Russian item after "на" (accusative) back to its base form. */
function ruAccusativeToBase(item: string): string {
  return item.replace(/^(\p{L}+?)([^аеиоуыэюя\s])(у|ю)(?=\s|$)/u, (_, body, consonant, ending) => `${body}${consonant}${ending === 'у' ? 'а' : 'я'}`)
}

/** "кофейни" → "кофейня", "салона" → "салон": the name of a place from "для …" (genitive), for a title. */
function ruGenitiveToBase(word: string): string {
  const lower = fold(word)
  const rules: [RegExp, string][] = [[/ства$/, 'ство'], [/ии$/, 'ия'], [/ни$/, 'ня'], [/([кгх])и$/, '$1а'], [/ы$/, 'а'], [/([бвгджзклмнпрстфхцчшщ])а$/, '$1'], [/ого$/, 'ый'], [/его$/, 'ий']]
  for (const [ending, base] of rules) if (ending.test(lower)) return lower.replace(ending, base)
  return lower
}

export { slug, singularEn, pluralEn, fieldName }
