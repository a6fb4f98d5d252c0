import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/services'
import { apiAccount } from '#tests/helpers/ai'
import { dbTime } from '#lib/db_time'
import TurnRecoveryService from '#services/turn_recovery_service'

test.group('Interrupted turns', (group) => {
  group.each.setup(() => truncateAll())

  test('a turn left "streaming" by a dead process gives its held balance back; live turns are left alone', async ({ assert }) => {
    const account = await apiAccount()
    const session = await db.table('ai_sessions').insert({ project_id: account.project.id, tokens_used: 0, created_at: dbTime(), updated_at: dbTime() }).returning('id')
    const sessionId = typeof session[0] === 'object' ? session[0].id : session[0]
    const message = (updatedAt: Date, reserved: number) => ({
      ai_session_id: sessionId,
      role: 'assistant',
      content: '',
      status: 'streaming',
      reserved_tokens: reserved,
      created_at: dbTime(updatedAt),
      updated_at: dbTime(updatedAt),
    })
    await db.table('ai_messages').insert([message(new Date(Date.now() - 3_600_000), 700), message(new Date(), 300)])
    await db.from('workspaces').where('id', account.workspaceId).update({ tokens_reserved: 1000 })

    assert.equal(await new TurnRecoveryService().sweep(15 * 60_000), 1)
    const workspace = await db.from('workspaces').where('id', account.workspaceId).first()
    assert.equal(Number(workspace.tokens_reserved), 300)
    assert.equal(Number(workspace.tokens_balance), 10_000, 'nothing is charged for an interrupted turn')
    const statuses = (await db.from('ai_messages').orderBy('id')).map((m) => m.status)
    assert.deepEqual(statuses, ['error', 'streaming'])
    assert.equal(await new TurnRecoveryService().sweep(15 * 60_000), 0, 'a second sweep changes nothing')
  })
})
