import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../paths.js'
import { withResponseHeaders } from '../../http/openapi-headers.js'
import { SECURITY_HEADERS } from '../../../schemas/headers.js'

const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }

/** One entry: the deployment that serves the document, whichever environment it is (x-internal: public API). */
const server = {
  url: '/',
  description:
    'the deployment serving this document, in every environment (production, staging, local development): ' +
    'each runs this same contract; use HTTPS everywhere but local development',
  'x-internal': false
}

/** What a client may rely on about access tokens (bearerAuth). */
const BEARER_CONTRACT = [
  'The access_token of a completed login (password and second factor), sent as `Authorization: Bearer <token>`.',
  'A JWS signed with RS256 (and nothing else; `alg: none` and HMAC are refused) with header `typ: at+jwt` and the ' +
    '`kid` ' +
    'of a key in `GET /.well-known/jwks.json`; claims `iss` and `aud` (JWT_ISSUER, JWT_AUDIENCE), `sub` (the user ' +
      'id, ' +
    'as a string), `sid` (the session), `roles`, `jti`, `iat` and `exp`.',
  'Lifetime: ACCESS_TOKEN_TTL seconds (default 900, from 30 to 86400), as `expires_in` says. Refresh flow: before it ' +
    'expires, send the refresh_token to `POST /auth/refresh` for a new pair; each refresh token works once (a reused ' +
    'one ends the session), and a session ends after REFRESH_IDLE_TTL unused or REFRESH_ABSOLUTE_TTL in all.',
  'Logout, revocation, disabling and role changes reach tokens already issued: every request checks the session, and ' +
    'permissions come from the current roles, not from the token.',
  'Follows RFC8725 (JSON Web Token Best Current Practices): one pinned algorithm, explicit `typ` so no other JWT is ' +
    'accepted as an access token, issuer and audience checked, keys never taken from the token (`jwk`, `jku`, `x5u` ' +
    'are ignored), RSA keys of 2048 to 8192 bits.'
].join('\n\n')

/** What a client may rely on about API keys (apiKeyAuth). */
const API_KEY_CONTRACT = [
  'An API key, sent as `Authorization: Bearer sapi_…`: created by `POST /api/keys` after an interactive login, ' +
    'shown once.',
  'Format: `sapi_` + 43 base62 characters (32 random bytes) + a 6-character base62 CRC32 of those 43, so a key is ' +
    'recognizable and checkable offline (`npm run cli -- check-key <key>`).',
  'Accepted on every `/api/*` operation that lists it, with the permissions the key was given that its owner ' +
    'still holds; ' +
    'never on `/auth/*` nor on key management (403 `api_key_not_allowed`). Expired, revoked, or owner disabled: 401 ' +
    '`invalid_token`. At most API_KEY_RATE_LIMIT requests per minute per key (default 600; 429 `api_key_rate_limited`).'
].join('\n\n')

/** The OpenAPI 3.1 document, generated from the routes; named schemas become components. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'secure-api',
          version,
          description:
            'Accounts with mandatory TOTP two-factor login, JWT access tokens, and a products catalog. ' +
            'Every error is `application/problem+json` (RFC 9457) with a stable `code`.\n\n' +
            'Ids are 64-bit integers (`format: int64`) that stay below 2^53, so JavaScript numbers hold them ' +
              'exactly; ' +
            'map them to `long`/`int64`/`Long`, never to a 32-bit type.\n\n' +
            `Every response also carries these security headers: ${SECURITY_HEADERS.join(', ')}.`,
          license: { name: 'MIT', identifier: 'MIT' }
        },
        servers: [server],
        tags: [
          { name: 'auth', description: 'registration, TOTP enrollment and login' },
          { name: 'account', description: 'changes to your own password and second factor; step-up' },
          { name: 'passkeys', description: 'WebAuthn passkeys: registration, management, usernameless login' },
          { name: 'sessions', description: 'refresh tokens, logout, your sessions, and the JWKS' },
          { name: 'products', description: 'the catalog' },
          { name: 'users', description: 'administration of accounts' },
          { name: 'api-keys', description: 'long-lived, scoped, revocable keys for scripts, SDKs and services' },
          { name: 'health', description: 'liveness and readiness probes' }
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: BEARER_CONTRACT },
            apiKeyAuth: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'sapi_ API key',
              description: API_KEY_CONTRACT
            },
            enrollmentToken: {
              type: 'http',
              scheme: 'bearer',
              description:
                'The enrollment_token from registration, or from a password-only login while enrollment is pending: ' +
                'an opaque single-purpose token (32 random bytes, base64url; stored only as a hash), valid for ' +
                'ENROLLMENT_TOKEN_TTL seconds (default 900), accepted only by `GET /auth/generate_qr/{username}` and ' +
                '`POST /auth/2fa/verify`, and spent when 2FA is confirmed.'
            }
          }
        }
      },
      // response headers, and a deep copy: the YAML writer would turn shared objects into anchors and aliases
      transformObject: (document) => withResponseHeaders('openapiObject' in document ? document.openapiObject : {}),
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`)
      }
    })
  },
  { name: 'swagger', dependencies: ['schemas'] }
)
