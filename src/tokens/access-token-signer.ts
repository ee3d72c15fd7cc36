import { createSigner } from 'fast-jwt'
import type { SigningKey } from './keys.js'
import type { AccessTokenClaims } from './access-token-verifier.js'

export interface SignerOptions {
  issuer: string
  audience: string
  /** Lifetime in seconds, counted from the claims' `iat` (the app's clock). */
  ttlSeconds: number
}

/** What the session service signs: every claim but `exp`, which the signer adds. */
export type AccessTokenSigner = (claims: Omit<AccessTokenClaims, 'exp'>) => string

/** Access tokens: RS256, header `typ: at+jwt` and the `kid` of the newest key, our `iss` and `aud`. */
export function createAccessTokenSigner (key: SigningKey, options: SignerOptions): AccessTokenSigner {
  const { issuer, audience, ttlSeconds } = options
  const sign = createSigner({
    key: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm: 'RS256',
    kid: key.kid,
    iss: issuer,
    aud: audience,
    expiresIn: ttlSeconds * 1000,
    header: { alg: 'RS256', typ: 'at+jwt' }
  })
  return (claims) => sign({ ...claims })
}
