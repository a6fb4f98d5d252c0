import { test } from '@japa/runner'
import { Socket } from 'node:net'
import { IncomingMessage, ServerResponse } from 'node:http'
import { HttpContextFactory, RequestFactory, ResponseFactory } from '@adonisjs/core/factories/http'
import { http } from '#config/app'
import { parseTrustedProxies } from '#lib/trusted_proxies'
import AuthThrottle, { isThrottled, LOGIN_FAILURES_ALLOWED } from '#services/auth_throttle'
import { uniqueEmail } from '#tests/helpers/web_client'

/**
 * A request as the platform's HTTP config sees it: from `peer` (the socket
 * address) carrying `forwardedFor` in X-Forwarded-For.
 */
function contextFrom(peer: string, forwardedFor?: string) {
  const socket = new Socket()
  Object.defineProperty(socket, 'remoteAddress', { value: peer })
  const req = new IncomingMessage(socket)
  req.url = '/login'
  req.method = 'POST'
  if (forwardedFor) req.headers['x-forwarded-for'] = forwardedFor
  const res = new ServerResponse(req)
  const request = new RequestFactory().merge({ req, res, config: http }).create()
  const response = new ResponseFactory().merge({ req, res }).create()
  return new HttpContextFactory().merge({ request, response }).create()
}

test.group('Trusted proxies (TRUSTED_PROXIES)', () => {
  test('by default only loopback proxies are believed: a stranger\'s X-Forwarded-For is ignored', ({ assert }) => {
    // The test run leaves TRUSTED_PROXIES unset: this is the shipped default.
    assert.equal(contextFrom('203.0.113.7', '198.51.100.1').request.ip(), '203.0.113.7')
    assert.equal(contextFrom('127.0.0.1', '198.51.100.1').request.ip(), '198.51.100.1')
    assert.equal(contextFrom('::1', '198.51.100.2').request.ip(), '198.51.100.2')
  })

  test('rotating X-Forwarded-For no longer defeats the login throttle', async ({ assert }) => {
    const throttle = new AuthThrottle()
    const email = uniqueEmail('xff')
    const wrong = () => Promise.reject(new Error('wrong password'))
    for (let attempt = 1; attempt <= LOGIN_FAILURES_ALLOWED; attempt++) {
      const ctx = contextFrom('203.0.113.9', `198.51.100.${attempt}`)
      await throttle.login(ctx, email, wrong).catch(() => {})
    }
    // The right password, from a "new" forwarded address: still blocked.
    const outcome = await throttle.login(contextFrom('203.0.113.9', '192.0.2.200'), email, async () => 'logged in')
    assert.isTrue(isThrottled(outcome))
  })

  test('lists, ranges and names are accepted; none trusts nobody; nonsense is refused', ({ assert }) => {
    const list = parseTrustedProxies('10.0.0.0/8, 192.0.2.1')
    assert.isTrue(list('10.1.2.3', 0))
    assert.isTrue(list('192.0.2.1', 0))
    assert.isFalse(list('127.0.0.1', 0))
    assert.isFalse(list('192.0.2.2', 0))
    assert.isTrue(parseTrustedProxies(undefined)('127.0.0.1', 0))
    assert.isTrue(parseTrustedProxies('uniquelocal')('fd00::1', 0))
    assert.isFalse(parseTrustedProxies('none')('127.0.0.1', 0))
    assert.throws(() => parseTrustedProxies('everyone'), /TRUSTED_PROXIES/)
    assert.throws(() => parseTrustedProxies('10.0.0.0/99'), /TRUSTED_PROXIES/)
  })
})
