import logger from '@adonisjs/core/services/logger'
import { parseOutput, type OutputOp } from '#ai/output_protocol'
import type AiMessage from '#models/ai_message'
import type { TurnChanges } from '#models/ai_message'
import type Project from '#models/project'
import type User from '#models/user'
import ProjectFilesService from '#services/project_files_service'
import { resolveModuleOperations } from '#services/module_operations'
import OwnerAccessService from '#services/owner_access_service'
import type { ChangeOp } from '#workspace/project_repository'

/**
 * Turns the text of a finished answer into one new version of the
 * project's files: parse (leniently), resolve modules into files, apply
 * (confined, respecting locks), and report every problem in words the chat
 * can show. A turn is all or nothing: if any of its changes cannot be made,
 * none is, and the chat says why.
 */
export default class TurnApplier {
  constructor(private files = new ProjectFilesService()) {}

  async apply(
    project: Project,
    user: User,
    message: AiMessage,
    text: string,
    state: { status: string; finished: boolean; extra?: { ops: OutputOp[]; problems: string[] } }
  ): Promise<TurnChanges | null> {
    const fromText = parseOutput(text, { finished: state.finished && state.status === 'complete' })
    // Native tool calls and tagged text: the same operations, in order.
    const parsed = {
      ops: [...fromText.ops, ...(state.extra?.ops ?? [])],
      problems: [...fromText.problems, ...(state.extra?.problems ?? [])],
    }
    if (parsed.ops.length === 0 && parsed.problems.length === 0) {
      // Instructions shown only inside code blocks are examples: say so, since a model may have meant them.
      if (!fromText.examples) return null
      return {
        version: null,
        applied: [],
        refused: [],
        problems: [`The answer shows ${fromText.examples} instruction(s) inside a code block; those are examples and were not applied.`],
      }
    }

    if (state.status !== 'complete') {
      return {
        version: null,
        applied: [],
        refused: [],
        problems: [
          `The answer did not finish, so its ${parsed.ops.length} file change(s) were not applied. Ask again to apply them.`,
        ],
      }
    }

    const problems = [...parsed.problems]
    try {
      const repo = await this.files.ensureRepository(project)
      const changeOps: ChangeOp[] = []
      const moduleOps = parsed.ops.filter((op): op is Extract<OutputOp, { op: 'module' }> => op.op === 'module')
      const dependencyOps = parsed.ops.filter((op): op is Extract<OutputOp, { op: 'dependency' }> => op.op === 'dependency')
      const remove = parsed.ops.filter((op): op is Extract<OutputOp, { op: 'remove-module' }> => op.op === 'remove-module')
      const update = parsed.ops.filter((op): op is Extract<OutputOp, { op: 'update-module' }> => op.op === 'update-module')
      if (moduleOps.length || dependencyOps.length || remove.length || update.length) {
        const resolved = await resolveModuleOperations(repo, project, moduleOps, dependencyOps, { remove, update })
        changeOps.push(...resolved.ops)
        problems.push(...resolved.problems)
      }
      for (const op of parsed.ops) {
        if (op.op === 'write' || op.op === 'edit' || op.op === 'delete' || op.op === 'rename') changeOps.push(op)
      }
      if (problems.length) {
        return { version: null, applied: [], refused: [], problems: [...problems, NOTHING_APPLIED] }
      }
      if (changeOps.length === 0) return { version: null, applied: [], refused: [], problems }

      const result = await this.files.applyOperations(project, user, changeOps, {
        message: `AI turn ${message.id}: ${summary(parsed.ops)}`,
        turn: `message-${message.id}`,
      })
      const refused = result.refused.map((r) => ({ path: r.path, reason: r.reason }))
      // The chat names the app's owner pages, so the owner knows what to open (and how: from the editor, signed in).
      const pages = result.committed ? await new OwnerAccessService().ownerPages(project, result.version ?? undefined).catch(() => []) : []
      return {
        version: result.committed ? result.version : null,
        applied: result.committed ? result.applied : [],
        refused,
        problems: refused.length ? [NOTHING_APPLIED] : [],
        ...(pages.length ? { owner_pages: pages.map(({ path, label }) => ({ path, label })) } : {}),
      }
    } catch (error) {
      logger.error({ err: error, project: project.id }, 'applying an AI turn failed')
      return { version: null, applied: [], refused: [], problems: [...problems, 'The changes could not be applied; the project was left as it was.'] }
    }
  }
}

const NOTHING_APPLIED = 'None of the changes of this answer were applied, so the project stays consistent. Ask again without the problems above.'

function summary(ops: OutputOp[]): string {
  const ids = (kind: OutputOp['op']) => ops.filter((op) => op.op === kind).map((op) => (op as { id: string }).id)
  const modules = ids('module')
  const updated = ids('update-module')
  const removed = ids('remove-module')
  const files = ops.filter((op) => op.op === 'write' || op.op === 'edit' || op.op === 'delete' || op.op === 'rename').length
  return [
    modules.length ? `modules ${modules.join(', ')}` : '',
    updated.length ? `updated ${updated.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
    files ? `${files} file change(s)` : '',
  ].filter(Boolean).join('; ') || 'changes'
}
