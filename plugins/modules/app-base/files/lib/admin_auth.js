// Pages for the app's owner are protected by HTTP Basic authentication with ADMIN_PASSWORD (any user
// name). xBasis generates a long random value for it into .env.
import { createHash, timingSafeEqual } from 'node:crypto'
import { HttpError } from './http.js'

function digest(value) {
  return createHash('sha256').update(value).digest()
}

export function isAdmin(req) {
  const password = process.env.ADMIN_PASSWORD
  if (!password) return false
  const match = String(req.headers.authorization ?? '').match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)
  if (!match) return false
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const given = decoded.slice(decoded.indexOf(':') + 1)
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  return timingSafeEqual(digest(given), digest(password))
}

export function requireAdmin(req) {
  if (!process.env.ADMIN_PASSWORD) throw new HttpError(503, 'Set ADMIN_PASSWORD to use the admin pages.')
  if (!isAdmin(req)) {
    throw new HttpError(401, 'The admin password is required.', {
      headers: { 'www-authenticate': 'Basic realm="admin", charset="UTF-8"' },
    })
  }
}
