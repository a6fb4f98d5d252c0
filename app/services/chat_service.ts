import db from '@adonisjs/lucid/services/db'
import xbasis from '#config/xbasis'
import { dbTime } from '#lib/db_time'
import logger from '@adonisjs/core/services/logger'
import aiConfig, { type ModelInfo } from '#config/ai'
import ai from '#ai/ai_manager'
import { ProviderError, classifyError, type ChatEvent, type ChatMessage } from '#ai/contract'
import AiSession from '#models/ai_session'
import AiMessage, { type TurnChanges } from '#models/ai_message'
import { filesInProgress, type OutputOp } from '#ai/output_protocol'
import { OUTPUT_TOOLS, toolCallToOp } from '#ai/output_tools'
import TurnApplier from '#services/turn_applier'
import ProjectFilesService from '#services/project_files_service'
import { buildSystemPrompt } from '#ai/system_prompt'
import { loadCatalogue } from '#modules/composer'
import Project from '#models/project'
import User from '#models/user'
import Workspace from '#models/workspace'
import MeteringService, { InsufficientBalanceError, countUsage, estimateTokens, priceTurn } from '#services/metering_service'
import { cleanDeep, cleanText } from '#lib/text'

/**
 * A turn refused before any provider is called: the status and field say
 * why, and nothing was stored.
 */
export class ChatRequestError extends Error {
  constructor(
    message: string,
    public status: number,
    public code: string,
    public field?: string
  ) {
    super(message)
  }
}

export type PresentedMessage = ReturnType<typeof presentMessage>

export type TurnEvent =
  | { type: 'start'; message_id: number; user_message_id: number; provider: string; model: string }
  | { type: 'delta'; text: string }
  | { type: 'fallback'; from: string; to: string; reason: string }
  | { type: 'writing'; files: string[] }
  | { type: 'changes'; changes: TurnChanges }
  | { type: 'preview'; deployment_id: number }
  | { type: 'end'; message: PresentedMessage }
  | { type: 'error'; error: string; message: PresentedMessage }

type Candidate = { provider: string; model: ModelInfo }

function describeOp(op: OutputOp | string): string {
  if (typeof op === 'string') return 'a malformed tool call'
  if (op.op === 'module' || op.op === 'update-module') return `module ${op.id}`
  if (op.op === 'remove-module') return `removing module ${op.id}`
  if (op.op === 'rename') return `${op.from} → ${op.to}`
  if (op.op === 'dependency') return `dependency ${op.name}`
  return op.path
}

export function presentMessage(message: AiMessage) {
  return {
    id: message.id,
    role: message.role,
    content: message.content,
    status: message.status,
    provider: message.provider,
    model: message.model,
    input_tokens: message.inputTokens,
    output_tokens: message.outputTokens,
    cost_usd: message.chargedMicros / 1_000_000,
    charged_tokens: message.chargedTokens,
    error: message.error,
    version: message.version ?? null,
    changes: message.changes ?? null,
    created_at: message.createdAt.toISO(),
  }
}

/**
 * Wait for the next event of a provider stream, but give up after `ms`:
 * before the first token (a provider that never starts answering is as good
 * as down), and after it, until the turn's deadline (a stream that drips on
 * for ever would hold its balance for ever).
 */
async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number, onTimeout: () => void, error: () => ProviderError) {
  let timer: NodeJS.Timeout
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout()
      reject(error())
    }, ms)
  })
  try {
    return await Promise.race([iterator.next(), timeout])
  } finally {
    clearTimeout(timer!)
  }
}

const minutes = (ms: number) => (ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : `${ms / 1000} s`)

/**
 * A turn that passed every check: the balance is held, the user's message
 * and an empty assistant message are stored. `run()` streams the answer
 * through the fallback chain, then settles the charge and stores the text.
 */
export class PreparedTurn {
  constructor(
    private metering: MeteringService,
    public userMessage: AiMessage,
    public assistant: AiMessage,
    private session: AiSession,
    private project: Project,
    private user: User,
    private candidates: Candidate[],
    private context: ChatMessage[],
    private skipped: { from: string; reason: string } | null,
    private system: string
  ) {}

  /** The texts sent to the provider: what the hold was estimated from, and what an estimated charge is. */
  private get prompt(): string[] {
    return [this.system, ...this.context.map((m) => m.content)]
  }

  async *run(signal: AbortSignal): AsyncGenerator<TurnEvent> {
    // A live turn touches its message, so the sweeper never takes it for dead.
    const heartbeat = setInterval(() => void this.touch(), aiConfig.turnHeartbeatMs)
    heartbeat.unref()
    try {
      yield* this.answer(signal, heartbeat)
    } finally {
      clearInterval(heartbeat)
    }
  }

  private async touch() {
    try {
      await db.from('ai_messages').where({ id: this.assistant.id, status: 'streaming' }).update({ updated_at: dbTime() })
    } catch (error) {
      logger.warn({ err: error, message: this.assistant.id }, 'the heartbeat of an AI turn failed')
    }
  }

  private async *answer(signal: AbortSignal, heartbeat: NodeJS.Timeout): AsyncGenerator<TurnEvent> {
    const assistant = this.assistant
    let text = ''
    // What the provider reported, unchecked: countUsage decides what is charged.
    let reported: { inputTokens: unknown; outputTokens: unknown } | null = null
    let chunks = 0
    let outputChars = 0
    let deadline = 0
    let used: Candidate = this.candidates[0]
    let failure: string | null = null
    let stopReason = 'end_turn'
    let writing = ''
    const toolOps: OutputOp[] = []
    const toolProblems: string[] = []
    const started = () => {
      if (chunks === 0) deadline = Date.now() + aiConfig.turnTimeoutMs
      chunks += 1
    }

    yield { type: 'start', message_id: assistant.id, user_message_id: this.userMessage.id, provider: used.provider, model: used.model.id }
    if (this.skipped) yield { type: 'fallback', from: this.skipped.from, to: used.provider, reason: this.skipped.reason }

    for (let index = 0; index < this.candidates.length; index++) {
      const candidate = this.candidates[index]
      used = candidate
      reported = null
      const attempt = new AbortController()
      const abort = () => attempt.abort()
      signal.addEventListener('abort', abort)
      try {
        const driver = await ai.use(candidate.provider, { workspaceId: this.project.workspaceId })
        const iterator = driver
          .stream({
            model: candidate.model.id,
            system: this.system,
            messages: this.context,
            tools: candidate.model.tools === false ? undefined : OUTPUT_TOOLS,
            maxOutputTokens: candidate.model.maxOutputTokens,
            signal: attempt.signal,
          })
          [Symbol.asyncIterator]()
        let ended = false
        while (true) {
          const step =
            chunks === 0
              ? await nextWithin<ChatEvent>(iterator, aiConfig.firstTokenTimeoutMs, abort, () => new ProviderError(`no answer within ${aiConfig.firstTokenTimeoutMs / 1000} s`, { retryable: true, code: 'timeout' }))
              : await nextWithin<ChatEvent>(iterator, Math.max(0, deadline - Date.now()), abort, () => new ProviderError(`the answer took longer than ${minutes(aiConfig.turnTimeoutMs)} and was stopped`, { retryable: false, code: 'deadline' }))
          if (step.done) break
          const event = step.value
          if (event.type === 'text') {
            started()
            text += event.text
            outputChars += event.text.length
            if (text.length > aiConfig.maxAnswerChars) {
              abort()
              throw new ProviderError(`the answer exceeded ${aiConfig.maxAnswerChars / 1024 / 1024} MB and was stopped`, { retryable: false, code: 'too_long' })
            }
            yield { type: 'delta', text: event.text }
            // Which files the answer is writing right now, for the UI.
            if (event.text.includes('>')) {
              const files = filesInProgress(text)
              if (files.join('\n') !== writing) {
                writing = files.join('\n')
                yield { type: 'writing', files }
              }
            }
          } else if (event.type === 'tool_call_start') {
            // Counts as the answer having started: no first-token timeout,
            // and no fallback once the model is producing.
            started()
          } else if (event.type === 'tool_call') {
            outputChars += (JSON.stringify(event.input) ?? '').length + String(event.name).length
            const op = toolCallToOp(event.name, cleanDeep(event.input))
            if (typeof op === 'string') toolProblems.push(op)
            else toolOps.push(op)
            yield { type: 'writing', files: [describeOp(op)] }
          } else if (event.type === 'end') {
            ended = true
            stopReason = typeof event.stopReason === 'string' ? event.stopReason.slice(0, 64) : stopReason
          } else if (event.type === 'usage') {
            reported = { inputTokens: event.inputTokens, outputTokens: event.outputTokens }
          }
        }
        // A stream that just closes, without the provider's end marker, was
        // cut off (a proxy or server gave up): never a complete answer.
        if (!ended) throw new ProviderError(`${candidate.provider}: the stream ended before the answer was complete`, { retryable: true, code: 'truncated' })
        break
      } catch (error) {
        const problem = classifyError(error, candidate.provider)
        ai.recordError(candidate.provider, problem)
        if (signal.aborted) break
        const next = this.candidates[index + 1]
        if (chunks === 0 && problem.retryable && next) {
          logger.warn({ provider: candidate.provider, err: problem.message }, 'AI provider failed before answering, falling back')
          yield { type: 'fallback', from: candidate.provider, to: next.provider, reason: problem.message }
          continue
        }
        failure = problem.message
        break
      } finally {
        signal.removeEventListener('abort', abort)
      }
    }

    // Providers bill for what they generated, also when a stream broke or
    // was stopped: the provider's report if it is plausible, otherwise an
    // estimate in tokens from what was sent and what came back.
    const counted = countUsage(reported, {
      prompt: this.prompt,
      framingBytes: used.model.tools === false ? 0 : Buffer.byteLength(JSON.stringify(OUTPUT_TOOLS)),
      outputChars,
      maxOutputTokens: used.model.maxOutputTokens,
    })
    if (counted.estimated) logger.warn({ provider: used.provider, model: used.model.id, reported }, 'AI usage missing or implausible: charged an estimate')
    let status: AiMessage['status'] = signal.aborted ? 'stopped' : failure ? (chunks > 0 ? 'partial' : 'error') : 'complete'
    // Model output is cleaned, never refused: NUL and lone surrogates cannot be stored.
    let content = cleanText(text)

    clearInterval(heartbeat)
    try {
      await this.metering.settle(
        {
          workspaceId: this.project.workspaceId,
          userId: this.user.id,
          projectId: this.project.id,
          aiMessageId: assistant.id,
          provider: used.provider,
          model: used.model,
          inputTokens: counted.inputTokens,
          outputTokens: counted.outputTokens,
          estimated: counted.estimated,
        },
        async (trx, charged) => {
          assistant.useTransaction(trx)
          assistant.merge({
            content,
            status,
            provider: used.provider,
            model: used.model.id,
            inputTokens: counted.inputTokens,
            outputTokens: counted.outputTokens,
            costMicros: charged.costMicros,
            chargedMicros: charged.appliedTokens * aiConfig.microsPerBalanceToken,
            chargedTokens: charged.appliedTokens,
            reservedTokens: 0,
            error: failure ? cleanText(failure).slice(0, 2000) : status === 'stopped' ? 'Stopped by the user' : null,
          })
          await assistant.save()
          await trx
            .from('ai_sessions')
            .where('id', this.session.id)
            .update({ tokens_used: db.knexRawQuery('tokens_used + ?', [counted.inputTokens + counted.outputTokens]), updated_at: dbTime() })
        }
      )
    } catch (error) {
      // The turn must not stay "streaming": it is stored as failed, without
      // its text, and its hold given back (once: if even this fails, the
      // sweeper does it later).
      logger.error({ err: error, message: assistant.id }, 'settling an AI turn failed')
      failure = 'The answer could not be stored'
      status = 'error'
      content = ''
      await this.abandon(failure)
    } finally {
      assistant.$trx = undefined
    }

    // The turn's file changes: applied as one version when the answer
    // finished, never from an answer that was cut off or stopped.
    const changes = await new TurnApplier().apply(this.project, this.user, assistant, content, {
      status,
      finished: !['max_tokens', 'length'].includes(stopReason),
      extra: { ops: toolOps, problems: toolProblems },
    })
    if (changes) {
      assistant.merge({ version: changes.version, changes })
      await assistant.save()
      yield { type: 'changes', changes }
      // Every turn that made a new version is previewed right away.
      if (changes.version && xbasis.autoPreview) {
        try {
          const { default: DeployService } = await import('#services/deploy_service')
          const preview = await new DeployService().create(this.project, this.user, { environment: 'preview' })
          yield { type: 'preview', deployment_id: preview.id }
        } catch (error) {
          logger.warn({ err: error }, 'the automatic preview could not start')
        }
      }
    }

    if (failure && status !== 'stopped') {
      yield {
        type: 'error',
        error: chunks > 0 ? `The answer was cut off: ${failure}. What arrived is kept.` : failure,
        message: presentMessage(assistant),
      }
    } else {
      yield { type: 'end', message: presentMessage(assistant) }
    }
  }

  /** Marks the turn failed and gives its hold back, when settling it failed. */
  private async abandon(reason: string) {
    try {
      await db.transaction(async (trx) => {
        await this.metering.releaseHold(trx, this.project.workspaceId, this.assistant.id)
        await trx
          .from('ai_messages')
          .where('id', this.assistant.id)
          .update({ status: 'error', content: '', error: reason, reserved_tokens: 0, updated_at: dbTime() })
      })
      this.assistant.merge({ status: 'error', content: '', error: reason, reservedTokens: 0 })
    } catch (error) {
      logger.error({ err: error, message: this.assistant.id }, 'an AI turn was left for the sweeper')
    }
  }
}

export default class ChatService {
  constructor(private metering = new MeteringService()) {}

  async session(project: Project): Promise<AiSession> {
    const existing = await AiSession.query().where('project_id', project.id).orderBy('id', 'asc').first()
    return existing ?? AiSession.create({ projectId: project.id, tokensUsed: 0 })
  }

  /**
   * What the model is told: the protocol, the module catalogue and the
   * project's files, with the locked ones marked.
   */
  async systemPrompt(project: Project): Promise<string> {
    const files = new ProjectFilesService()
    const [catalogue, listing, locks] = await Promise.all([loadCatalogue(), files.listFiles(project), files.locks(project)])
    return buildSystemPrompt({ base: aiConfig.systemPrompt, modules: catalogue.list(), files: listing.files, locked: [...locks] })
  }

  async history(project: Project): Promise<AiMessage[]> {
    const session = await AiSession.query().where('project_id', project.id).orderBy('id', 'asc').first()
    if (!session) return []
    return AiMessage.query().where('ai_session_id', session.id).orderBy('id', 'asc')
  }

  /**
   * The conversation sent to the model: the newest messages that fit its
   * context window next to the new one, starting with a user message.
   */
  trimContext(history: AiMessage[], content: string, model: ModelInfo, system = aiConfig.systemPrompt): ChatMessage[] {
    const budget = model.contextWindow - model.maxOutputTokens - estimateTokens([system])
    const context: ChatMessage[] = [{ role: 'user', content }]
    let used = estimateTokens([content])
    for (const message of [...history].reverse()) {
      if (!['complete', 'partial', 'stopped'].includes(message.status) || !message.content) continue
      const cost = estimateTokens([message.content])
      if (used + cost > budget) break
      used += cost
      context.unshift({ role: message.role, content: message.content })
    }
    // Providers want user/assistant turns alternating, opening with the user.
    const merged: ChatMessage[] = []
    for (const message of context) {
      const last = merged[merged.length - 1]
      if (last && last.role === message.role) last.content += '\n\n' + message.content
      else merged.push({ ...message })
    }
    while (merged.length && merged[0].role !== 'user') merged.shift()
    return merged
  }

  /**
   * Every check that can refuse a turn, before any provider is called:
   * provider and model known, a provider configured, the balance covering
   * the most expensive model of the chain. Then the balance is held and
   * the messages are stored.
   */
  async prepare(user: User, project: Project, input: { content: string; provider?: string; model?: string }): Promise<PreparedTurn> {
    const providerId = input.provider ?? aiConfig.defaultProvider
    const known = ai.entries().find((entry) => entry.id === providerId)
    if (!known) {
      throw new ChatRequestError(`Unknown AI provider "${providerId}"`, 422, 'unknown_provider', 'provider')
    }
    const model = ai.model(providerId, input.model)
    if (!model) {
      const available = ai.models(providerId).map((m) => m.id).join(', ') || 'none'
      throw new ChatRequestError(`Unknown model "${input.model}" for ${providerId}. Available: ${available}`, 422, 'unknown_model', 'model')
    }

    const candidates: Candidate[] = []
    let skipped: { from: string; reason: string } | null = null
    for (const id of ai.chain(providerId)) {
      const candidateModel = id === providerId ? model : ai.model(id)
      if (!candidateModel) continue
      if (await ai.isUsable(id, project.workspaceId)) {
        candidates.push({ provider: id, model: candidateModel })
      } else if (id === providerId) {
        const entry = ai.entries().find((e) => e.id === id)
        skipped = { from: id, reason: entry?.status === 'enabled' ? 'not configured' : entry?.error ?? 'disabled' }
      }
    }
    if (candidates.length === 0) {
      throw new ChatRequestError(
        `The ${providerId} provider is not available (${skipped?.reason ?? 'unknown'}). An admin can configure it, or pick another model.`,
        503,
        'provider_unavailable',
        'provider'
      )
    }
    if (candidates[0].provider === providerId) skipped = null

    const session = await this.session(project)
    const system = await this.systemPrompt(project)
    const context = this.trimContext(await this.history(project), input.content, model, system)
    const promptTokens = estimateTokens([system, ...context.map((m) => m.content)])
    const estimate = Math.max(...candidates.map((c) => priceTurn(c.model, promptTokens, c.model.maxOutputTokens).chargedTokens))

    if (!(await this.metering.reserve(project.workspaceId, estimate))) {
      const workspace = await Workspace.findOrFail(project.workspaceId)
      throw new InsufficientBalanceError(workspace.tokensBalance - workspace.tokensReserved, estimate)
    }

    try {
      const userMessage = await AiMessage.create({
        aiSessionId: session.id,
        userId: user.id,
        role: 'user',
        content: input.content,
        status: 'complete',
        inputTokens: 0,
        outputTokens: 0,
        costMicros: 0,
        chargedMicros: 0,
        chargedTokens: 0,
        reservedTokens: 0,
      })
      const assistant = await AiMessage.create({
        aiSessionId: session.id,
        userId: user.id,
        role: 'assistant',
        content: '',
        status: 'streaming',
        provider: candidates[0].provider,
        model: candidates[0].model.id,
        inputTokens: 0,
        outputTokens: 0,
        costMicros: 0,
        chargedMicros: 0,
        chargedTokens: 0,
        reservedTokens: estimate,
      })
      return new PreparedTurn(this.metering, userMessage, assistant, session, project, user, candidates, context, skipped, system)
    } catch (error) {
      await this.metering.release(project.workspaceId, estimate)
      throw error
    }
  }
}
