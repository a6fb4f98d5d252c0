/// <reference lib="dom" />
import { test } from '@japa/runner'
import { mkdirSync, statSync } from 'node:fs'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import billingConfig from '#config/billing'
import LedgerService from '#services/ledger_service'
import { dbTime } from '#lib/db_time'
import { truncateAll } from '#tests/helpers/services'
import { WebClient } from '#tests/helpers/web_client'
import { deliver, paddleEvent, usePaddle } from '#tests/helpers/billing'
import { subscriptionData } from '#tests/fakes/paddle_server'

const base = new WebClient().baseUrl

/** Where the screenshot is kept (tmp/ is git-ignored): see README "Billing". */
export const BILLING_SCREENSHOT = app.makePath('tmp/artifacts/billing.png')

/**
 * Acceptance 7: the billing page in chromium, with a usage chart and the
 * transactions table; a screenshot is saved as a test artifact.
 */
test.group('Billing page in the browser', (group) => {
  usePaddle(group)
  group.each.setup(() => truncateAll())

  test('shows plan, renewal, the usage chart per project and the transactions, also without JavaScript', async ({ visit, browser, assert }) => {
    const page = await visit(base + '/signup')
    const errors: string[] = []
    page.on('pageerror', (error: Error) => errors.push(error.message))
    await page.fill('#name', 'Billing Person')
    await page.fill('#email', 'billing@example.com')
    await page.fill('#password', 'billing password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/dashboard')

    const user = await db.from('users').where('email', 'billing@example.com').first()
    const workspace = await db.from('workspaces').where({ owner_id: user.id, personal: true }).first()
    const now = new Date()
    const [shop, blog] = await Promise.all(
      ['Shop', 'Blog'].map(async (name, index) => {
        const [row] = await db
          .table('projects')
          .insert({ workspace_id: workspace.id, created_by: user.id, name, slug: name.toLowerCase(), status: 'draft', created_at: dbTime(), updated_at: dbTime() })
          .returning('id')
        return { id: Number(typeof row === 'object' ? row.id : row), index }
      })
    )
    const ledger = new LedgerService()
    await ledger.post({ workspaceId: workspace.id, type: 'grant', tokens: 50_000, description: 'Welcome balance' })
    for (let daysAgo = 1; daysAgo <= 6; daysAgo++) {
      for (const [project, tokens] of [[shop, 800 * daysAgo], [blog, 300 + 150 * daysAgo]] as const) {
        const posted = await ledger.post({ workspaceId: workspace.id, type: 'ai_usage', tokens: -tokens, amount: -tokens * 130, projectId: project.id, description: 'AI turn' })
        await db.from('transactions').where('id', posted.id).update({ created_at: dbTime(new Date(now.getTime() - daysAgo * 24 * 3600_000)) })
      }
    }
    const renews = new Date(now.getTime() + 20 * 24 * 3600_000)
    const event = paddleEvent(
      'subscription.created',
      subscriptionData({ id: 'sub_01browser', customerId: 'ctm_01browser', status: 'active', items: [{ priceId: billingConfig.plans.pro.priceId!, amount: 2900 }], customData: { workspace_id: workspace.id }, periodEnd: renews })
    )
    assert.equal((await deliver(event)).status, 200)

    await page.goto(base + '/billing')
    await page.assertText('[data-test="billing-plan"]', 'Pro')
    await page.assertTextContains('[data-test="billing-status"]', 'active')
    const chart = page.locator('svg[data-test="usage-chart"]')
    await chart.waitFor()
    const box = await chart.boundingBox()
    assert.isAbove(box!.width, 300)
    assert.isAbove(box!.height, 80)
    assert.equal(await page.locator('svg[data-test="usage-chart"] rect').count(), 12, 'two projects × six days')
    assert.equal(await page.locator('[data-test="usage-money-line"]').count(), 1)
    await page.assertTextContains('[data-test="usage-legend"]', 'Shop')
    await page.assertTextContains('[data-test="usage-legend"]', 'Blog')
    assert.equal(await page.locator('[data-test="transactions-table"] tbody tr').count(), 14, 'sign-up allowance, a grant, twelve turns')
    await page.assertTextContains('[data-test="transactions-table"]', 'Welcome balance')
    assert.isTrue(await page.locator('[data-test="billing-portal"]').isVisible())
    assert.isTrue(await page.locator('[data-test="topup-m"]').isVisible())

    mkdirSync(app.makePath('tmp/artifacts'), { recursive: true })
    await page.screenshot({ path: BILLING_SCREENSHOT, fullPage: true })
    assert.isAbove(statSync(BILLING_SCREENSHOT).size, 10_000)
    assert.deepEqual(errors, [], errors.join('\n'))

    // The same page without JavaScript: chart and table are in the HTML.
    const cookies = await page.context().cookies()
    const plain = await browser.newContext({ javaScriptEnabled: false })
    await plain.addCookies(cookies)
    const noJs = await plain.newPage()
    await noJs.goto(base + '/billing')
    assert.equal(await noJs.locator('svg[data-test="usage-chart"] rect').count(), 12)
    const yesterday = new Date(now.getTime() - 24 * 3600_000).toISOString().slice(0, 10)
    const row = noJs.locator(`[data-test="usage-table"] tr[data-day="${yesterday}"]`)
    assert.equal(await row.locator('td').nth(1).textContent(), (800 + 450).toLocaleString('en-US'))
    await plain.close()
  })
})
