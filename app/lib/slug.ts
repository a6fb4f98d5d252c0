import { transliterate } from 'transliteration'

/**
 * A URL-safe slug of a name: lowercase ASCII letters, digits and dashes,
 * at most `max` characters, `fallback` when nothing is left. Other scripts
 * are transliterated first, so «Кофейня Утро» becomes `kofeinia-utro`
 * rather than the fallback; accents are dropped (`café` → `cafe`).
 */
export function slugify(name: string, max: number, fallback: string): string {
  return (
    transliterate(name.normalize('NFKC'))
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max)
      .replace(/-+$/, '') || fallback
  )
}
