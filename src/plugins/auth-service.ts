import fp from 'fastify-plugin'
import { createAuthService, type AuthService } from '../auth/auth-service.js'
import { createPasswordHasher } from '../auth/passwords.js'

declare module 'fastify' {
  interface FastifyInstance {
    authService: AuthService
  }
}

export default fp(async (app) => {
  const c = app.config
  const hasher = await createPasswordHasher({ memoryCost: c.ARGON2_MEMORY_KIB, timeCost: c.ARGON2_TIME_COST, parallelism: c.ARGON2_PARALLELISM })
  app.decorate('authService', createAuthService(app, hasher))
}, { name: 'auth-service', dependencies: ['db', 'keys', 'sessions', 'passkeys'] })
