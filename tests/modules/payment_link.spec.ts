import { test } from '@japa/runner'
import { startModule, startModules, stopCleanly } from './harness.js'
import { compose } from './harness.js'

test.group('Module payment-link', () => {
  test('the checkout button redirects to the configured https payment page', async ({ assert, cleanup }) => {
    const { app } = await startModule('payment-link', assert, cleanup)
    const page = await (await app.request('/buy')).text()
    assert.include(page, '<h1>Our product</h1>')
    assert.include(page, '<a class="button" href="/buy/checkout" rel="nofollow">Buy now</a>')
    assert.equal((await app.request('/buy/checkout')).headers.get('location'), 'https://buy.stripe.com/test_example')
    await stopCleanly(app, assert)
  })

  test('only https payment URLs are accepted', async ({ assert, cleanup }) => {
    for (const url of ['http://pay.example.com', 'javascript:alert(1)', 'https://', 'ftp://x.example']) {
      await assert.rejects(() => compose([{ id: 'payment-link', params: { payment_url: url } }]), /payment_url must be an https:\/\/ URL/)
    }
    const app = await startModules([{ id: 'payment-link', params: { payment_url: 'https://pay.example.com/c/abc?x=1&y=2' } }], cleanup, { install: false })
    assert.equal((await app.request('/buy/checkout')).headers.get('location'), 'https://pay.example.com/c/abc?x=1&y=2')
    await stopCleanly(app, assert)
  })
})
