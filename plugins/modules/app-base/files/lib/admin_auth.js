// Pages for the app's owner are protected by ADMIN_PASSWORD, which xBasis generates as a secret:
// either HTTP Basic with that password (any user name), or the owner cookie that a one-time link
// signed by the platform sets (GET /__owner?token=…, see routes/owner_link.js).
//
// Link and cookie are signed with a key derived from ADMIN_PASSWORD (HMAC-SHA256 of the label below,
// keyed by the password), so only someone who knows the password (the app and the platform that
// generated it) can make them, and rotating the password revokes every link and cookie at once.
// Token: base64url(JSON {app, exp, nonce, next}) "." base64url(HMAC-SHA256(key, first part)), `exp` in
// seconds since the epoch; the platform's signer is app/services/owner_link_service.ts.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { HttpError, parseCookies } from './http.js'

export const OWNER_COOKIE = 'xb_owner'
/** How long the owner stays signed in after following a link. */
export const OWNER_SESSION_SECONDS = 12 * 60 * 60
/** A link lives a few minutes at most, whatever it claims. */
const MAX_LINK_SECONDS = 10 * 60
const KEY_LABEL = 'xbasis owner link v1'

function digest(value) {
  return createHash('sha256').update(value).digest()
}

/** Comparing digests keeps the comparison constant-time whatever the lengths. */
function same(a, b) {
  return timingSafeEqual(digest(String(a)), digest(String(b)))
}

function ownerKey() {
  const password = process.env.ADMIN_PASSWORD
  return password ? createHmac('sha256', password).update(KEY_LABEL).digest() : null
}

function sign(key, text) {
  return createHmac('sha256', key).update(text).digest('base64url')
}

function basicAuthOk(req, password) {
  const match = String(req.headers.authorization ?? '').match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)
  if (!match) return false
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  return same(decoded.slice(decoded.indexOf(':') + 1), password)
}

/** The owner cookie: "<exp>.<signature of 'session:<exp>'>", valid until exp. */
export function ownerSessionValue(now = Date.now()) {
  const key = ownerKey()
  if (!key) return null
  const exp = Math.floor(now / 1000) + OWNER_SESSION_SECONDS
  return `${exp}.${sign(key, `session:${exp}`)}`
}

function ownerCookieOk(req, key) {
  const value = parseCookies(req)[OWNER_COOKIE]
  const match = typeof value === 'string' ? value.match(/^(\d{1,12})\.([A-Za-z0-9_-]{20,100})$/) : null
  if (!match) return false
  if (Number(match[1]) * 1000 <= Date.now()) return false
  return same(match[2], sign(key, `session:${match[1]}`))
}

export function isAdmin(req) {
  const password = process.env.ADMIN_PASSWORD
  if (!password) return false
  return basicAuthOk(req, password) || ownerCookieOk(req, ownerKey())
}

export function requireAdmin(req) {
  if (!process.env.ADMIN_PASSWORD) throw new HttpError(503, 'Set ADMIN_PASSWORD to use the admin pages.')
  if (!isAdmin(req)) {
    throw new HttpError(401, 'The admin password is required.', {
      headers: { 'www-authenticate': 'Basic realm="admin", charset="UTF-8"' },
    })
  }
}

/** Nonces of links already used, until they expire: a link works once (per app process). */
const used = new Map()

/**
 * Checks a one-time owner link and returns the local path it leads to. Refused (403): a bad
 * signature, another app's link (XBASIS_APP, set by the platform), an expired link, one used before.
 */
export function acceptOwnerToken(token, now = Date.now()) {
  const key = ownerKey()
  const refused = new HttpError(403, 'This owner link is invalid, expired or already used. Open the owner pages again from the xBasis editor.')
  // Without ADMIN_PASSWORD the app has no owner pages, and no link can be valid.
  const match = key && typeof token === 'string' ? token.match(/^([A-Za-z0-9_-]{10,2000})\.([A-Za-z0-9_-]{20,100})$/) : null
  if (!match || !same(match[2], sign(key, match[1]))) throw refused
  let claims
  try {
    claims = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'))
  } catch {
    throw refused
  }
  const seconds = now / 1000
  if (!claims || typeof claims.exp !== 'number' || typeof claims.nonce !== 'string') throw refused
  if (claims.exp <= seconds || claims.exp > seconds + MAX_LINK_SECONDS) throw refused
  if (process.env.XBASIS_APP && claims.app !== process.env.XBASIS_APP) throw refused
  for (const [nonce, exp] of used) if (exp <= seconds) used.delete(nonce)
  if (used.has(claims.nonce)) throw refused
  used.set(claims.nonce, claims.exp)
  // Only a path of this site: "//host" and "/\host" would be another site to a browser.
  const next = typeof claims.next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(claims.next) ? claims.next : '/'
  return next
}
