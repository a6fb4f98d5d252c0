import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import type { ModelInfo } from '#config/ai'
import billingConfig from '#config/billing'
import AccountService from '#services/account_service'
import LedgerService, { InsufficientFundsError, type LedgerEntry } from '#services/ledger_service'
import MeteringService from '#services/metering_service'
import { truncateAll } from '#tests/helpers/services'
import { dbTime } from '#lib/db_time'
import ProjectService from '#services/project_service'
import User from '#models/user'
import XbasisLedgerCheck from '../../commands/xbasis_ledger_check.js'

const model: ModelInfo = { id: 'stress', label: 'stress', inputPerMTok: 3, outputPerMTok: 15, contextWindow: 200_000, maxOutputTokens: 8192 }

/** A small seeded PRNG (mulberry32): the sequence is random but can be replayed from its seed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Outcome = { kind: string; workspaceId: number; tokens: number; created: boolean; refused: boolean; reference?: string }

async function balances() {
  const rows = await db.from('workspaces').select('id', 'tokens_balance', 'tokens_reserved').orderBy('id')
  return rows.map((row) => ({ id: Number(row.id), balance: Number(row.tokens_balance), reserved: Number(row.tokens_reserved) }))
}

test.group('Ledger: balance equals the sum of its entries', (group) => {
  group.each.setup(() => truncateAll())

  test('1,000 mixed operations run concurrently leave no drift and no negative balance', async ({ assert }) => {
    const seed = Number(process.env.LEDGER_SEED) || Date.now() % 1_000_000
    const random = prng(seed)
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]
    const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))

    const accounts = new AccountService()
    const workspaceIds: number[] = []
    for (let i = 0; i < 4; i++) {
      const { workspace } = await accounts.register({ name: `Ledger ${i}`, email: `ledger-${i}@example.com`, password: 'ledger password' })
      workspaceIds.push(workspace.id)
    }
    const start = new Map((await balances()).map((row) => [row.id, row.balance]))
    // Each workspace's turns are messages of one chat: the hold is recorded on the message, as a real turn's is.
    const sessions = new Map<number, number>()
    for (const workspaceId of workspaceIds) {
      const project = await new ProjectService().create((await User.query().where('email', `ledger-${workspaceIds.indexOf(workspaceId)}@example.com`).firstOrFail()), { name: 'Ledger' })
      const [session] = await db.table('ai_sessions').insert({ project_id: project.id, tokens_used: 0, created_at: dbTime(), updated_at: dbTime() }).returning('id')
      sessions.set(workspaceId, typeof session === 'object' ? Number(session.id) : Number(session))
    }
    const turnHolding = async (workspaceId: number, hold: number) => {
      const [row] = await db
        .table('ai_messages')
        .insert({ ai_session_id: sessions.get(workspaceId), role: 'assistant', content: '', status: 'streaming', reserved_tokens: hold, created_at: dbTime(), updated_at: dbTime() })
        .returning('id')
      return typeof row === 'object' ? Number(row.id) : Number(row)
    }

    const ledger = new LedgerService()
    const metering = new MeteringService(ledger)
    const references: { workspaceId: number; entry: LedgerEntry }[] = []
    const operations: (() => Promise<Outcome>)[] = []
    const post = async (kind: string, entry: LedgerEntry): Promise<Outcome> => {
      try {
        const posted = await ledger.post(entry)
        return { kind, workspaceId: entry.workspaceId, tokens: posted.created ? posted.tokens : 0, created: posted.created, refused: false, reference: entry.reference ?? undefined }
      } catch (error) {
        if (!(error instanceof InsufficientFundsError)) throw error
        return { kind, workspaceId: entry.workspaceId, tokens: 0, created: false, refused: true, reference: entry.reference ?? undefined }
      }
    }

    for (let n = 0; n < 1000; n++) {
      const workspaceId = pick(workspaceIds)
      const kind = pick(['ai', 'ai', 'ai', 'grant', 'revoke', 'top_up', 'compute', 'refund', 'replay', 'replay', 'overdraw'])
      if (kind === 'ai') {
        const hold = between(5, 400)
        operations.push(async () => {
          if (!(await metering.reserve(workspaceId, hold))) return { kind, workspaceId, tokens: 0, created: false, refused: true }
          const aiMessageId = await turnHolding(workspaceId, hold)
          // The turn may use less or more than it held: settle never takes more than is free.
          const settled = await metering.settle({
            workspaceId,
            userId: null,
            projectId: null,
            aiMessageId,
            provider: 'stress',
            model,
            inputTokens: between(0, 20_000),
            outputTokens: between(0, 3_000),
          })
          return { kind, workspaceId, tokens: -settled.appliedTokens, created: true, refused: false }
        })
      } else if (kind === 'grant') {
        const tokens = between(1, 3_000)
        operations.push(() => post(kind, { workspaceId, type: 'grant', tokens, amount: 0, description: 'stress grant' }))
      } else if (kind === 'revoke') {
        const tokens = between(1, 6_000)
        operations.push(() => post(kind, { workspaceId, type: 'revoke', tokens: -tokens, amount: -tokens * 100, description: 'stress revoke' }))
      } else if (kind === 'top_up') {
        const entry: LedgerEntry = { workspaceId, type: 'top_up', tokens: 100_000, amount: 10_000_000, reference: `txn_stress_${n}` }
        references.push({ workspaceId, entry })
        operations.push(() => post(kind, entry))
      } else if (kind === 'compute') {
        const entry: LedgerEntry = { workspaceId, type: 'compute', tokens: -1_700, amount: -170_000, shortfall: 'partial', reference: `compute:stress:${n}` }
        references.push({ workspaceId, entry })
        operations.push(() => post(kind, entry))
      } else if (kind === 'refund') {
        const tokens = between(1, 20_000)
        operations.push(() => post(kind, { workspaceId, type: 'refund', tokens: -tokens, amount: -tokens * 100, shortfall: 'partial', reference: `refund:stress:${n}` }))
      } else if (kind === 'replay' && references.length) {
        // The same provider transaction or compute day delivered again (possibly while the first is still running).
        const { entry } = pick(references)
        operations.push(() => post(kind, { ...entry }))
      } else {
        // A debit larger than any balance could be: refused, nothing taken.
        operations.push(() => post('overdraw', { workspaceId, type: 'domain', tokens: -50_000_000, amount: -5_000_000_000 }))
      }
    }

    // Watch the balances while the operations run.
    let lowest = Number.POSITIVE_INFINITY
    let watching = true
    const watcher = (async () => {
      while (watching) {
        for (const row of await balances()) lowest = Math.min(lowest, row.balance, row.balance - row.reserved)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()

    // 1,000 operations, 24 at a time, in random order.
    const queue = [...operations]
    const outcomes: Outcome[] = []
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (queue.length) outcomes.push(await queue.shift()!())
      })
    )
    watching = false
    await watcher

    assert.lengthOf(outcomes, 1000, `seed ${seed}`)
    assert.isAtLeast(lowest, 0, `a balance went below zero (seed ${seed})`)
    assert.isTrue(outcomes.filter((o) => o.kind === 'overdraw').every((o) => o.refused), 'overdraws are refused')
    assert.isAbove(outcomes.filter((o) => o.kind === 'replay').length, 0)
    // Every reference is in the ledger once, however often it was posted.
    const counted = await db.from('transactions').whereNotNull('reference').select('workspace_id', 'reference').count('* as n').groupBy('workspace_id', 'reference')
    assert.isTrue(counted.every((row) => Number(row.n) === 1), `seed ${seed}`)

    const end = await balances()
    for (const row of end) {
      assert.isAtLeast(row.balance, 0)
      assert.equal(row.reserved, 0, 'every hold was released')
      // What the operations say they moved, independently of the ledger's sum.
      const moved = outcomes.filter((o) => o.workspaceId === row.id).reduce((sum, o) => sum + o.tokens, 0)
      assert.equal(row.balance, start.get(row.id)! + moved, `workspace ${row.id} (seed ${seed})`)
    }
    assert.deepEqual(await ledger.check(), [], `drift (seed ${seed})`)

    ace.ui.switchMode('raw')
    const command = await ace.create(XbasisLedgerCheck, [])
    await command.exec()
    command.assertSucceeded()
    command.assertLogMatches(/No drift: 4 workspace\(s\)/)
  }).timeout(120_000)

  test('the check finds a tampered balance: drift per workspace, exit code 1', async ({ assert }) => {
    const accounts = new AccountService()
    const { workspace: tampered } = await accounts.register({ name: 'Tampered', email: 'tampered@example.com', password: 'ledger password' })
    const { workspace: clean } = await accounts.register({ name: 'Clean', email: 'clean@example.com', password: 'ledger password' })
    await new LedgerService().post({ workspaceId: tampered.id, type: 'grant', tokens: 500, amount: 0, description: 'before tampering' })
    // Someone changes a balance without a ledger entry.
    await db.from('workspaces').where('id', tampered.id).update({ tokens_balance: db.knexRawQuery('tokens_balance + ?', [777]) })

    const expectedLedger = billingConfig.plans[billingConfig.defaultPlan].monthlyTokens + 500
    assert.deepEqual(await new LedgerService().check(), [
      { workspaceId: tampered.id, balance: expectedLedger + 777, ledger: expectedLedger, difference: 777 },
    ])
    assert.deepEqual(await new LedgerService().check(clean.id), [])

    ace.ui.switchMode('raw')
    const command = await ace.create(XbasisLedgerCheck, [])
    await command.exec()
    command.assertFailed()
    command.assertExitCode(1)
    command.assertLogMatches(new RegExp(`workspace ${tampered.id}: balance ${expectedLedger + 777} tokens, ledger ${expectedLedger} tokens, drift \\+777`))
    command.assertLogMatches(/Drift in 1 of 2 workspace\(s\)/)

    const one = await ace.create(XbasisLedgerCheck, ['--workspace', String(clean.id)])
    await one.exec()
    one.assertSucceeded()
  })
})
