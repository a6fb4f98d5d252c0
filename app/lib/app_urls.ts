import env from '#start/env'

/**
 * Where deployed apps of the local targets are reachable through the
 * platform itself: http(s)://<app>.<APPS_DOMAIN> (primary: the app gets its
 * own origin) and /apps/<app>/ on the platform's own host. <app> is
 * "<project slug>-<project id>", plus "-preview" for previews.
 */
export function appsDomain(): string {
  return (env.get('APPS_DOMAIN') ?? `localhost:${env.get('PORT', 3333)}`).toLowerCase()
}

function scheme() {
  return (env.get('APP_URL') ?? '').startsWith('https://') ? 'https' : 'http'
}

export function appName(project: { slug: string; id: number }, environment: 'preview' | 'production') {
  return `${project.slug}-${project.id}${environment === 'preview' ? '-preview' : ''}`
}

export function publicAppUrl(project: { slug: string; id: number }, environment: 'preview' | 'production') {
  return `${scheme()}://${appName(project, environment)}.${appsDomain()}`
}

/** The platform's own origin (framing previews is allowed to it only). */
export function platformOrigin() {
  return new URL(env.get('APP_URL') ?? `http://localhost:${env.get('PORT', 3333)}`).origin
}

export type AppRef = { projectId: number; environment: 'preview' | 'production' }

export function parseAppName(name: string): AppRef | null {
  const match = name.toLowerCase().match(/^[a-z0-9-]*?-(\d+)(-preview)?$/)
  if (!match) return null
  return { projectId: Number(match[1]), environment: match[2] ? 'preview' : 'production' }
}

/** "<app>.<APPS_DOMAIN>" → the app, anything else → null. */
export function parseAppHost(host: string | undefined): AppRef | null {
  const suffix = '.' + appsDomain()
  const value = (host ?? '').toLowerCase()
  if (!value.endsWith(suffix)) return null
  const name = value.slice(0, -suffix.length)
  return name.includes('.') ? null : parseAppName(name)
}

export function isLoopbackUrl(url: string) {
  try {
    const host = new URL(url).hostname
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
  } catch {
    return false
  }
}
