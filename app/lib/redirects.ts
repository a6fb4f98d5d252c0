/**
 * Where a visitor goes after logging in. The auth middleware sends a visitor
 * who asked for a page behind login to `/login?redirect=<that page>`; the
 * login form carries the same `redirect` field. Only a same-site path is
 * followed: a relative path starting with one `/`, no scheme, no host, no
 * backslash or control character (browsers turn `/\evil` and `/\t/evil` into
 * `//evil`), so the parameter can never become an open redirect.
 */
export const REDIRECT_PARAM = 'redirect'
export const AFTER_LOGIN = '/dashboard'

export function safeRedirectPath(value: unknown, fallback = AFTER_LOGIN): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback
  if (!value.startsWith('/') || value.startsWith('//')) return fallback
  if (/[\\\u0000-\u001f\u007f\s]/.test(value)) return fallback
  try {
    const base = 'http://platform.invalid'
    const url = new URL(value, base)
    if (url.origin !== base) return fallback
    return url.pathname + url.search + url.hash
  } catch {
    return fallback
  }
}

/**
 * The login page URL that brings the visitor back to `path` afterwards.
 */
export function loginUrlFor(path: string): string {
  const target = safeRedirectPath(path, '')
  if (!target || target === AFTER_LOGIN) return '/login'
  return `/login?${REDIRECT_PARAM}=${encodeURIComponent(target)}`
}
