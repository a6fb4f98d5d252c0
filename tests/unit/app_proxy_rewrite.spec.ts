import { test } from '@japa/runner'
import { appCookieHeader, appSetCookie, isPlatformCookieName, prefixCssPaths, prefixHtmlPaths, prefixLocation } from '#lib/app_proxy_rewrite'

const prefix = '/apps/shop-7'

test.group('Apps proxy: what it changes between a browser and an app', () => {
  test("the platform's cookie names, whatever the case or prefix", ({ assert }) => {
    for (const name of ['xbasis-session', 'XBASIS-SESSION', '__Host-xbasis-session', '__Secure-remember_web', 'remember_web', 'adonis-session', 'XSRF-TOKEN']) {
      assert.isTrue(isPlatformCookieName(name), name)
    }
    for (const name of ['sid', 'session', 'xba_sid', 'remember']) assert.isFalse(isPlatformCookieName(name), name)
  })

  test('cookies sent to an app: by host all but the platform’s; by path only its own, unprefixed', ({ assert }) => {
    const header = 'xbasis-session=S; sid=1; xba_sid=2; xba_xbasis-session=3; remember_web=R; broken; =x'
    assert.equal(appCookieHeader(header, null), 'sid=1; xba_sid=2; xba_xbasis-session=3')
    assert.equal(appCookieHeader(header, 'xba_'), 'sid=2')
    assert.isNull(appCookieHeader('xbasis-session=S', null))
    assert.isNull(appCookieHeader(undefined, 'xba_'))
  })

  test('cookies an app sets: never a platform name, never a Domain; by path renamed and scoped', ({ assert }) => {
    assert.isNull(appSetCookie('xbasis-session=evil; Path=/', null))
    assert.isNull(appSetCookie('__Host-xbasis-session=evil; Path=/; Secure', { prefix: 'xba_', path: prefix }))
    assert.isNull(appSetCookie('no-equals-sign', null))
    assert.equal(appSetCookie('sid=1; Domain=.localhost; Path=/; HttpOnly', null), 'sid=1; Path=/; HttpOnly')
    assert.equal(appSetCookie('sid=1; domain=example.com', null), 'sid=1')
    assert.equal(appSetCookie('sid=1; Domain=localhost; Path=/admin; SameSite=Lax', { prefix: 'xba_', path: prefix }), `xba_sid=1; Path=${prefix}/admin; SameSite=Lax`)
    assert.equal(appSetCookie('sid=1', { prefix: 'xba_', path: prefix }), `xba_sid=1; Path=${prefix}/`)
    assert.equal(appSetCookie('sid=1; Path=relative', { prefix: 'xba_', path: prefix }), `xba_sid=1; Path=${prefix}/`)
  })

  test('root-relative URLs of pages and style sheets move under the prefix; other hosts stay', ({ assert }) => {
    const html = `<a href="/a">x</a><a href='/b'>y</a><a href=/c>z</a><a href="//evil.example/">e</a><a href="/\\evil.example">b</a>` +
      `<form action="/f"><button formaction="/g"></button></form><img src="/i.png" srcset="/i.png 1x, //cdn.example/j.png 2x">` +
      `<meta http-equiv="refresh" content="0; url=/later"><a href="page">rel</a><a href="https://x.example/">abs</a>`
    assert.equal(
      prefixHtmlPaths(html, prefix),
      `<a href="${prefix}/a">x</a><a href='${prefix}/b'>y</a><a href=${prefix}/c>z</a><a href="//evil.example/">e</a><a href="/\\evil.example">b</a>` +
        `<form action="${prefix}/f"><button formaction="${prefix}/g"></button></form><img src="${prefix}/i.png" srcset="${prefix}/i.png 1x, //cdn.example/j.png 2x">` +
        `<meta http-equiv="refresh" content="0; url=${prefix}/later"><a href="page">rel</a><a href="https://x.example/">abs</a>`
    )
    assert.equal(prefixCssPaths('a{background:url("/x.png")} b{background:url( /y.png )} c{background:url(//cdn/z.png)} @import "/m.css";', prefix),
      `a{background:url("${prefix}/x.png")} b{background:url( ${prefix}/y.png )} c{background:url(//cdn/z.png)} @import "${prefix}/m.css";`)
  })

  test('redirects: to the app itself go under the prefix, to another site stay as they are', ({ assert }) => {
    const own = ['http://127.0.0.1:40001', 'http://localhost:3333']
    assert.equal(prefixLocation('/contact?x=1#top', prefix, own), `${prefix}/contact?x=1#top`)
    assert.equal(prefixLocation('http://127.0.0.1:40001/done', prefix, own), `${prefix}/done`)
    assert.equal(prefixLocation(`http://localhost:3333${prefix}/done`, prefix, own), `${prefix}/done`)
    assert.equal(prefixLocation('//evil.example/x', prefix, own), '//evil.example/x')
    assert.equal(prefixLocation('/\\evil.example/x', prefix, own), '/\\evil.example/x')
    assert.equal(prefixLocation('https://example.org/x', prefix, own), 'https://example.org/x')
    assert.equal(prefixLocation('next', prefix, own), 'next')
  })
})
