// User accounts: scrypt password hashes, and sessions kept in the store and named by a random id in
// a cookie signed with SESSION_SECRET (HMAC-SHA256). Logging out deletes the session server-side.
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { parseCookies, setCookie } from './http.js'
import { store } from './store.js'

const scryptAsync = promisify(scrypt)
const SCRYPT = { N: 16384, r: 8, p: 1 }
const KEY_LENGTH = 64
export const SESSION_COOKIE = 'session'
export const SESSION_DAYS = 7

export async function hashPassword(password) {
  const salt = randomBytes(16)
  const key = await scryptAsync(password.normalize('NFKC'), salt, KEY_LENGTH, { ...SCRYPT, maxmem: 64 * 1024 * 1024 })
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

export async function verifyPassword(password, stored) {
  const [scheme, N, r, p, salt, key] = String(stored).split('$')
  if (scheme !== 'scrypt' || !key) return false
  const expected = Buffer.from(key, 'base64url')
  const actual = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(N), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024,
  })
  return timingSafeEqual(actual, expected)
}

/** A hash to check against when the e-mail is unknown, so both cases take as long. */
let dummyHash
export async function spendPasswordTime(password) {
  dummyHash ??= await hashPassword('not a real password')
  await verifyPassword(password, dummyHash)
}

function secret() {
  const value = process.env.SESSION_SECRET
  if (!value || value.length < 16) throw new Error('SESSION_SECRET must be set (16 characters or more)')
  return value
}

function sign(value) {
  return createHmac('sha256', secret()).update(value).digest('base64url')
}

// Only a hash of the session id is stored: a copy of the data folder does not let anyone log in.
function sessionKey(id) {
  return createHash('sha256').update(id).digest('hex')
}

export async function startSession(req, res, user) {
  const sessions = await store.collection('sessions')
  const now = Date.now()
  await sessions.removeWhere((s) => Date.parse(s.expires_at) < now)
  const id = randomBytes(32).toString('base64url')
  await sessions.insert({ id: sessionKey(id), user_id: user.id, expires_at: new Date(now + SESSION_DAYS * 86_400_000).toISOString() })
  setCookie(res, req, SESSION_COOKIE, `${id}.${sign(id)}`, { maxAge: SESSION_DAYS * 86_400 })
}

function sessionIdFrom(req) {
  const value = parseCookies(req)[SESSION_COOKIE]
  if (!value) return null
  const [id, signature] = value.split('.')
  if (!id || !signature) return null
  const expected = Buffer.from(sign(id))
  const given = Buffer.from(signature)
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null
}

/** The logged-in user (without the password hash), or null. */
export async function currentUser(req) {
  const id = sessionIdFrom(req)
  if (!id) return null
  const session = (await store.collection('sessions')).get(sessionKey(id))
  if (!session || Date.parse(session.expires_at) < Date.now()) return null
  const user = (await store.collection('users')).get(session.user_id)
  if (!user) return null
  const { password_hash: _hidden, ...visible } = user
  return visible
}

export async function endSession(req, res) {
  const id = sessionIdFrom(req)
  if (id) await (await store.collection('sessions')).remove(sessionKey(id))
  setCookie(res, req, SESSION_COOKIE, '', { maxAge: 0 })
}
