import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import billingConfig from '#config/billing'
import AccountService from '#services/account_service'
import LimitsService, { PlanLimitError } from '#services/limits_service'
import { truncateAll } from '#tests/helpers/services'

test.group('Plan limits: messages and seats', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    const saved = { enabled: billingConfig.limitsEnabled, provider: billingConfig.provider }
    billingConfig.limitsEnabled = true
    billingConfig.provider = 'paddle'
    return () => {
      Object.assign(billingConfig, { limitsEnabled: saved.enabled, provider: saved.provider })
    }
  })

  test('the message names the plan, the number and the cheapest plan that lifts it', ({ assert }) => {
    const limits = new LimitsService()
    assert.equal(limits.message('free', 'seats', 1), 'Your Free plan allows 1 member. Upgrade to Team on the Billing page, or remove a member.')
    assert.equal(limits.message('pro', 'maxProjects', 50), 'Your Pro plan allows 50 projects. Upgrade to Team on the Billing page, or delete a project.')
    assert.equal(
      limits.message('team', 'maxProductionDeployments', 50),
      'Your Team plan allows 50 production deployments live at once. It is the largest plan: stop the production deployment of another project first.'
    )
    billingConfig.provider = 'none'
    assert.equal(limits.message('free', 'customDomains', 0), 'Your Free plan allows 0 custom domains. Ask your administrator to raise the limit, or remove a custom domain.')
  })

  test('seats: a Free workspace has room for its owner only; Team for ten', async ({ assert }) => {
    const { workspace } = await new AccountService().register({ name: 'Seats', email: 'seats@example.com', password: 'seats password' })
    const limits = new LimitsService()
    const error = await limits.assertCanAddMember(workspace.id).catch((e) => e)
    assert.instanceOf(error, PlanLimitError)
    assert.include(error, { limit: 'seats', plan: 'free', allowed: 1, code: 'plan_limit', status: 403 })

    await db.from('workspaces').where('id', workspace.id).update({ plan: 'team' })
    await limits.assertCanAddMember(workspace.id)

    billingConfig.limitsEnabled = false
    await db.from('workspaces').where('id', workspace.id).update({ plan: 'free' })
    await limits.assertCanAddMember(workspace.id)
  })

  test('custom domains: Free has none, Pro ten', async ({ assert }) => {
    const { workspace } = await new AccountService().register({ name: 'Domains', email: 'limits-domains@example.com', password: 'domains password' })
    const limits = new LimitsService()
    await assert.rejects(() => limits.assertCanAddCustomDomain(workspace.id, 0), PlanLimitError)
    await db.from('workspaces').where('id', workspace.id).update({ plan: 'pro' })
    await limits.assertCanAddCustomDomain(workspace.id, 9)
    await assert.rejects(() => limits.assertCanAddCustomDomain(workspace.id, 10), PlanLimitError)
  })
})
