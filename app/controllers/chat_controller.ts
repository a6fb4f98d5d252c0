import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import ProjectService from '#services/project_service'
import ChatService, { presentMessage, type TurnEvent } from '#services/chat_service'
import { chatMessageValidator } from '#validators/project'
import { openEventStream, wantsEventStream } from '#lib/sse'
import ProjectPolicy from '#policies/project_policy'

/**
 * The chat of a project, for the API (bearer token) and the editor page
 * (session): history, and a new turn answered as JSON or streamed as SSE.
 */
@inject()
export default class ChatController {
  constructor(
    private projects: ProjectService,
    private chat: ChatService
  ) {}

  async index({ auth, params }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    const messages = await this.chat.history(project)
    return { messages: messages.map(presentMessage) }
  }

  async store(ctx: HttpContext) {
    const { auth, params, request, response, bouncer } = ctx
    const user = auth.getUserOrFail()
    const project = await this.projects.find(user, Number(params.id))
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    const input = await request.validateUsing(chatMessageValidator)

    // Everything that can refuse the turn happens here, before any byte of
    // a stream is sent, so refusals are plain JSON errors with a status.
    const turn = await this.chat.prepare(user, project, input)

    if (wantsEventStream(ctx)) {
      const stream = openEventStream(ctx)
      // The turn runs to its end even if the browser goes away: the stop
      // signal ends the provider call, and the charge is still settled.
      const drive = async () => {
        try {
          for await (const event of turn.run(stream.signal)) stream.send(event.type, eventData(event))
        } catch (error) {
          logger.error({ err: error }, 'chat turn failed')
          stream.send('error', { error: 'Internal error while answering' })
        } finally {
          stream.close()
        }
      }
      void drive()
      return
    }

    const controller = new AbortController()
    response.response.on('close', () => !response.response.writableFinished && controller.abort())
    let last: TurnEvent | null = null
    for await (const event of turn.run(controller.signal)) {
      if (event.type === 'end' || event.type === 'error') last = event
    }
    if (last?.type === 'error') {
      return response.status(502).send({ errors: [{ message: last.error, code: 'provider_error' }], message: last.message })
    }
    return response.created({ message: last?.type === 'end' ? last.message : null })
  }
}

function eventData(event: TurnEvent) {
  const { type: _, ...data } = event
  return data
}
