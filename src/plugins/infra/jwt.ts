import fp from 'fastify-plugin'
import { createAccessTokenVerifier } from '../../tokens/access-token-verifier.js'
import type { AuthUser } from '../../sessions/auth-user.js'

declare module 'fastify' {
  interface FastifyInstance {
    verifyAccessToken: ReturnType<typeof createAccessTokenVerifier>
  }
  interface FastifyRequest {
    /** The caller, set by `authenticate` on routes that declare `access`. */
    user: AuthUser
  }
}

/**
 * Access-token verification: one cached fast-jwt verifier per accepted key, picked by kid
 * (signing is the session service's, through createAccessTokenSigner).
 */
export default fp(async (app) => {
  const c = app.config
  app.decorateRequest('user', null as unknown as AuthUser)
  app.decorate('verifyAccessToken', createAccessTokenVerifier(app.keys.verification, c.JWT_ISSUER, c.JWT_AUDIENCE))
}, { name: 'jwt', dependencies: ['keys'] })
