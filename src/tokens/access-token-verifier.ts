import { createVerifier } from 'fast-jwt'
import type { VerificationKey } from './keys.js'

export interface AccessTokenClaims {
  sub: string
  sid: string
  roles: string[]
  jti: string
  iat: number
  exp: number
  nbf?: number
  /** When the user last proved a factor in this session (seconds), what was proven, and its level (RFC 9470). */
  auth_time?: number
  amr?: string[]
  acr?: string
}

export class AccessTokenInvalid extends Error {
  override name = 'AccessTokenInvalid'
}

/** The token's JOSE header, or `{}` when it is not a JSON object (`null`, a number, text, broken JSON). */
function headerOf (token: string): { kid?: unknown, typ?: unknown } {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'))
    return typeof header === 'object' && header !== null ? header : {}
  } catch {
    return {}
  }
}

/**
 * One pinned, caching fast-jwt verifier per accepted key, chosen by `kid`: RS256 only,
 * our `iss` and `aud` only, `typ` at+jwt only. The key is never taken from the token
 * (`jwk`, `jku`, `x5u` are ignored, so nothing is fetched). Expiry is left to the caller,
 * which reads the app's clock.
 */
export function createAccessTokenVerifier (keys: VerificationKey[], issuer: string, audience: string) {
  const verifiers = new Map(keys.map((k) => [k.kid, createVerifier({
    key: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    algorithms: ['RS256'],
    allowedIss: issuer,
    allowedAud: audience,
    requiredClaims: ['iss', 'aud', 'sub', 'sid', 'iat', 'exp', 'jti'],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: 10_000
  })]))
  return (token: string): AccessTokenClaims => {
    const header = headerOf(token)
    // RFC 8725 §3.11: only access tokens are bearer credentials here.
    if (header.typ !== 'at+jwt') throw new AccessTokenInvalid('not an access token')
    const verify = typeof header.kid === 'string' ? verifiers.get(header.kid) : undefined
    if (!verify) throw new AccessTokenInvalid('unknown signing key')
    try {
      return verify(token) as AccessTokenClaims
    } catch {
      throw new AccessTokenInvalid('bad signature or claims')
    }
  }
}
