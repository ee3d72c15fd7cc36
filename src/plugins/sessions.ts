import fp from 'fastify-plugin'
import { createSessionService, type SessionService } from '../sessions/session-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionService
  }
}

/** The session service, and the periodic purge of ended sessions (stopped on close). */
export default fp(async (app) => {
  const sessions = createSessionService(app)
  app.decorate('sessions', sessions)
  const timer = setInterval(() => {
    sessions.purge().then(
      (deleted) => { if (deleted > 0) app.log.info({ deleted }, 'purged ended sessions and expired tokens') },
      (err) => app.log.error({ err }, 'purge failed'))
  }, app.config.PURGE_INTERVAL * 1000)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}, { name: 'sessions', dependencies: ['db', 'jwt'] })
