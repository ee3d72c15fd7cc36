import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import { createAccessTokenVerifier, type AccessTokenClaims } from '../tokens/access-token-verifier.js'

export interface AuthUser {
  id: number
  sid: string
  /** Current roles and permissions, read through the session check (not the token's claims). */
  roles: string[]
  permissions: string[]
  /** From the token: when the session last proved a factor (seconds) and which ones (RFC 9470, RFC 8176). */
  authTime: number
  amr: string[]
  /** Set when the request authenticated with an API key (sid is then ''): its id, and its name in the rate limiter. */
  apiKey?: { id: number, limitKey: string }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: Omit<AccessTokenClaims, 'exp'>
    user: AuthUser
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    verifyAccessToken: ReturnType<typeof createAccessTokenVerifier>
  }
}

/**
 * Access tokens: @fastify/jwt signs them (RS256, typ at+jwt, kid of the newest key).
 * They are verified with one cached fast-jwt verifier per accepted key, picked by kid:
 * @fastify/jwt's per-request key callback would rebuild a verifier on every request.
 */
export default fp(async (app) => {
  const { signing, verification } = app.keys
  const c = app.config
  await app.register(jwt, {
    secret: {
      private: signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      public: signing.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    },
    // expiresIn in seconds: @fastify/jwt converts it for fast-jwt
    sign: { algorithm: 'RS256', kid: signing.kid, iss: c.JWT_ISSUER, aud: c.JWT_AUDIENCE, expiresIn: c.ACCESS_TOKEN_TTL, header: { alg: 'RS256', typ: 'at+jwt' } }
  })
  app.decorate('verifyAccessToken', createAccessTokenVerifier(verification, c.JWT_ISSUER, c.JWT_AUDIENCE))
}, { name: 'jwt', dependencies: ['keys'] })
