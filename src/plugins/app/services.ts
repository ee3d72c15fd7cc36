import fp from 'fastify-plugin'
import { passwordHasherFor } from '../../auth/passwords.js'
import { createServices, type Services } from '../../services.js'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
  }
}

/** The app's services (see createServices), and the periodic purge of ended sessions (stopped on close). */
export default fp(async (app) => {
  const c = app.config
  const hasher = await passwordHasherFor(c)
  const services = createServices({ db: app.db, now: app.now, config: c, keys: app.keys, hasher })
  app.decorate('services', services)
  const timer = setInterval(() => {
    services.passkeys.purgeChallenges().catch((err) => app.log.error({ err }, 'purging WebAuthn challenges failed'))
    services.sessions.purge().then(
      (deleted) => { if (deleted > 0) app.log.info({ deleted }, 'purged ended sessions and expired tokens') },
      (err) => app.log.error({ err }, 'purge failed'))
  }, c.PURGE_INTERVAL * 1000)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}, { name: 'services', dependencies: ['config', 'db', 'keys'] })
