import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ai from '#ai/ai_manager'
import UsageService from '#services/usage_service'

@inject()
export default class AiController {
  constructor(private usageService: UsageService) {}

  /**
   * GET /api/v1/ai/models: the models of every enabled, configured provider
   * with their list prices.
   */
  async models({ auth }: HttpContext) {
    const workspace = await auth.getUserOrFail().personalWorkspace()
    const models = await ai.catalogue(workspace.id)
    return {
      default_provider: ai.chain()[0],
      models: models.map((m) => ({
        provider: m.provider,
        id: m.id,
        label: m.label,
        input_usd_per_mtok: m.inputPerMTok,
        output_usd_per_mtok: m.outputPerMTok,
        context_window: m.contextWindow,
        max_output_tokens: m.maxOutputTokens,
      })),
    }
  }

  /**
   * GET /api/v1/ai/usage?days=30: tokens and money per day, model and
   * project for the user's personal workspace.
   */
  async usage({ auth, request }: HttpContext) {
    const workspace = await auth.getUserOrFail().personalWorkspace()
    const days = Math.min(366, Math.max(1, Number(request.input('days', 30)) || 30))
    return this.usageService.forWorkspace(workspace.id, days)
  }
}
