import aiConfig, { type ModelInfo } from '#config/ai'
import registry from '#plugins/registry'
import { PluginManager } from '#plugins/plugin_manager'
import type { AiProvider } from '#ai/contract'

export type CatalogueEntry = ModelInfo & { provider: string }

/**
 * The manager of AI provider plugins: `ai.use('anthropic')`,
 * `ai.fake('anthropic', driver)`, plus the model catalogue and the fallback
 * chain from config/ai.ts.
 */
export class AiManager extends PluginManager<AiProvider> {
  models(provider: string): ModelInfo[] {
    return aiConfig.models[provider] ?? []
  }

  model(provider: string, modelId?: string): ModelInfo | undefined {
    const models = this.models(provider)
    return modelId ? models.find((m) => m.id === modelId) : models[0]
  }

  /**
   * The providers to try, in order, for a turn that asked for `provider`
   * (or the default): the chain from that provider on, else just it.
   */
  chain(provider?: string): string[] {
    const configured = [aiConfig.defaultProvider, ...aiConfig.fallback.filter((p) => p !== aiConfig.defaultProvider)]
    if (!provider) return configured
    const index = configured.indexOf(provider)
    return index === -1 ? [provider] : configured.slice(index)
  }

  /**
   * Models of every enabled and configured provider, for the picker and
   * GET /api/v1/ai/models.
   */
  async catalogue(workspaceId?: number | null): Promise<CatalogueEntry[]> {
    const providers = new Set([...this.entries().filter((e) => e.status === 'enabled').map((e) => e.id)])
    const result: CatalogueEntry[] = []
    for (const provider of providers) {
      if (!(await this.isUsable(provider, workspaceId))) continue
      for (const model of this.models(provider)) result.push({ ...model, provider })
    }
    return result
  }
}

const ai = new AiManager('ai-provider', registry)
export default ai
