import app from '@adonisjs/core/services/app'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import { ChatRequestError } from '#services/chat_service'
import { InsufficientBalanceError } from '#services/metering_service'
import { PlanLimitError } from '#services/limits_service'
import { PluginNotConfiguredError } from '#plugins/settings_service'
import { PluginUnavailableError } from '#plugins/plugin_manager'
import { FileRequestError } from '#services/project_files_service'
import { InvalidRemoteError, PushError, RepositoryConflictError } from '#workspace/errors'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'

export type ApiError = { message: string; field?: string; code?: string }

/**
 * Is this request answered with JSON? Everything under /api/ always is; so
 * is any request that prefers JSON over HTML.
 */
export function wantsJson(ctx: HttpContext): boolean {
  if (ctx.request.url().startsWith('/api/')) return true
  if (ctx.request.url().startsWith('/health/')) return true
  if ((ctx.request.header('accept') ?? '').includes('text/event-stream')) return true
  const preferred = ctx.request.accepts(['html', 'json'])
  return preferred === 'json'
}

/**
 * Turns any error into the API's error envelope and status code. Unknown
 * errors become a generic 500: no stack trace or internal message leaks.
 */
export function toApiErrors(error: any): { status: number; errors: ApiError[]; headers?: Record<string, string> } {
  if (error instanceof vineErrors.E_VALIDATION_ERROR) {
    return {
      status: 422,
      errors: (error.messages as any[]).map((m) => ({
        message: m.message,
        field: m.field,
        code: m.rule,
      })),
    }
  }
  if (error instanceof authErrors.E_UNAUTHORIZED_ACCESS) {
    return { status: 401, errors: [{ message: 'Unauthorized access: a valid access token is required', code: 'E_UNAUTHORIZED_ACCESS' }] }
  }
  if (error instanceof authErrors.E_INVALID_CREDENTIALS) {
    return { status: 401, errors: [{ message: 'Invalid e-mail or password', code: 'E_INVALID_CREDENTIALS' }] }
  }
  if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE) {
    return { status: 403, errors: [{ message: 'You are not allowed to do this', code: 'E_AUTHORIZATION_FAILURE' }] }
  }
  if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
    const retryAfter = String(error.response.availableIn)
    return {
      status: 429,
      errors: [{ message: `Too many requests. Try again in ${retryAfter} seconds`, code: 'E_TOO_MANY_REQUESTS' }],
      headers: { 'Retry-After': retryAfter },
    }
  }
  if (error instanceof ChatRequestError) {
    return { status: error.status, errors: [{ message: error.message, field: error.field, code: error.code }] }
  }
  if (error instanceof InsufficientBalanceError) {
    return { status: 402, errors: [{ message: error.message, code: 'insufficient_balance' }] }
  }
  if (error instanceof PlanLimitError) {
    return { status: error.status, errors: [{ message: error.message, code: error.code }] }
  }
  if (error instanceof PluginNotConfiguredError || error instanceof PluginUnavailableError) {
    return { status: 503, errors: [{ message: error.message, code: 'plugin_unavailable' }] }
  }
  if (error instanceof FileRequestError) {
    return { status: error.status, errors: [{ message: error.message, code: error.code }] }
  }
  if (error instanceof InvalidRemoteError) {
    return { status: 422, errors: [{ message: error.message, field: 'url', code: 'invalid_remote' }] }
  }
  if (error instanceof PushError) {
    return { status: 502, errors: [{ message: error.message, code: 'push_failed' }] }
  }
  if (error instanceof RepositoryConflictError) {
    return { status: 409, errors: [{ message: error.message, code: 'conflict' }] }
  }
  if (error instanceof lucidErrors.E_ROW_NOT_FOUND) {
    return { status: 404, errors: [{ message: 'Resource not found', code: 'E_NOT_FOUND' }] }
  }
  if (error?.code === 'E_ROUTE_NOT_FOUND') {
    return { status: 404, errors: [{ message: 'Route not found', code: 'E_ROUTE_NOT_FOUND' }] }
  }
  const status = Number(error?.status)
  if (status >= 400 && status < 500) {
    // Framework errors with a client status (bad JSON, body too large,
    // method not allowed…) carry a safe message.
    return { status, errors: [{ message: String(error.message), code: error.code }] }
  }
  return { status: 500, errors: [{ message: 'Internal server error', code: 'E_INTERNAL' }] }
}

export default class HttpExceptionHandler extends ExceptionHandler {
  /**
   * Stack traces only in development, and never in JSON answers.
   */
  protected debug = !app.inProduction && !app.inTest

  protected renderStatusPages = app.inProduction

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '403': (error, { view }) => view.render('pages/errors/error', { status: 403, title: 'Not allowed', message: 'You are not allowed to see this page.', error }),
    '404': (error, { view }) => view.render('pages/errors/error', { status: 404, title: 'Page not found', message: 'There is nothing at this address.', error }),
    '500..599': (error, { view }) => view.render('pages/errors/error', { status: 500, title: 'Something went wrong', message: 'The error was logged. Try again in a moment.', error }),
  }

  async handle(error: unknown, ctx: HttpContext) {
    if (wantsJson(ctx)) {
      const { status, errors, headers } = toApiErrors(error)
      for (const [name, value] of Object.entries(headers ?? {})) ctx.response.header(name, value)
      return ctx.response.status(status).send({ errors })
    }
    if (error instanceof PlanLimitError) {
      // A form that hit a plan limit: back to it, with the limit and how to lift it.
      ctx.session.flash('error', error.message)
      return ctx.response.redirect().back()
    }
    return super.handle(error, ctx)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
