import env from '#start/env'

export type WebResponse = {
  status: number
  headers: Headers
  text: string
  location: string | null
}

/**
 * A browser-like HTTP client for functional tests: keeps cookies across
 * requests, reads the CSRF token from the last HTML page, never follows
 * redirects on its own (tests assert them). It talks to the real test HTTP
 * server, so sessions go through the configured store (cookie or Redis).
 */
export class WebClient {
  cookies = new Map<string, string>()
  csrfToken: string | null = null

  /**
   * Headers sent with every request (e.g. X-Forwarded-For: the test client
   * is on loopback, a trusted proxy by default, so it can speak for an
   * address of its choosing).
   */
  headers: Record<string, string> = {}

  constructor(public baseUrl = `http://${env.get('HOST')}:${env.get('PORT')}`) {}

  async request(
    method: string,
    path: string,
    options: { form?: Record<string, string>; headers?: Record<string, string> } = {}
  ): Promise<WebResponse> {
    const headers: Record<string, string> = { accept: 'text/html', ...this.headers, ...options.headers }
    if (this.cookies.size) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    }
    let body: string | undefined
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(options.form).toString()
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index).trim()
      const value = pair.slice(index + 1).trim()
      const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await response.text()
    const csrf = text.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)
    if (csrf) this.csrfToken = csrf[1]
    return { status: response.status, headers: response.headers, text, location: response.headers.get('location') }
  }

  get(path: string) {
    return this.request('GET', path)
  }

  /**
   * Loads `page` (for its CSRF token) then submits `fields` to `action`.
   */
  async submit(page: string, action: string, fields: Record<string, string>, method = 'POST') {
    await this.get(page)
    return this.post(action, fields, method)
  }

  /**
   * Posts with the CSRF token of the last page loaded.
   */
  post(action: string, fields: Record<string, string>, method = 'POST') {
    const form = { ...fields }
    if (this.csrfToken && !('_csrf' in form)) form._csrf = this.csrfToken
    return this.request(method, action, { form })
  }

  /**
   * Follows one redirect.
   */
  async follow(response: WebResponse) {
    if (!response.location) throw new Error(`expected a redirect, got ${response.status}`)
    return this.get(response.location)
  }
}

let counter = 0
export function uniqueEmail(prefix = 'user') {
  counter += 1
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`
}

/**
 * Signs up through the real form and returns the logged-in client.
 */
export async function signedUpClient(name = 'Ada Lovelace', email = uniqueEmail(), password = 'correct horse battery') {
  const client = new WebClient()
  const response = await client.submit('/signup', '/signup', { name, email, password })
  if (response.status !== 302 || response.location !== '/dashboard') {
    throw new Error(`sign-up failed with ${response.status}: ${response.text.slice(0, 300)}`)
  }
  return { client, email, password, name }
}
