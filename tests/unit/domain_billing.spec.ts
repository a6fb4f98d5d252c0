import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import billingConfig from '#config/billing'
import AccountService from '#services/account_service'
import DomainBillingService, { InvalidDomainError, priceDomain } from '#services/domain_billing_service'
import LedgerService, { InsufficientFundsError } from '#services/ledger_service'
import { truncateAll } from '#tests/helpers/services'

test.group('Domain prices', () => {
  test('by top-level domain from config, `default` for the others, in cents, micro-dollars and tokens', ({ assert }) => {
    assert.deepEqual(priceDomain('shop.example.com'), { domain: 'shop.example.com', tld: 'com', cents: 1200, micros: 12_000_000, tokens: 120_000 })
    assert.include(priceDomain('Example.ORG.'), { domain: 'example.org', tld: 'org', cents: 1300 })
    assert.include(priceDomain('startup.io'), { cents: 1500, tokens: 150_000 })
    assert.include(priceDomain('my.dev'), { tld: 'dev', cents: billingConfig.domains.yearlyCents.default })

    const saved = { ...billingConfig.domains.yearlyCents }
    billingConfig.domains.yearlyCents.dev = 999
    try {
      assert.include(priceDomain('my.dev'), { cents: 999, micros: 9_990_000, tokens: 99_900 }, 'an operator changes the table, not the code')
    } finally {
      billingConfig.domains.yearlyCents = saved
    }
  })

  test('what is not a domain name is refused', ({ assert }) => {
    for (const bad of ['', 'localhost', 'a..com', '-a.com', 'a-.com', 'http://a.com', 'a.com/x', 'a b.com', `${'a'.repeat(64)}.com`, 'x.123']) {
      assert.throws(() => priceDomain(bad), InvalidDomainError, /is not a domain name/, bad)
    }
  })
})

test.group('Domain charges', (group) => {
  group.each.setup(() => truncateAll())

  test('a domain ledger entry per domain and year; refused whole when the balance cannot cover it', async ({ assert }) => {
    const { workspace, user } = await new AccountService().register({ name: 'Domains', email: 'domains@example.com', password: 'domain password' })
    const domains = new DomainBillingService()
    const start = Number((await db.from('workspaces').where('id', workspace.id).first()).tokens_balance)
    const now = DateTime.utc(2026, 3, 1)

    await assert.rejects(() => domains.charge(workspace.id, 'shop.com', { now }), InsufficientFundsError)
    assert.lengthOf(await db.from('transactions').where({ workspace_id: workspace.id, type: 'domain' }), 0)

    await new LedgerService().post({ workspaceId: workspace.id, type: 'grant', tokens: 500_000, amount: 0 })
    const first = await domains.charge(workspace.id, 'Shop.com', { now, userId: user.id })
    assert.include(first, { created: true, tokens: -120_000, amount: -12_000_000 })
    const again = await domains.charge(workspace.id, 'shop.com', { now: now.plus({ months: 2 }) })
    assert.isFalse(again.created, 'the same year is charged once')
    const nextYear = await domains.charge(workspace.id, 'shop.com', { now: now.plus({ years: 1 }) })
    assert.isTrue(nextYear.created)

    const rows = await db.from('transactions').where({ workspace_id: workspace.id, type: 'domain' }).orderBy('id')
    assert.deepEqual(rows.map((row) => row.reference), ['domain:shop.com:2026', 'domain:shop.com:2027'])
    assert.equal(Number(rows[0].user_id), user.id)
    const balance = Number((await db.from('workspaces').where('id', workspace.id).first()).tokens_balance)
    assert.equal(balance, start + 500_000 - 240_000)
    assert.deepEqual(await new LedgerService().check(), [])
  })
})
