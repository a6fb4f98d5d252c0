import { createHmac } from 'node:crypto'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import env from '#start/env'

/**
 * Where deployed apps of the local targets (process, docker) are reachable
 * through the platform itself, and from which pages a preview may be framed.
 *
 * Tenant code never runs on the platform's origin:
 * - primary: `http(s)://<app>.<APPS_DOMAIN>`, an origin of the app's own (the
 *   platform's cookies are host-only, so the browser never sends them there);
 * - fallback, always served: `/apps/<app>/` on the platform's host, answered
 *   with a CSP `sandbox` (without allow-same-origin) so the page runs in an
 *   opaque origin that can read nothing of the platform's.
 *
 * `<app>` is `<project slug>-<project id>` for production and
 * `<slug>-<id>-preview-<key>` for previews, where the key is derived from the
 * app key: previews cannot be found by counting project ids.
 */

/** APPS_DOMAIN values that turn app hosts off (path URLs only). */
const OFF = new Set(['', 'off', 'none', 'false'])

function appUrl() {
  return new URL(env.get('APP_URL') ?? `http://localhost:${env.get('PORT', 3333)}`)
}

/**
 * `host[:port]` below which every app has a host of its own, or null when apps
 * are only reachable by path. Default: the host of APP_URL (`localhost:3333`
 * → `<app>.localhost:3333`), none when APP_URL is an IP address (no wildcard
 * DNS exists for one).
 */
export function appsDomain(): string | null {
  const configured = env.get('APPS_DOMAIN')
  if (configured !== undefined) return OFF.has(configured.trim().toLowerCase()) ? null : configured.trim().toLowerCase()
  const url = appUrl()
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return isIP(host) ? null : url.host.toLowerCase()
}

function scheme() {
  return appUrl().protocol === 'https:' ? 'https' : 'http'
}

/** The preview's secret part: unguessable without the app key, stable per project. */
export function previewKey(projectId: number) {
  return createHmac('sha256', env.get('APP_KEY')!).update(`xbasis-preview:${projectId}`).digest('hex').slice(0, 20)
}

/** A DNS label is at most 63 characters: long slugs are shortened in preview names. */
const PREVIEW_SLUG_MAX = 24

export function appName(project: { slug: string; id: number }, environment: 'preview' | 'production') {
  if (environment === 'production') return `${project.slug}-${project.id}`
  const slug = project.slug.slice(0, PREVIEW_SLUG_MAX).replace(/-+$/, '') || 'app'
  return `${slug}-${project.id}-preview-${previewKey(project.id)}`
}

/** The URL shown for an app: its own host when APPS_DOMAIN is on, else its sandboxed path URL. */
export function publicAppUrl(project: { slug: string; id: number }, environment: 'preview' | 'production') {
  const domain = appsDomain()
  const name = appName(project, environment)
  return domain ? `${scheme()}://${name}.${domain}` : `${platformOrigin()}/apps/${name}`
}

/**
 * The path URL (`/apps/<app>`, on whatever address the platform is opened)
 * of an app the platform's proxy serves, from its public URL; null for apps
 * of remote targets. The editor uses it when the app's host cannot resolve
 * where the browser is (`*.localhost` seen from another machine).
 */
export function appPathOf(url: string | null): string | null {
  if (!url) return null
  try {
    const parsed = new URL(url)
    const label = appLabelOfHost(parsed.host)
    if (label !== null) return `/apps/${label}`
    const path = parsed.pathname.match(/^\/apps\/([a-z0-9-]+)/)
    return path && parsed.origin === platformOrigin() ? `/apps/${path[1]}` : null
  } catch {
    return null
  }
}

/** The platform's own public origin (APP_URL). */
export function platformOrigin() {
  return appUrl().origin
}

export type AppRef = { name: string; projectId: number; environment: 'preview' | 'production' }

/**
 * The project id and environment a name claims. The caller must still check
 * that `appName(project, environment)` is exactly `name` (slug and preview key).
 */
export function parseAppName(name: string): AppRef | null {
  const value = name.toLowerCase()
  const match = value.match(/^[a-z0-9-]*?-(\d{1,15})(-preview-[0-9a-f]{20})?$/)
  if (!match) return null
  return { name: value, projectId: Number(match[1]), environment: match[2] ? 'preview' : 'production' }
}

/**
 * For a Host header: `'platform'` when it is not under APPS_DOMAIN, else the
 * app label it names (possibly not an app at all: the caller answers 404,
 * never with the platform's pages).
 */
export function appLabelOfHost(host: string | undefined): string | null {
  const domain = appsDomain()
  if (!domain) return null
  const value = (host ?? '').toLowerCase().replace(/\.$/, '')
  // The platform's own public hosts are never apps, even when APPS_DOMAIN is a parent of them.
  if (publicHosts().includes(value)) return null
  // Without an explicit port in APPS_DOMAIN, any port of that host is the same domain.
  const candidates = domain.includes(':') ? [value] : [value, value.replace(/:\d+$/, '')]
  for (const candidate of candidates) {
    if (candidate.endsWith('.' + domain)) return candidate.slice(0, -(domain.length + 1))
  }
  return null
}

/** Hosts (with port when not the default) of APP_URL and PLATFORM_ORIGINS. */
function publicHosts() {
  const hosts = [appUrl().host]
  for (const origin of (env.get('PLATFORM_ORIGINS') ?? '').split(',')) {
    try {
      hosts.push(new URL(origin.trim()).host)
    } catch {}
  }
  return hosts.map((h) => h.toLowerCase())
}

export function isLoopbackUrl(url: string) {
  try {
    const host = new URL(url).hostname
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
  } catch {
    return false
  }
}

/** `scheme://host[:port]` with a host a CSP source expression can name (no IPv6 literal). */
function cspOrigin(value: string): string | null {
  try {
    const url = new URL(value)
    if (!['http:', 'https:'].includes(url.protocol) || url.hostname.startsWith('[')) return null
    return url.origin
  } catch {
    return null
  }
}

let staticOrigins: string[] | null = null

/**
 * Every address the platform answers on, as origins: APP_URL, the extra
 * public origins of PLATFORM_ORIGINS (behind a proxy, other names), and for
 * its own port the loopback names, the machine's host name and each IPv4
 * address of its interfaces (when it listens on all of them).
 */
export function platformOrigins(): string[] {
  if (staticOrigins) return staticOrigins
  const port = env.get('PORT', 3333)
  const listen = env.get('HOST', '0.0.0.0')
  const hosts = new Set<string>(['localhost', '127.0.0.1'])
  if (listen === '0.0.0.0' || listen === '::') {
    hosts.add(hostname().toLowerCase())
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) if (address.family === 'IPv4') hosts.add(address.address)
    }
  } else {
    hosts.add(listen)
  }
  const origins = new Set<string>()
  for (const value of [platformOrigin(), ...(env.get('PLATFORM_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean)]) {
    const origin = cspOrigin(value)
    if (origin) origins.add(origin)
  }
  for (const host of hosts) {
    const origin = cspOrigin(`http://${host}:${port}`)
    if (origin) origins.add(origin)
  }
  staticOrigins = [...origins]
  return staticOrigins
}

/**
 * Origins an owner opened the editor from (a name of the machine that is in
 * none of the lists above, e.g. from /etc/hosts or a LAN DNS name): the
 * request reached the platform there, so it is an address the platform
 * answers on. Kept per project, in memory, a few per project.
 */
const openedFrom = new Map<number, string[]>()
const OPENED_FROM_MAX = 4

export function rememberEditorOrigin(projectId: number, origin: string) {
  const value = cspOrigin(origin)
  if (!value || platformOrigins().includes(value)) return
  const list = (openedFrom.get(projectId) ?? []).filter((o) => o !== value)
  list.unshift(value)
  openedFrom.set(projectId, list.slice(0, OPENED_FROM_MAX))
  if (openedFrom.size > 10_000) openedFrom.delete(openedFrom.keys().next().value!)
}

/** The `frame-ancestors` sources of a project's preview: the platform's addresses only. */
export function previewFrameAncestors(projectId: number): string[] {
  return [...platformOrigins(), ...(openedFrom.get(projectId) ?? [])]
}
