import fp from 'fastify-plugin'
import { createAuthService, type AuthService } from '../auth/auth-service.js'
import { createPasswordHasher } from '../auth/passwords.js'
import { createHashGate, type HashGate } from '../auth/hash-gate.js'

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService
    /** Admission control of password hashing (its depth is a metric). */
    hashGate: HashGate
  }
}

export default fp(async (app) => {
  const c = app.config
  const gate = createHashGate({ concurrency: c.UV_THREADPOOL_SIZE, queueMax: c.HASH_QUEUE_MAX, queueTimeoutMs: c.HASH_QUEUE_TIMEOUT_MS })
  const hasher = await createPasswordHasher({ memoryCost: c.ARGON2_MEMORY_KIB, timeCost: c.ARGON2_TIME_COST, parallelism: c.ARGON2_PARALLELISM }, gate)
  app.decorate('hashGate', gate)
  app.decorate('authService', createAuthService(app, hasher))
}, { name: 'auth-service', dependencies: ['db', 'keys', 'sessions'] })
