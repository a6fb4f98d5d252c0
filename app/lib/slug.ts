/**
 * A URL-safe slug of a name: lowercase ASCII letters, digits and dashes,
 * at most `max` characters, `fallback` when nothing is left.
 */
export function slugify(name: string, max: number, fallback: string): string {
  return (
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max)
      .replace(/-+$/, '') || fallback
  )
}
