import type { ModuleManifest, ParameterSpec } from '#modules/types'
import { checkParameterValue } from '#modules/parameters'
import { CTA, EN_PAGE_LABELS, MODULE_BLURBS, RU_PAGE_LABELS } from './lexicon.js'
import type { Plan, PlanEntity, Theme, TurnReport } from './interpreter.js'
import { capitalize, slug, type Lang } from './text.js'

/**
 * From a plan to the output protocol: the parameters of each module (only
 * those the module's manifest declares, each checked against it, so the
 * offline builder never writes a parameter a module would refuse), the
 * instructions that turn the previous plan's app into this one, and the
 * answer that tells the user what was built, in their language.
 */
export type Catalogue = { get(id: string): ModuleManifest | undefined }
export type ModuleParams = Map<string, Record<string, unknown>>

/** Modules the platform adds by itself (requirements); the builder never names them. */
const IMPLIED = new Set(['app-base', 'data-store'])

function mainPath(manifest: ModuleManifest | undefined, params: Record<string, unknown>): string | null {
  const route = manifest?.routes.find((r) => r.method === 'GET' && !r.path.includes(':') && !r.auth && r.status === 200 && !r.path.startsWith('/api/') && r.path !== '/health')
  if (!route) return null
  return route.path.replace(/\{([^}]+)\}/g, (_, name) => String(params[name] ?? ''))
}

/** Keeps the values the module accepts; a value it refuses is left out (its default applies). */
function accepted(manifest: ModuleManifest, wanted: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(wanted)) {
    if (value === undefined || value === null) continue
    const spec = manifest.parameters.find((p) => p.name === name)
    if (!spec) continue
    for (const candidate of [value, downgrade(value)]) {
      const checked = checkParameterValue(spec, candidate)
      if (!checked.error) {
        result[name] = checked.value
        break
      }
    }
  }
  return result
}

/** Field types an older catalogue may not know, as plain text (the record still works). */
function downgrade(value: unknown): unknown {
  const fields = (list: any[]) => list.map((f) => (f && typeof f === 'object' && 'type' in f && ['textarea', 'url', 'choice'].includes(f.type) ? { name: f.name, type: 'text', label: f.label, ...(f.required !== undefined ? { required: f.required } : {}) } : f))
  if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && 'type' in v)) return fields(value)
  if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && Array.isArray(v.fields))) return value.map((v) => ({ ...v, fields: fields(v.fields) }))
  return value
}

function records(spec: ParameterSpec | undefined, values: string[]): unknown {
  if (!spec) return undefined
  if (spec.type === 'string-list') return values
  if (spec.type === 'records' && spec.properties?.length) {
    const name = spec.properties.find((p) => p.type === 'string' && p.required) ?? spec.properties.find((p) => p.type === 'string')
    if (!name) return undefined
    if (spec.properties.some((p) => p.required && p !== name && p.default === undefined)) return undefined
    return values.map((value) => ({ [name.name]: value }))
  }
  if (spec.type === 'text' || spec.type === 'string') return values.join(', ')
  return undefined
}

function entityParams(entity: PlanEntity) {
  return {
    entity: entity.entity,
    title: entity.title.slice(0, 60),
    singular: entity.singular.slice(0, 40),
    fields: entity.fields.map((f) => ({ name: f.name, type: f.type, label: f.label, ...(f.options ? { options: f.options } : {}), ...(f.required ? { required: true } : {}) })),
    access: entity.access,
  }
}

const order = (id: string) => (id === 'app-base' ? 0 : id === 'landing-page' ? 1 : 2)

export function appTitle(plan: Plan): string {
  return plan.title ?? (plan.lang === 'ru' ? 'Моё приложение' : 'My app')
}

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
const DAY_NAMES: [RegExp, number][] = [
  [/^(?:mon|пн|понедельник)/, 0], [/^(?:tue|вт|вторник)/, 1], [/^(?:wed|ср|сред)/, 2], [/^(?:thu|чт|четверг)/, 3],
  [/^(?:fri|пт|пятниц)/, 4], [/^(?:sat|сб|суббот)/, 5], [/^(?:sun|вс|воскресень)/, 6],
]
const dayIndex = (word: string) => DAY_NAMES.find(([re]) => re.test(word.trim().toLowerCase()))?.[1] ?? null

/**
 * The days of "Mon–Fri", "Tue-Sat", "пн–сб", "weekdays", "будни", "daily", "Mon, Wed, Fri" as mon…sun;
 * every day when the request named none.
 */
export function dayCodes(days: string | null | undefined): string[] {
  const text = (days ?? '').toLowerCase().replace(/ё/g, 'е').trim()
  if (!text || /daily|every\s*day|ежедневно|каждый день|без выходных/.test(text)) return [...WEEK]
  if (/weekdays|будн/.test(text)) return WEEK.slice(0, 5)
  if (/weekends?|выходн/.test(text)) return WEEK.slice(5)
  const range = text.match(/^([\p{L}.]+)\s*(?:-|–|—|to|through|по|до)\s*([\p{L}.]+)$/u)
  if (range) {
    const [a, b] = [dayIndex(range[1]), dayIndex(range[2])]
    if (a !== null && b !== null) {
      const out: string[] = []
      for (let k = a; out.length < 7; k = (k + 1) % 7) {
        out.push(WEEK[k])
        if (k === b) break
      }
      return out
    }
  }
  const listed = text.split(/[\s,;/&]+|\band\b|(?<![\p{L}])и(?![\p{L}])/u).map(dayIndex).filter((d): d is number => d !== null)
  return listed.length ? [...new Set(listed)].sort().map((d) => WEEK[d]) : [...WEEK]
}

/** The parameters of every module of the plan, as the catalogue's manifests accept them. */
export function moduleParams(plan: Plan, catalogue: Catalogue): { params: ModuleParams; missing: string[]; notes: string[] } {
  const params: ModuleParams = new Map()
  const missing: string[] = []
  const notes: string[] = []
  const lang = plan.lang
  const title = appTitle(plan)
  const put = (id: string, wanted: Record<string, unknown>) => {
    const manifest = catalogue.get(id)
    if (!manifest) {
      missing.push(id)
      return
    }
    params.set(id, accepted(manifest, wanted))
  }

  put('app-base', { name: slug(title, '-', 50) || 'my-app', title: title.slice(0, 80), description: plan.summary?.slice(0, 300), lang, ...plan.theme })

  const ids = [...plan.modules]
  if (plan.entities.length && !ids.includes('crud-resource')) ids.push('crud-resource')
  for (const id of ids) {
    const manifest = catalogue.get(id)
    const named = plan.labels?.[id]
    const labels: Record<string, unknown> = named ? { nav_label: named, heading: named } : lang === 'ru' && RU_PAGE_LABELS[id] ? { nav_label: RU_PAGE_LABELS[id], heading: RU_PAGE_LABELS[id] } : {}
    if (id === 'crud-resource') {
      if (!manifest) {
        missing.push(id)
        continue
      }
      if (manifest.parameters.some((p) => p.name === 'entities')) {
        put(id, { entities: plan.entities.map(entityParams) })
      } else {
        const first = plan.entities[0]
        if (first) {
          const { access, ...single } = entityParams(first)
          put(id, { ...single, access })
        } else put(id, {})
        if (plan.entities.length > 1) notes.push('crud-resource')
      }
      continue
    }
    if (id === 'booking' && manifest) {
      const spec = (name: string) => manifest.parameters.find((p) => p.name === name)
      const hours = plan.booking.hours
      const hoursSpec = spec('opening_hours')
      let opening: unknown
      if (hours && hoursSpec && (hoursSpec.type === 'string' || hoursSpec.type === 'text')) opening = `${hours.days ? hours.days + ' ' : ''}${hours.from}–${hours.to}`
      else if (hours && hoursSpec?.type === 'records') {
        const prop = (re: RegExp) => hoursSpec.properties?.find((p) => re.test(p.name))?.name
        const days = prop(/day/)
        const from = prop(/open|from|start/)
        const to = prop(/close|to$|end|until/)
        // One record per open day: the module reads days as mon…sun.
        if (from && to) opening = days ? dayCodes(hours.days).map((day) => ({ [days]: day, [from]: hours.from, [to]: hours.to })) : [{ [from]: hours.from, [to]: hours.to }]
      } else if (hours && hoursSpec?.type === 'string-list') opening = [`${hours.days ? hours.days + ' ' : ''}${hours.from}–${hours.to}`]
      put(id, { ...labels, services: plan.booking.services ? records(spec('services'), plan.booking.services) : undefined, opening_hours: opening, slot_minutes: plan.booking.slotMinutes })
      continue
    }
    if (id === 'landing-page') continue
    put(id, labels)
  }

  if (plan.modules.includes('landing-page')) {
    const cta = CTA.find(([id]) => params.has(id))
    const ctaPath = cta ? mainPath(catalogue.get(cta[0]), params.get(cta[0])!) : null
    const firstEntity = plan.entities[0]
    const features = [
      ...plan.entities.map((e) => `${e.title}: ${e.fields.map((f) => f.label).join(', ')}`.slice(0, 200)),
      // "Title: text": each card gets the page's name as its title (see landing-page's splitFeature).
      ...plan.modules
        .filter((id) => params.has(id) && MODULE_BLURBS[id])
        .map((id) => {
          const label = (lang === 'ru' ? RU_PAGE_LABELS : EN_PAGE_LABELS)[id]
          return label ? `${label}: ${MODULE_BLURBS[id][lang]}` : MODULE_BLURBS[id][lang]
        }),
    ].slice(0, 6)
    const headline = plan.headline ?? capitalize(plan.title ?? plan.purpose ?? '') ?? ''
    const subheadline = plan.subheadline ?? (plan.summary && plan.summary !== headline ? plan.summary : null)
    const ctaLabel = plan.ctaLabel ?? (cta && ctaPath ? cta[1][lang] : firstEntity ? (lang === 'ru' ? `Открыть: ${firstEntity.title}` : `Browse ${firstEntity.title.toLowerCase()}`) : null)
    const ctaUrl = cta && ctaPath ? ctaPath : firstEntity ? `/${firstEntity.entity}` : undefined
    put('landing-page', {
      ...(lang === 'ru' ? { nav_label: RU_PAGE_LABELS['landing-page'] } : {}),
      headline: headline || undefined,
      subheadline: subheadline ?? undefined,
      cta_label: ctaLabel ?? undefined,
      cta_url: ctaUrl,
      features: features.length ? features : undefined,
    })
  }
  // The home page first after the base, as the navigation shows it.
  const ordered: ModuleParams = new Map([...params].sort(([a], [b]) => order(a) - order(b)))
  return { params: ordered, missing, notes }
}

export type Instructions = { text: string; added: string[]; updated: string[]; removed: string[] }

/** The protocol instructions that turn the previous plan's app into the new one. */
export function instructions(previous: ModuleParams, next: ModuleParams, explicitRemovals: string[]): Instructions {
  const lines: string[] = []
  const added: string[] = []
  const updated: string[] = []
  const removed: string[] = []
  const wasBuilt = previous.size > 0
  for (const [id, params] of next) {
    const before = previous.get(id)
    if (!before || !wasBuilt) {
      lines.push(`<xb-module id="${id}">${JSON.stringify(params)}</xb-module>`)
      added.push(id)
      continue
    }
    const changed = Object.fromEntries(Object.entries(params).filter(([key, value]) => JSON.stringify(before[key]) !== JSON.stringify(value)))
    // A parameter the new plan no longer sets goes back to its default.
    for (const key of Object.keys(before)) if (!(key in params)) changed[key] = null
    if (Object.keys(changed).length === 0) continue
    lines.push(`<xb-update-module id="${id}">${JSON.stringify(changed)}</xb-update-module>`)
    updated.push(id)
  }
  for (const id of new Set([...previous.keys(), ...explicitRemovals])) {
    if (next.has(id) || IMPLIED.has(id) || !previous.has(id)) continue
    lines.push(`<xb-remove-module id="${id}" />`)
    removed.push(id)
  }
  return { text: lines.join('\n'), added, updated, removed }
}

// ---------------------------------------------------------------------------------------------
// The answer

const T = {
  en: {
    intro: '**Offline builder** — no AI model involved: I read your request and assembled the app from ready, tested modules.',
    built: (title: string) => `**${title}** has these pages:`,
    changed: 'What changed:',
    nothing: 'Nothing needed to change, so no new version was made.',
    records: (e: PlanEntity) => `list, search, filters and sorting; fields: ${e.fields.map((f) => `${f.label} (${f.type})`).join(', ')}`,
    theme: 'Theme:',
    language: (lang: Lang) => `The app speaks ${lang === 'ru' ? 'Russian' : 'English'}.`,
    missing: (ids: string[]) => `Not in this xBasis's module catalogue, so not built: ${ids.map((id) => `\`${id}\``).join(', ')}.`,
    oneEntity: 'This catalogue\'s `crud-resource` holds one kind of records per app: only the first one was built.',
    modules: 'Modules:',
    next: (s: string) => `Next, you could say: "${s}".`,
    notUnderstood: "**Offline builder** — I did not understand this request, so I changed nothing (no new version). I build apps from ready modules and understand requests like these:",
  },
  ru: {
    intro: '**Офлайн-сборщик** — без ИИ-модели: я разобрал ваш запрос и собрал приложение из готовых проверенных модулей.',
    built: (title: string) => `**${title}** — страницы приложения:`,
    changed: 'Что изменилось:',
    nothing: 'Менять ничего не понадобилось, поэтому новая версия не создана.',
    records: (e: PlanEntity) => `список, поиск, фильтры и сортировка; поля: ${e.fields.map((f) => `${f.label} (${f.type})`).join(', ')}`,
    theme: 'Оформление:',
    language: (lang: Lang) => `Язык приложения: ${lang === 'ru' ? 'русский' : 'английский'}.`,
    missing: (ids: string[]) => `Этих модулей нет в каталоге этого xBasis, поэтому они не собраны: ${ids.map((id) => `\`${id}\``).join(', ')}.`,
    oneEntity: 'В этом каталоге `crud-resource` хранит один вид записей на приложение: собран только первый.',
    modules: 'Модули:',
    next: (s: string) => `Дальше можно написать: «${s}».`,
    notUnderstood: '**Офлайн-сборщик** — я не понял этот запрос, поэтому ничего не изменил (новой версии нет). Я собираю приложения из готовых модулей и понимаю, например, такие запросы:',
  },
}

/** The theme in the user's words: "dark theme, primary colour green", "тёмная тема, основной цвет green". */
const THEME_WORDS: Record<Lang, Record<string, string>> = {
  en: { color_primary: 'primary colour', color_background: 'background', color_surface: 'surface', color_text: 'text', font: 'font', radius: 'corner radius', dark: 'dark theme', light: 'light theme', auto: 'theme follows the system' },
  ru: { color_primary: 'основной цвет', color_background: 'фон', color_surface: 'карточки', color_text: 'текст', font: 'шрифт', radius: 'скругление углов', dark: 'тёмная тема', light: 'светлая тема', auto: 'тема как в системе' },
}

export function describeTheme(theme: Theme, lang: Lang): string[] {
  const words = THEME_WORDS[lang]
  return Object.entries(theme).map(([key, value]) => {
    if (key === 'theme_mode') return words[String(value)] ?? String(value)
    return `${words[key] ?? key} ${key === 'radius' ? `${value}px` : value}`
  })
}

export const EXAMPLES: Record<Lang, string[]> = {
  en: [
    'A booking site for my hair salon "Curl Up" with opening hours Mon–Sat 9:00–19:00, a gallery and reviews, in teal',
    'A CRM: customers with name, email and company, and deals with title, amount and stage',
    'A landing page for "Sweet Crumbs" bakery with a menu, a FAQ and a contact form, dark theme',
  ],
  ru: [
    'Сайт записи для салона «Локон»: часы работы пн–сб 9:00–19:00, галерея и отзывы, бирюзовый цвет',
    'Задачи с названием, сроком и исполнителем, поиск и фильтры',
    'Лендинг для пекарни «Сдоба» с меню, вопросами и ответами и формой связи, тёмная тема',
  ],
}

/**
 * Follow-ups the user could write next, best first. The builder offers the first one that its own
 * interpreter understands and that changes the app (see builder.ts), so the suggestion always works.
 */
export function suggestions(plan: Plan, lang: Lang): string[] {
  const ru = lang === 'ru'
  const list: string[] = []
  if (plan.modules.includes('pricing-page')) list.push(ru ? 'убери страницу цен' : 'remove the pricing page')
  const entity = plan.entities[0]
  if (entity) list.push(ru ? `добавь поле заметки в ${entity.title}` : `add a notes field to ${entity.title.toLowerCase()}`)
  if (!plan.modules.includes('faq')) list.push(ru ? 'добавь частые вопросы' : 'add a FAQ page')
  if (!plan.modules.includes('contact-form')) list.push(ru ? 'добавь форму обратной связи' : 'add a contact form')
  list.push(plan.theme.color_primary === 'teal' ? (ru ? 'сделай основной цвет синим' : 'make the primary colour blue') : ru ? 'сделай основной цвет бирюзовым' : 'make the primary colour teal')
  if (!plan.modules.includes('blog')) list.push(ru ? 'добавь блог' : 'add a blog')
  if (!plan.modules.includes('waitlist')) list.push(ru ? 'добавь лист ожидания' : 'add a waitlist')
  list.push(ru ? 'переименуй в «Новое название»' : 'rename the app to "New Name"')
  return list
}

export function renderAnswer(input: {
  plan: Plan
  turn: TurnReport
  first: boolean
  params: ModuleParams
  missing: string[]
  notes: string[]
  ops: Instructions
  catalogue: Catalogue
  suggestion: string | null
}): string {
  const { plan, turn, params, ops } = input
  const lang = turn.lang
  const t = T[lang]
  if (!turn.understood) {
    return [t.notUnderstood, '', ...EXAMPLES[lang].map((e) => `- ${e}`)].join('\n')
  }
  const lines = [t.intro, '']
  const changed = ops.text.length > 0
  if (!input.first) {
    lines.push(t.changed, ...turn.changes.map((c) => `- ${c[lang]}`), ...turn.notes.map((c) => `- ${c[lang]}`), '')
    if (!changed) lines.push(t.nothing, '')
  }
  lines.push(t.built(appTitle(plan)))
  const labels = lang === 'ru' ? RU_PAGE_LABELS : EN_PAGE_LABELS
  for (const [id, values] of params) {
    if (IMPLIED.has(id)) continue
    const manifest = input.catalogue.get(id)
    if (id === 'crud-resource') {
      const entities = Array.isArray(values.entities) && values.entities.length ? plan.entities : plan.entities.slice(0, 1)
      for (const e of entities) lines.push(`- ${e.title} (\`/${e.entity}\`) — ${t.records(e)}`)
      continue
    }
    const path = mainPath(manifest, values)
    const label = String(values.nav_label ?? labels[id] ?? manifest?.title ?? id)
    const detail = id === 'landing-page' && values.headline ? ` — "${values.headline}"` : ''
    lines.push(`- ${label}${path ? ` (\`${path}\`)` : ''}${detail}`)
  }
  const theme = describeTheme(plan.theme, plan.lang)
  lines.push('')
  if (theme.length) lines.push(`${t.theme} ${theme.join(', ')}.`)
  lines.push(t.language(plan.lang))
  if (input.missing.length) lines.push(t.missing(input.missing))
  if (input.notes.includes('crud-resource')) lines.push(t.oneEntity)
  lines.push(`${t.modules} ${[...params.keys()].map((id) => `\`${id}\``).join(', ')}.`)
  if (input.suggestion) lines.push('', t.next(input.suggestion))
  if (changed) lines.push('', ops.text)
  return lines.join('\n')
}
