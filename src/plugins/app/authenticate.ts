import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { Errors } from '../../errors.js'
import { bearerToken } from '../../http/bearer-token.js'
import { AccessTokenInvalid, type AccessTokenClaims } from '../../tokens/access-token-verifier.js'
import { looksLikeApiKey } from '../../api-keys/key-format.js'
import type { KeyRefusal } from '../../api-keys/api-keys-service.js'
import { clientMeta } from '../../http/client-meta.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Check for routes that need an access token, run at preParsing (see authorization): after the per-IP limiter,
     * before the body is read.
     */
    authenticate: (request: FastifyRequest) => Promise<void>
  }
}

const challenge = (description: string) => ({
  'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`
})

// Stryker disable all: API-key glue, tested over HTTP on MariaDB (test/api-keys/api-keys.test.ts, key-check.test.ts)
/** Why a key was refused, as the client is told it (RFC 6750 invalid_token for each). */
const KEY_REFUSALS: Record<KeyRefusal, [string, string]> = {
  malformed: ['This is not a well-formed API key (bad checksum or length)', 'malformed api key'],
  unknown: ['No such API key', 'unknown api key'],
  revoked: ['This API key has been revoked', 'api key revoked'],
  expired: ['This API key has expired; create a new one', 'api key expired'],
  disabled: ['The owner of this API key is disabled', 'api key owner disabled']
}
// Stryker restore all

/**
 * A valid access token of a live session: signature, claims and `typ` by the verifier,
 * expiry by the app's clock, then the session (revoked? roles now?) through the session
 * check, so logout, revocation and role changes reach tokens already issued.
 * Or an API key (`sapi_…`, on the routes that take keys: authorization refuses it on the others
 * first): checksum, then the key check (cached like the session check), then the per-key limit.
 */
export default fp(
  async (app) => {
    // Stryker disable all: API-key glue, tested over HTTP on MariaDB (test/api-keys/api-keys.test.ts, key-check...)
    async function authenticateKey (request: FastifyRequest, key: string) {
      const result = await app.services.apiKeys.check(key, clientMeta(request))
      if (!result.ok) {
        const [detail, description] = KEY_REFUSALS[result.reason]
        throw Errors.invalidToken(detail, challenge(description))
      }
      const { identity } = result
      // a key proves no recent authentication (authTime 0): a route with recentAuth refuses it even if it took keys
      request.user = {
        id: identity.userId,
        sid: '',
        roles: [],
        permissions: identity.permissions,
        authTime: 0,
        amr: [],
        apiKey: { id: identity.keyId, limitKey: identity.limitKey }
      }
      await app.apiKeyRateLimit(request)
    }

    // Stryker restore all
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = bearerToken(request)
      // Stryker disable next-line all: API-key glue (the branch to authenticateKey above)
      if (looksLikeApiKey(token)) return authenticateKey(request, token)
      let claims: AccessTokenClaims
      try {
        claims = app.verifyAccessToken(token)
      } catch (err) {
        if (!(err instanceof AccessTokenInvalid)) throw err
        throw Errors.invalidToken(
          'The access token is malformed, not signed by us, or not meant for this API',
          challenge('invalid token')
        )
      }
      const now = app.now() / 1000
      if (claims.exp <= now) {
        throw Errors.tokenExpired('The access token has expired; refresh it', challenge('token expired'))
      }
      if (claims.nbf !== undefined && claims.nbf > now) {
        throw Errors.invalidToken('The access token is not valid yet', challenge('token not yet valid'))
      }
      const session = await app.services.sessions.check(claims.sid)
      if (!session || String(session.userId) !== claims.sub) {
        throw Errors.invalidToken('The session of this token has ended; log in again', challenge('session ended'))
      }
      request.user = {
        id: session.userId,
        sid: claims.sid,
        roles: session.roles,
        permissions: session.permissions,
        // Stryker disable next-line all: step-up glue, tested over HTTP on MariaDB (test/step-up/step-up.test.ts)
        authTime: claims.auth_time ?? 0,
        // Stryker disable next-line all: step-up glue, tested over HTTP on MariaDB (test/step-up/step-up.test.ts)
        amr: claims.amr ?? []
      }
    })
  },
  // Stryker disable next-line ArrayDeclaration: with no dependencies Fastify checks none (the order is fixed anyway)
  { name: 'authenticate', dependencies: ['jwt', 'services', 'api-key-limit'] }
)
