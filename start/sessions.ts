/*
| A session the auth guard recreates from a "remember me" cookie (the
| browser's session had ended) is a new signed-in session: tag it with its
| user like a login does, so revocation finds it.
*/
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import SessionService from '#services/session_service'

emitter.on('session_auth:authentication_succeeded', async (event) => {
  if (!event.rememberMeToken) return
  try {
    await new SessionService().track(event.ctx, event.user as any)
  } catch (error) {
    logger.error({ err: error }, 'could not tag a session restored from a remember-me cookie')
  }
})
