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

/** The claims, and the arrays in them, made read-only. */
function deepFreeze (claims: AccessTokenClaims): AccessTokenClaims {
  for (const value of Object.values(claims)) if (typeof value === 'object' && value !== null) Object.freeze(value)
  return Object.freeze(claims)
}

/**
 * One pinned fast-jwt verifier per accepted key, chosen by `kid`: RS256 only,
 * our `iss` and `aud` only, `typ` at+jwt only. The key is never taken from the token
 * (`jwk`, `jku`, `x5u` are ignored, so nothing is fetched). Expiry is left to the caller,
 * which reads the app's clock.
 */
export function createAccessTokenVerifier (
  keys: VerificationKey[],
  issuer: string,
  audience: string,
  cacheSize = 10_000
) {
  const verifiers = new Map(keys.map((k) => [k.kid, createVerifier({
    key: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    algorithms: ['RS256'],
    allowedIss: issuer,
    allowedAud: audience,
    requiredClaims: ['iss', 'aud', 'sub', 'sid', 'iat', 'exp', 'jti'],
    ignoreExpiration: true,
    ignoreNotBefore: true
  })]))
  // Tokens that verified, by their exact text: a token's signature and claims never change, and expiry is the
  // caller's (its clock), so a hit answers as a fresh verification would, without the header parse, the hash
  // and the signature check (5 µs a request on the read path). Bounded: the oldest entry goes first.
  // Refused tokens are not kept: a flood of forged ones cannot fill it. The claims are frozen, since every request
  // with the token shares them.
  // Keyed by the token's last 32 characters (of its RSA signature: 192 random bits), which V8 hashes in a fraction of
  // the time the whole 700 characters take; a hit still needs the whole text equal, so sharing them is only a miss.
  const verified = new Map<string, { token: string, claims: AccessTokenClaims }>()
  return (token: string): AccessTokenClaims => {
    const key = token.slice(-32)
    const hit = verified.get(key)
    if (hit?.token === token) return hit.claims
    const claims = deepFreeze(verifyOnce(token))
    verified.delete(key)
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!)
    verified.set(key, { token, claims })
    return claims
  }

  function verifyOnce (token: string): AccessTokenClaims {
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
