/**
 * How the builder benchmark reads a live app: the visible text of its pages,
 * the links of a page, the colours of its /theme.css, and the check of one
 * corpus entry's expectations against what was fetched. Pure functions, so
 * the checker itself is tested (tests/unit/bench_builder_check.spec.ts)
 * without starting anything.
 */
import colorNames from 'color-name'
import type { Expectation } from './corpus.js'

export type Rgb = [number, number, number]

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', laquo: '«', raquo: '»', mdash: '—', ndash: '–', middot: '·', copy: '©', hellip: '…', rsquo: '’', lsquo: '‘', ldquo: '“', rdquo: '”' }

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : Number(code.slice(1))
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : whole
    }
    return ENTITIES[code.toLowerCase()] ?? whole
  })
}

/**
 * What a visitor reads on a page: the text of the document without scripts and
 * styles, plus the labels a form shows in its controls (placeholders, button
 * values, options), whitespace collapsed.
 */
export function visibleText(html: string): string {
  const body = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
  const attributes = [...body.matchAll(/\s(?:placeholder|value|title|alt|aria-label)\s*=\s*"([^"]*)"/gi)].map((m) => m[1])
  const text = body.replace(/<[^>]*>/g, ' ')
  return decodeEntities(`${text} ${attributes.join(' ')}`).replace(/\s+/g, ' ').trim()
}

export type Link = { href: string; text: string }

/** The `<a href>` links of a page with their visible text. */
export function links(html: string): Link[] {
  return [...html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi)]
    .map((m) => ({ href: decodeEntities(/\bhref\s*=\s*"([^"]*)"/i.exec(m[1])?.[1] ?? ''), text: visibleText(m[2]) }))
    .filter((l) => l.href !== '')
}

/** Lowercase with ё folded into е, for comparisons of words people write either way. */
export const fold = (text: string) => text.toLowerCase().replace(/ё/g, 'е')

/** `"Menu|Меню"`: one of the alternatives occurs in the text (case-insensitive, ё = е). */
export function mentions(text: string, wanted: string): boolean {
  const haystack = fold(text)
  return wanted.split('|').some((alternative) => haystack.includes(fold(alternative.trim())))
}

export function parseColour(value: string): Rgb | null {
  const named = (colorNames as Record<string, Rgb>)[value.trim().toLowerCase()]
  if (named) return named
  const hex = /^#([0-9a-f]{3,8})$/i.exec(value.trim())?.[1]
  if (!hex || ![3, 4, 6, 8].includes(hex.length)) return null
  const full = hex.length <= 4 ? [...hex.slice(0, 3)].map((c) => c + c).join('') : hex.slice(0, 6)
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb
}

export function luminance([r, g, b]: Rgb): number {
  const channel = (v: number) => {
    const s = v / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/** Euclidean distance in RGB: 0 for the same colour, ~441 for black against white. */
export function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
}

/**
 * How far a colour of the theme may be from the one asked for and still be "that colour":
 * the theme may lift an accent for contrast, and "dark blue" may be written navy or darkblue.
 */
export const COLOUR_TOLERANCE = 70

export type ThemeColours = { accent: Rgb | null; background: Rgb | null; surface: Rgb | null; text: Rgb | null; scheme: string | null }

/** The main palette of /theme.css: the custom properties of its first `:root` block. */
export function themeColours(css: string): ThemeColours {
  const root = /:root\s*\{([^}]*)\}/.exec(css)?.[1] ?? ''
  const property = (name: string) => {
    const value = new RegExp(`(?:^|;|\\s)${name.replace(/[-]/g, '\\-')}\\s*:\\s*([^;]+);`).exec(root)?.[1]
    return value ? value.trim() : null
  }
  const colour = (name: string) => {
    const value = property(name)
    return value ? parseColour(value) : null
  }
  return { accent: colour('--accent'), background: colour('--bg'), surface: colour('--surface'), text: colour('--text'), scheme: property('color-scheme') }
}

/** True when the theme shows the colour (as its accent, background, surfaces or text); "pink|hotpink": either. */
export function themeHas(theme: ThemeColours, wanted: string): boolean {
  return wanted.split('|').some((alternative) => {
    const rgb = parseColour(alternative)
    if (!rgb) throw new Error(`the corpus asks for "${alternative}", which is not a CSS colour`)
    return [theme.accent, theme.background, theme.surface, theme.text].some((c) => c !== null && distance(c, rgb) <= COLOUR_TOLERANCE)
  })
}

/** What was fetched of one live app. */
export type Fetched = {
  /** Home page HTML. */
  home: string
  /** Every page the home page links to (same app), by the link's text. */
  pages: { link: Link; status: number; html: string }[]
  /** For pages with a "new record" form behind the owner's login: that form's HTML, by the page's link text. */
  forms: Map<string, string>
  themeCss: string
}

export type Verdict = { honoured: boolean; failures: string[]; colours: { asked: boolean; honoured: boolean } }

function findPage(fetched: Fetched, wanted: string) {
  return fetched.pages.find((p) => mentions(p.link.text, wanted) && p.link.text.length <= 60)
}

/** Checks one entry's expectations; every failure is named so a run says what was missing. */
export function verdict(expect: Expectation, fetched: Fetched): Verdict {
  const failures: string[] = []
  const everything = [fetched.home, ...fetched.pages.map((p) => p.html), ...fetched.forms.values()].map(visibleText).join(' \n ')
  for (const word of expect.words ?? []) {
    if (!mentions(everything, word)) failures.push(`word "${word}" is on no page`)
  }
  for (const page of expect.pages ?? []) {
    const found = findPage(fetched, page)
    if (!found) failures.push(`no link to a page "${page}" on the home page`)
    else if (found.status !== 200) failures.push(`page "${page}" (${found.link.href}) answered ${found.status}`)
  }
  for (const [page, labels] of Object.entries(expect.fields ?? {})) {
    const found = findPage(fetched, page)
    if (!found) {
      failures.push(`no page "${page}" for the fields ${labels.join(', ')}`)
      continue
    }
    // The "new record" form when the page has one (the list's search and filters are not the fields), else the page.
    const form = fetched.forms.get(found.link.text) ?? found.html
    const where = visibleText(form)
    const controls = (form.match(/<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")/gi) ?? []).length
    const missing = labels.filter((label) => !mentions(where, label))
    if (missing.length) failures.push(`page "${page}" has no field ${missing.map((m) => `"${m}"`).join(', ')}`)
    else if (controls < labels.length) failures.push(`page "${page}" shows the labels but has ${controls} form controls for ${labels.length} fields`)
  }
  const asked = (expect.colours?.length ?? 0) > 0 || expect.dark !== undefined
  let coloursHonoured = true
  if (asked) {
    const theme = themeColours(fetched.themeCss)
    for (const colour of expect.colours ?? []) {
      if (!themeHas(theme, colour)) {
        coloursHonoured = false
        failures.push(`colour ${colour} is not in /theme.css`)
      }
    }
    if (expect.dark !== undefined) {
      const dark = theme.background !== null && luminance(theme.background) < 0.2
      if (dark !== expect.dark) {
        coloursHonoured = false
        failures.push(expect.dark ? 'the theme is not dark' : 'the theme is dark')
      }
    }
  }
  return { honoured: failures.length === 0, failures, colours: { asked, honoured: asked && coloursHonoured } }
}
