import fp from 'fastify-plugin'
import { passwordHasherFor } from '../../auth/passwords.js'
import { createServices, type Services } from '../../services.js'
import { createHashGate, type HashGate } from '../../auth/hash-gate.js'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
    /** Admission control of password hashing (its depth is a metric). */
    hashGate: HashGate
  }
  interface FastifyContextConfig {
    /** A login or registration: refused before its body is read while the hash gate is full. */
    hashAdmission?: boolean
  }
}

/** The app's services (see createServices), and the periodic purge of ended sessions (stopped on close). */
export default fp(async (app) => {
  const c = app.config
  const hashGate = createHashGate(
    { concurrency: c.HASH_CONCURRENCY, queueMax: c.HASH_QUEUE_MAX, queueTimeoutMs: c.HASH_QUEUE_TIMEOUT_MS })
  const hasher = await passwordHasherFor(c, hashGate)
  app.decorate('hashGate', hashGate)
  // a storm's refusals cost as little as they can: no body read, parsed or validated
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.hashAdmission === true) hashGate.assertRoom()
  })
  const reportError = (err: unknown, message: string) => app.log.error({ err }, message)
  const services = createServices({ db: app.db, now: app.now, config: c, keys: app.keys, hasher, reportError })
  app.decorate('services', services)
  const timer = setInterval(() => {
    services.passkeys.purgeChallenges().catch((err) => app.log.error({ err }, 'purging WebAuthn challenges failed'))
    services.sessions.purge().then(
      (deleted) => { if (deleted > 0) app.log.info({ deleted }, 'purged ended sessions and expired tokens') },
      (err) => app.log.error({ err }, 'purge failed'))
  }, c.PURGE_INTERVAL * 1000)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await services.apiKeys.settled() // before the store closes
  })
}, { name: 'services', dependencies: ['config', 'db', 'keys'] })
