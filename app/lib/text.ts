/**
 * Text the platform stores is valid Unicode without NUL: PostgreSQL refuses
 * NUL in text columns, and a lone UTF-16 surrogate (half of a pair) is not a
 * character at all (SQLite and every UTF-8 round trip mangle it). The rule is
 * the same everywhere: input from people and API clients that carries either
 * is refused with a 422 (text_input_middleware), text written by a model is
 * cleaned with `cleanText` (the model cannot be asked again).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** What makes `value` unstorable, or null when it is fine. */
export function textProblem(value: string): 'nul' | 'surrogate' | null {
  if (value.includes('\u0000')) return 'nul'
  if (!value.isWellFormed()) return 'surrogate'
  return null
}

/** `value` without NUL characters and lone surrogates (everything else kept). */
export function cleanText(value: string): string {
  if (textProblem(value) === null) return value
  return value.replace(/\u0000/g, '').replace(LONE_SURROGATE, '')
}

/** Every string inside a JSON-like value, cleaned (tool-call arguments of a model). */
export function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T
  if (Array.isArray(value)) return value.map((item) => cleanDeep(item)) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [cleanText(key), cleanDeep(item)])) as T
  }
  return value
}
