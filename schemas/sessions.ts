import { Type } from '@sinclair/typebox'
import { MAX_PAGE, Text, Timestamp } from './common.js'

/** `GET /auth/sessions` lists the newest live sessions, at most a page. */
export const MAX_SESSIONS_LISTED = MAX_PAGE
/** RSA keys the service accepts, and how many verification keys the JWKS may hold (signing + previous). */
export const RSA_BITS = { min: 2048, max: 8192 }
export const MAX_VERIFICATION_KEYS = 10
const Base64url = (maxLength: number, description: string) =>
  Text(maxLength, { pattern: '^[A-Za-z0-9_-]+$', description })

export const RefreshRequest = Type.Object(
  {
    refresh_token: Text(100, { minLength: 1, description: 'the refresh_token from the last login or refresh' })
  },
  { $id: 'RefreshRequest', additionalProperties: false, examples: [{ refresh_token: '<refresh_token>' }] }
)

/** Session ids: 16 random bytes, base64url. */
const SessionId = (options = {}) => Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', maxLength: 32, ...options })

export const Session = Type.Object(
  {
    id: SessionId(),
    created_at: Timestamp(),
    last_used_at: Timestamp({ description: 'last login or refresh' }),
    idle_expires_at: Timestamp({ description: 'ends unless refreshed before then; slides on each refresh' }),
    absolute_expires_at: Timestamp({ description: 'ends then whatever its use' }),
    user_agent: Text(255),
    ip: Text(45),
    current: Type.Boolean({ description: 'the session of the access token making this request' })
  },
  { $id: 'Session', additionalProperties: false }
)

export const SessionList = Type.Object(
  {
    items: Type.Array(Type.Ref('Session'), {
      maxItems: MAX_SESSIONS_LISTED,
      description: 'the newest first, at most 100'
    })
  },
  { $id: 'SessionList', additionalProperties: false }
)

export const SessionParams = Type.Object({ id: SessionId() }, { additionalProperties: false })

export const Jwk = Type.Object(
  {
    kty: Type.Literal('RSA'),
    kid: Base64url(64, 'SHA-256 of the key, base64url'),
    use: Type.Literal('sig'),
    alg: Type.Literal('RS256'),
    n: Base64url(Math.ceil(RSA_BITS.max / 6), 'modulus, base64url'),
    e: Base64url(16, 'public exponent, base64url')
  },
  { $id: 'Jwk', additionalProperties: false }
)

export const Jwks = Type.Object(
  { keys: Type.Array(Type.Ref('Jwk'), { minItems: 1, maxItems: MAX_VERIFICATION_KEYS }) },
  {
    $id: 'Jwks',
    additionalProperties: false,
    description: 'RFC 7517 key set: the signing key first, then earlier keys still accepted'
  }
)
