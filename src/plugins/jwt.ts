import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'

export interface AccessClaims {
  sub: string
  roles: string[]
  jti: string
  iat: number
}

export interface AuthUser {
  id: number
  roles: string[]
  jti: string
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims
    user: AuthUser
  }
}

/**
 * @fastify/jwt with an asymmetric key and a pinned verifier: RS256 only, our issuer and
 * audience only; `jku`/`x5u`/`jwk` headers are never followed (the key is fixed).
 * Expiry is checked by the authenticate hook against the app's clock, so the verifier
 * stays a single cached instance.
 */
export default fp(async (app) => {
  const { signing } = app.keys
  const c = app.config
  await app.register(jwt, {
    secret: {
      private: signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      public: signing.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    },
    sign: { algorithm: 'RS256', kid: signing.kid, iss: c.JWT_ISSUER, aud: c.JWT_AUDIENCE, expiresIn: c.ACCESS_TOKEN_TTL, header: { alg: 'RS256', typ: 'at+jwt' } },
    verify: {
      algorithms: ['RS256'],
      allowedIss: c.JWT_ISSUER,
      allowedAud: c.JWT_AUDIENCE,
      requiredClaims: ['iss', 'aud', 'sub', 'iat', 'exp', 'jti'],
      ignoreExpiration: true,
      ignoreNotBefore: true,
      complete: true,
      cache: 10000
    }
  })
}, { name: 'jwt', dependencies: ['keys'] })
