import { interpretConversation, type Plan, type TurnReport } from './interpreter.js'
import { instructions, moduleParams, renderAnswer, suggestions, type Catalogue, type Instructions, type ModuleParams } from './render.js'

export type Built = { answer: string; plan: Plan; turn: TurnReport; params: ModuleParams; ops: Instructions; suggestion: string | null }

/**
 * The offline builder's whole turn: the user messages of the conversation,
 * oldest first, become the plan; the plan the messages before the last one
 * made is the app as it stands; the difference between the two is what the
 * answer's instructions change. Nothing is changed when the last message
 * was not understood.
 */
export function buildAnswer(messages: string[], catalogue: Catalogue, options: { suggest?: boolean } = {}): Built {
  const { plan, previous, turn, built: exists } = interpretConversation(messages)
  const before: ModuleParams = exists ? moduleParams(previous, catalogue).params : new Map()
  const built = moduleParams(plan, catalogue)
  const ops = turn.understood ? instructions(before, built.params, plan.removed) : { text: '', added: [], updated: [], removed: [] }
  // The suggestion the answer ends with is tried first: only one that changes the app is offered.
  let suggestion: string | null = null
  if (turn.understood && options.suggest !== false) {
    const next = [...messages.slice(0, turn.understood ? undefined : -1)]
    suggestion = suggestions(plan, turn.lang).find((candidate) => buildAnswer([...next, candidate], catalogue, { suggest: false }).ops.text !== '') ?? null
  }
  const answer = renderAnswer({ plan, turn, first: !exists, params: built.params, missing: built.missing, notes: built.notes, ops, catalogue, suggestion })
  return { answer, plan, turn, params: built.params, ops, suggestion }
}
