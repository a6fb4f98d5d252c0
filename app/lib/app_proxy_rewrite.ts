/**
 * What the apps proxy changes in requests and answers between a browser and
 * a deployed app. Isolation never depends on the rewrites of links (the path
 * URL is a sandboxed, opaque origin whatever the page contains); they only
 * make generated pages, which use absolute links like `/style.css`, work
 * under `/apps/<app>/`.
 */

/**
 * Cookie names the platform uses or may use: its session, the auth guard's
 * remember-me token, CSRF. An app never receives them and cannot set them.
 */
export function isPlatformCookieName(name: string) {
  const value = name.trim().toLowerCase().replace(/^__(host|secure)-/, '')
  return value.startsWith('xbasis') || value.startsWith('remember_') || value.startsWith('adonis') || value === 'xsrf-token'
}

/**
 * The Cookie header for the app. On the app's own host: every cookie but the
 * platform's. On the path URL (`prefix` given): only the app's own, which
 * carry the prefix, without it.
 */
export function appCookieHeader(header: string | undefined, prefix: string | null): string | null {
  if (!header) return null
  const kept: string[] = []
  for (const part of header.split(';')) {
    const pair = part.trim()
    const index = pair.indexOf('=')
    if (index <= 0) continue
    const name = pair.slice(0, index).trim()
    if (prefix) {
      if (!name.startsWith(prefix)) continue
      const own = name.slice(prefix.length)
      if (own && !isPlatformCookieName(own)) kept.push(`${own}=${pair.slice(index + 1)}`)
    } else if (!isPlatformCookieName(name)) {
      kept.push(pair)
    }
  }
  return kept.length ? kept.join('; ') : null
}

/**
 * A Set-Cookie of the app, as the browser may store it, or null when it is
 * refused (a platform cookie name, or no name at all). The Domain attribute
 * is always removed: an app's cookie is host-only, it can reach neither the
 * platform's host nor another app's. On the path URL (`path` given), the name
 * gets the prefix and the Path is moved under /apps/<app>/.
 */
export function appSetCookie(value: string, path: { prefix: string; path: string } | null): string | null {
  const [pair, ...attributes] = value.split(';')
  const index = pair.indexOf('=')
  const name = (index < 0 ? '' : pair.slice(0, index)).trim()
  if (!name || isPlatformCookieName(name)) return null
  const kept: string[] = []
  let cookiePath: string | null = null
  for (const attribute of attributes) {
    const trimmed = attribute.trim()
    const key = trimmed.split('=')[0].trim().toLowerCase()
    if (!trimmed || key === 'domain') continue
    if (key === 'path') {
      cookiePath = trimmed.slice(trimmed.indexOf('=') + 1).trim()
      continue
    }
    kept.push(trimmed)
  }
  if (!path) {
    return [`${name}=${pair.slice(index + 1).trim()}`, ...(cookiePath ? [`Path=${cookiePath}`] : []), ...kept].join('; ')
  }
  const under = cookiePath && cookiePath.startsWith('/') ? cookiePath : '/'
  return [`${path.prefix}${name}=${pair.slice(index + 1).trim()}`, `Path=${path.path}${under}`, ...kept].join('; ')
}

/** "/x" but not "//host" nor "/\host" (which browsers read as another host). */
const ROOT_PATH = String.raw`\/(?![\/\\])`

const URL_ATTRIBUTES = new RegExp(String.raw`(\s(?:href|src|action|formaction|poster|data|background|xlink:href)\s*=\s*)(["']?)${ROOT_PATH}`, 'gi')
const SRCSET = /(\ssrcset\s*=\s*)(["'])([^"']*)\2/gi
const META_REFRESH = new RegExp(String.raw`(<meta\b[^>]*\bcontent\s*=\s*["']?\s*\d+\s*;\s*url\s*=\s*)${ROOT_PATH}`, 'gi')

/** An HTML page of the app with its root-relative URLs under `prefix`. */
export function prefixHtmlPaths(html: string, prefix: string) {
  return prefixCssPaths(
    html
      .replace(URL_ATTRIBUTES, (_, attribute, quote) => `${attribute}${quote}${prefix}/`)
      .replace(SRCSET, (_, attribute, quote, list: string) => {
        const candidates = list.split(',').map((candidate) => candidate.replace(new RegExp(String.raw`^(\s*)${ROOT_PATH}`), `$1${prefix}/`))
        return `${attribute}${quote}${candidates.join(',')}${quote}`
      })
      .replace(META_REFRESH, (_, start) => `${start}${prefix}/`),
    prefix
  )
}

const CSS_URL = new RegExp(String.raw`(url\(\s*)(["']?)${ROOT_PATH}`, 'gi')
const CSS_IMPORT = new RegExp(String.raw`(@import\s+)(["'])${ROOT_PATH}`, 'gi')

/** A style sheet (or inline styles of a page) with its root-relative URLs under `prefix`. */
export function prefixCssPaths(css: string, prefix: string) {
  return css.replace(CSS_URL, (_, start, quote) => `${start}${quote}${prefix}/`).replace(CSS_IMPORT, (_, start, quote) => `${start}${quote}${prefix}/`)
}

/**
 * A redirect of the app on the path URL: "/x" and absolute URLs to the app's
 * own origins (its upstream address, the public origin of the request) go to
 * `prefix` + path; anything else (another site) is left as it is.
 */
export function prefixLocation(location: string, prefix: string, ownOrigins: string[]) {
  if (new RegExp(`^${ROOT_PATH}`).test(location)) return `${prefix}${location}`
  try {
    const url = new URL(location)
    if (!ownOrigins.includes(url.origin)) return location
    if (url.pathname === prefix || url.pathname.startsWith(prefix + '/')) return `${url.pathname}${url.search}${url.hash}`
    return `${prefix}${url.pathname}${url.search}${url.hash}`
  } catch {
    return location
  }
}
