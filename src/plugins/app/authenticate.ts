import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { Errors } from '../../errors.js'
import { bearerToken } from '../../http/bearer-token.js'
import { AccessTokenInvalid, type AccessTokenClaims } from '../../tokens/access-token-verifier.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Check for routes that need an access token, run at preParsing (see authorization): after the per-IP limiter, before the body is read. */
    authenticate: (request: FastifyRequest) => Promise<void>
  }
}

const challenge = (description: string) => ({ 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` })

/**
 * A valid access token of a live session: signature, claims and `typ` by the verifier,
 * expiry by the app's clock, then the session (revoked? roles now?) through the session
 * check, so logout, revocation and role changes reach tokens already issued.
 */
export default fp(async (app) => {
  app.decorate('authenticate', async (request: FastifyRequest) => {
    let claims: AccessTokenClaims
    try {
      claims = app.verifyAccessToken(bearerToken(request))
    } catch (err) {
      if (!(err instanceof AccessTokenInvalid)) throw err
      throw Errors.invalidToken('The access token is malformed, not signed by us, or not meant for this API', challenge('invalid token'))
    }
    const now = app.now() / 1000
    if (claims.exp <= now) throw Errors.tokenExpired('The access token has expired; refresh it', challenge('token expired'))
    if (claims.nbf !== undefined && claims.nbf > now) throw Errors.invalidToken('The access token is not valid yet', challenge('token not yet valid'))
    const session = await app.services.sessions.check(claims.sid)
    if (!session || String(session.userId) !== claims.sub) throw Errors.invalidToken('The session of this token has ended; log in again', challenge('session ended'))
    request.user = {
      id: session.userId, sid: claims.sid, roles: session.roles, permissions: session.permissions,
      authTime: claims.auth_time ?? 0,
      amr: claims.amr ?? []
    }
  })
}, { name: 'authenticate', dependencies: ['jwt', 'services'] })
