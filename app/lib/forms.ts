import { Exception } from '@adonisjs/core/exceptions'
import { errors as vineErrors } from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import type { VineValidator } from '@vinejs/vine'
import { wantsJson } from '#exceptions/handler'

const NEVER_ECHOED = new Set(['_csrf', '_method', 'password', 'password_confirmation', 'current_password', 'delete_password'])

/**
 * A form that failed validation is answered 422 with the same page rendered
 * again: field messages next to the fields, the input kept (never the
 * passwords). JSON clients get the API's 422 envelope instead.
 */
export class FormValidationException extends Exception {
  static status = 422

  constructor(
    public validationError: InstanceType<typeof vineErrors.E_VALIDATION_ERROR>,
    public view: string,
    public state: Record<string, unknown>
  ) {
    super('The form has errors', { status: 422, code: 'E_VALIDATION_ERROR' })
  }

  async handle(_: this, ctx: HttpContext) {
    const bag: Record<string, string[]> = {}
    for (const message of this.validationError.messages as { field: string; message: string }[]) {
      ;(bag[message.field] ??= []).push(message.message)
    }
    const input = Object.fromEntries(
      Object.entries(ctx.request.original()).filter(([key]) => !NEVER_ECHOED.has(key))
    )
    // Read by the form components before the flash messages of the
    // previous request.
    ctx.view.share({ formErrors: bag, formInput: input })
    ctx.response.status(422).send(await ctx.view.render(this.view, this.state))
  }
}

export async function validateForm<T extends VineValidator<any, any>>(
  ctx: HttpContext,
  validator: T,
  view: string,
  state: Record<string, unknown> = {}
): Promise<Awaited<ReturnType<T['validate']>>> {
  try {
    return await ctx.request.validateUsing(validator)
  } catch (error) {
    if (error instanceof vineErrors.E_VALIDATION_ERROR && !wantsJson(ctx)) {
      throw new FormValidationException(error, view, state)
    }
    throw error
  }
}
