import snowball from 'snowball-stemmers'
import { slugify as transliterateSlug, transliterate } from 'transliteration'

/**
 * Text primitives of the offline interpreter: Unicode-aware tokens with
 * their stems (Snowball, English or Russian by the word's script), phrase
 * patterns matched on stems, and slugs that stay readable for Cyrillic
 * names (transliterated, not dropped).
 */
export type Lang = 'en' | 'ru'

const stemmers = { en: snowball.newStemmer('english'), ru: snowball.newStemmer('russian') }

export const CYRILLIC = /[\u0400-\u04FF]/

/** Lowercase with ё folded into е: Russian writers use both. */
export function fold(word: string): string {
  return word.toLowerCase().replace(/ё/g, 'е')
}

export function stem(word: string): string {
  const folded = fold(word)
  // "онлайн-записью" and "онлайн-запись": each part of a hyphenated word is stemmed on its own, so both meet.
  if (folded.includes('-')) return folded.split('-').map((part) => (part ? stemOne(part) : part)).join('-')
  return stemOne(folded)
}

function stemOne(folded: string): string {
  return (CYRILLIC.test(folded) ? stemmers.ru : stemmers.en).stem(folded)
}

/** The language of a message: Russian when most of its letters are Cyrillic. */
export function detectLang(text: string): Lang {
  const letters = text.match(/\p{L}/gu) ?? []
  const cyrillic = letters.filter((c) => CYRILLIC.test(c)).length
  return letters.length > 0 && cyrillic / letters.length >= 0.3 ? 'ru' : 'en'
}

export type Token = {
  text: string
  lower: string
  stem: string
  start: number
  end: number
  /** A word (letters/digits), not punctuation. */
  word: boolean
}

const TOKEN = /#[0-9a-f]{3,8}(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:[-'’&][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/giu

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  for (const match of text.matchAll(TOKEN)) {
    const value = match[0]
    const word = /[\p{L}\p{N}#]/u.test(value[0])
    tokens.push({ text: value, lower: fold(value), stem: word ? stem(value) : value, start: match.index!, end: match.index! + value.length, word })
  }
  return tokens
}

/**
 * A phrase pattern: words separated by spaces, each matched on its stem;
 * `=word` matches the exact (lowercased) word, `word*` any word starting
 * with it. Compiled once.
 */
type WordMatcher = (token: Token) => boolean
export type Phrase = { source: string; words: WordMatcher[] }

export function phrase(source: string): Phrase {
  const words = source
    .split(/\s+/)
    .filter(Boolean)
    .map((part): WordMatcher => {
      if (part.startsWith('=')) {
        const exact = fold(part.slice(1))
        return (t) => t.lower === exact
      }
      if (part.endsWith('*')) {
        const prefix = fold(part.slice(0, -1))
        return (t) => t.lower.startsWith(prefix)
      }
      const wanted = stem(part)
      return (t) => t.stem === wanted
    })
  return { source, words }
}

export type PhraseHit = { start: number; end: number; phrase: Phrase }

/** Where the phrases occur among the word tokens (`start`/`end`: token indexes, end exclusive). */
export function findPhrases(tokens: Token[], phrases: Phrase[], from = 0, to = tokens.length): PhraseHit[] {
  const hits: PhraseHit[] = []
  for (let i = from; i < to; i++) {
    if (!tokens[i].word) continue
    for (const p of phrases) {
      let j = i
      let k = 0
      while (k < p.words.length && j < to) {
        if (!tokens[j].word) break
        if (!p.words[k](tokens[j])) break
        j++
        k++
      }
      if (k === p.words.length) hits.push({ start: i, end: j, phrase: p })
    }
  }
  // Longest first at each position, then by position.
  return hits.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start))
}

export function capitalize(text: string): string {
  return text ? text[0].toLocaleUpperCase() + text.slice(1) : text
}

/** A readable URL/package slug: Cyrillic is transliterated ("Кофейня" → "kofeynya"). */
export function slug(text: string, separator: '-' | '_' = '-', max = 30): string {
  const value = transliterateSlug(text, { separator, lowercase: true })
    .replace(separator === '-' ? /[^a-z0-9-]+/g : /[^a-z0-9_]+/g, separator)
    .replace(new RegExp(`\\${separator}+`, 'g'), separator)
    .replace(new RegExp(`^[${separator}0-9]+|\\${separator}+$`, 'g'), '')
  return value.slice(0, max).replace(new RegExp(`\\${separator}+$`), '')
}

export { transliterate }
