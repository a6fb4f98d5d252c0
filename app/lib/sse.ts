import { PassThrough } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * Does the client ask for a Server-Sent Events stream?
 */
export function wantsEventStream(ctx: HttpContext): boolean {
  return (ctx.request.header('accept') ?? '').includes('text/event-stream')
}

export type EventStream = {
  /** `id` becomes the event's id: a reconnecting client sends it back as Last-Event-ID. */
  send: (event: string, data: unknown, id?: string | number) => void
  /** An SSE comment (keeps idle connections open through proxies). */
  comment: (text: string) => void
  close: () => void
  /** Aborted when the client goes away. */
  signal: AbortSignal
}

/**
 * Switches the response to `text/event-stream` and returns a writer. Events
 * are flushed as they are sent; the handler returns right away and keeps
 * writing in the background.
 */
export function openEventStream(ctx: HttpContext): EventStream {
  const body = new PassThrough()
  const closed = new AbortController()
  const res = ctx.response.response
  res.on('close', () => {
    if (!res.writableFinished) closed.abort()
  })

  ctx.response.header('content-type', 'text/event-stream; charset=utf-8')
  ctx.response.header('cache-control', 'no-cache, no-transform')
  ctx.response.header('x-accel-buffering', 'no')
  ctx.response.header('connection', 'keep-alive')
  ctx.response.stream(body)
  // An SSE comment first, so proxies and the browser see the stream start.
  body.write(': stream open\n\n')

  return {
    signal: closed.signal,
    send(event, data, id) {
      if (body.writableEnded) return
      const idLine = id === undefined ? '' : `id: ${String(id).replace(/[\r\n]/g, '')}\n`
      body.write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    },
    comment(text) {
      if (!body.writableEnded) body.write(`: ${text.replace(/[\r\n]/g, ' ')}\n\n`)
    },
    close() {
      if (!body.writableEnded) body.end()
    },
  }
}
