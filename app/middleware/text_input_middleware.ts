import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { errors } from '@vinejs/vine'
import { textProblem } from '#lib/text'

const MESSAGES = {
  nul: 'cannot contain a NUL character',
  surrogate: 'is not valid text (it holds half of a UTF-16 surrogate pair)',
}

/** Paths whose bodies are not people's input: signed webhooks are verified on their raw bytes. */
const EXEMPT = /^\/webhooks\//

/**
 * Refuses, with a 422 in the validators' format, any request whose body or
 * query string holds a NUL character or a lone UTF-16 surrogate, in any
 * field, key or nested value: such text cannot be stored (see #lib/text),
 * and refusing it here, once for every route, keeps e-mails, tokens, names,
 * descriptions and chat messages consistent instead of failing deep inside
 * with a 500.
 */
export default class TextInputMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!EXEMPT.test(ctx.request.url())) {
      const found = findProblem(ctx.request.all(), '')
      if (found) {
        throw new errors.E_VALIDATION_ERROR([{ field: found.field || 'input', message: `The ${found.field || 'input'} field ${MESSAGES[found.problem]}`, rule: 'text' }])
      }
    }
    return next()
  }
}

function findProblem(value: unknown, field: string, depth = 0): { field: string; problem: 'nul' | 'surrogate' } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value)
    return problem ? { field, problem } : null
  }
  if (depth > 32 || !value || typeof value !== 'object') return null
  for (const [key, item] of Object.entries(value)) {
    const path = field ? `${field}.${key}` : key
    const problem = textProblem(key)
    if (problem) return { field: path, problem }
    const inner = findProblem(item, path, depth + 1)
    if (inner) return inner
  }
  return null
}
