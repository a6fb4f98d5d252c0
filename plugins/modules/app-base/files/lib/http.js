// Small helpers around node:http requests and responses: errors with a status, bodies with size
// limits, responses, cookies.
import { Buffer } from 'node:buffer'

/** An error the server turns into a response with this status and message (never a stack trace). */
export class HttpError extends Error {
  constructor(status, message, { headers = {}, details } = {}) {
    super(message)
    this.status = status
    this.headers = headers
    this.details = details
  }
}

export function send(res, status, body, type, headers = {}) {
  res.writeHead(status, { 'content-type': type, ...headers })
  res.end(body)
}

export function sendHtml(res, body, status = 200, headers = {}) {
  send(res, status, String(body), 'text/html; charset=utf-8', headers)
}

export function sendJson(res, data, status = 200, headers = {}) {
  if (status === 204) {
    res.writeHead(204, headers)
    return res.end()
  }
  send(res, status, JSON.stringify(data), 'application/json; charset=utf-8', headers)
}

/** 303 so that a POST form is followed by a GET (reloading the page does not post again). */
export function redirect(res, location, status = 303) {
  res.writeHead(status, { location })
  res.end()
}

/**
 * Reads the whole body, refusing more than `limit` bytes with 413. The declared length is checked
 * first, so an oversized upload is refused before it is read.
 */
export async function readRaw(req, limit) {
  const declared = Number(req.headers['content-length'])
  if (declared > limit) throw tooLarge(limit)
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function tooLarge(limit) {
  // Closing the connection spares us reading the rest of a body we refused.
  return new HttpError(413, `The request body is larger than ${limit} bytes.`, { headers: { connection: 'close' } })
}

export function contentType(req) {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
}

/**
 * Parses a JSON or URL-encoded form body into a plain object (form values are strings; a repeated
 * field keeps its last value). Anything else is refused with 415.
 */
export async function readBody(req, { limit = 100_000 } = {}) {
  const type = contentType(req)
  const raw = await readRaw(req, limit)
  if (type === 'application/json') {
    try {
      const data = JSON.parse(raw.toString('utf8') || 'null')
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object')
      return data
    } catch {
      throw new HttpError(400, 'The body is not a JSON object.')
    }
  }
  if (type === 'application/x-www-form-urlencoded' || (type === '' && raw.length === 0)) {
    const data = Object.create(null)
    for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) data[key] = value
    return { ...data }
  }
  throw new HttpError(415, 'Send the body as JSON or as a URL-encoded form.')
}

export function parseCookies(req) {
  const cookies = {}
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=')
    if (index < 1) continue
    const name = part.slice(0, index).trim()
    try {
      cookies[name] = decodeURIComponent(part.slice(index + 1).trim())
    } catch {
      // A cookie we cannot decode is not one of ours.
    }
  }
  return cookies
}

/** Behind a TLS-terminating proxy the request itself is plain HTTP; the proxy says so in a header. */
export function isHttps(req) {
  return Boolean(req.socket.encrypted) || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https'
}

export function setCookie(res, req, name, value, { maxAge, httpOnly = true } = {}) {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax']
  if (httpOnly) parts.push('HttpOnly')
  if (isHttps(req) || process.env.COOKIE_SECURE === 'true') parts.push('Secure')
  if (maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(maxAge))}`)
  const previous = res.getHeader('set-cookie') ?? []
  res.setHeader('set-cookie', [...(Array.isArray(previous) ? previous : [previous]), parts.join('; ')])
}

/** A plain-text field of a form: a string, trimmed, at most `max` characters. */
export function field(body, name, max = 1000) {
  const value = body?.[name]
  if (typeof value !== 'string' && typeof value !== 'number') return ''
  return String(value).trim().slice(0, max)
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/

export function isEmail(value) {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value)
}

/** Does the client want JSON rather than a page? API paths and clients that send JSON do. */
export function wantsJson(req) {
  if (req.path?.startsWith('/api/') || contentType(req) === 'application/json') return true
  const accept = String(req.headers.accept ?? '')
  return accept.includes('application/json') && !accept.includes('text/html')
}
