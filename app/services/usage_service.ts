import db from '@adonisjs/lucid/services/db'
import { dbTime, fromDbTime } from '#lib/db_time'

/**
 * AI usage of a workspace from the ledger: per day, per model, per project.
 */
export default class UsageService {
  async forWorkspace(workspaceId: number, days: number) {
    const since = new Date(Date.now() - days * 24 * 3600 * 1000)
    const rows = await db
      .from('transactions')
      .leftJoin('projects', 'projects.id', 'transactions.project_id')
      .where('transactions.workspace_id', workspaceId)
      .where('transactions.type', 'ai_usage')
      .where('transactions.created_at', '>=', dbTime(since))
      .select(
        'transactions.created_at',
        'transactions.provider',
        'transactions.model',
        'transactions.project_id',
        'projects.name as project_name',
        'transactions.input_tokens',
        'transactions.output_tokens',
        'transactions.cost_micros',
        'transactions.tokens',
        'transactions.amount'
      )

    type Bucket = { turns: number; input_tokens: number; output_tokens: number; cost_usd: number; charged_usd: number; charged_tokens: number }
    const empty = (): Bucket => ({ turns: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0, charged_usd: 0, charged_tokens: 0 })
    const byDay = new Map<string, Bucket>()
    const byModel = new Map<string, Bucket & { provider: string; model: string }>()
    const byProject = new Map<string, Bucket & { project_id: number | null; project_name: string | null }>()
    const total = empty()

    const add = (bucket: Bucket, row: any) => {
      bucket.turns += 1
      bucket.input_tokens += Number(row.input_tokens ?? 0)
      bucket.output_tokens += Number(row.output_tokens ?? 0)
      bucket.cost_usd += Number(row.cost_micros ?? 0) / 1e6
      bucket.charged_usd += -Number(row.amount) / 1e6
      bucket.charged_tokens += -Number(row.tokens)
    }
    for (const row of rows) {
      const day = fromDbTime(row.created_at).toISOString().slice(0, 10)
      if (!byDay.has(day)) byDay.set(day, empty())
      add(byDay.get(day)!, row)
      const modelKey = `${row.provider}/${row.model}`
      if (!byModel.has(modelKey)) byModel.set(modelKey, { ...empty(), provider: row.provider, model: row.model })
      add(byModel.get(modelKey)!, row)
      const projectKey = String(row.project_id)
      if (!byProject.has(projectKey)) byProject.set(projectKey, { ...empty(), project_id: row.project_id, project_name: row.project_name })
      add(byProject.get(projectKey)!, row)
      add(total, row)
    }
    const round = <T extends Bucket>(b: T) => ({ ...b, cost_usd: Number(b.cost_usd.toFixed(6)), charged_usd: Number(b.charged_usd.toFixed(6)) })
    return {
      days,
      total: round(total),
      per_day: [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, b]) => ({ day, ...round(b) })),
      per_model: [...byModel.values()].map(round),
      per_project: [...byProject.values()].map(round),
    }
  }
}
