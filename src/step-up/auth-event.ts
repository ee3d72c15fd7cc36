/**
 * What a session last proved, for the access token's `auth_time`, `amr` and `acr` (RFC 9470).
 * amr values are RFC 8176's: pwd (password), otp (a TOTP or recovery code), hwk (a key bound
 * to hardware: a passkey), user (the authenticator verified its user).
 */
export type Amr = 'pwd' | 'otp' | 'hwk' | 'user'
export type Acr = 'aal1' | 'aal2'

export interface AuthEvent {
  /** When the factors were proven, epoch ms. */
  at: number
  amr: Amr[]
}

const AMR_VALUES = new Set<string>(['pwd', 'otp', 'hwk', 'user'])

/** Two factors proven together (password and code, or a user-verified passkey) are AAL2. */
export function acrOf (amr: readonly string[]): Acr {
  const has = (v: string) => amr.includes(v)
  return (has('pwd') && has('otp')) || (has('hwk') && has('user')) ? 'aal2' : 'aal1'
}

/** The stored, comma-separated form of an amr list, and back (unknown values dropped). */
export const amrToText = (amr: readonly Amr[]) => amr.join(',')
export const amrFromText = (text: string | null | undefined): Amr[] =>
  // Stryker disable next-line StringLiteral: for a null text any other string is filtered out all the same
  (text ?? '')
    .split(',')
    .filter((v): v is Amr => AMR_VALUES.has(v))

/** The access-token claims for an authentication event (auth_time in seconds, RFC 9470 §4). */
export const authClaims = (event: AuthEvent) =>
  ({ auth_time: Math.floor(event.at / 1000), amr: event.amr, acr: acrOf(event.amr) })
