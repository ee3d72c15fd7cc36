import { Secret, TOTP } from 'otpauth'
import { randomBytes } from 'node:crypto'

/** Google Authenticator's parameters (RFC 6238 defaults): SHA-1, 6 digits, 30 s. */
export const PERIOD_MS = 30_000
const WINDOW = 1

/** A fresh secret: 160 bits from the CSPRNG, base32. */
// Stryker disable next-line ObjectLiteral: otpauth's default secret is the same, 20 bytes from node:crypto randomBytes
export const newTotpSecret = () => new Secret({ buffer: randomBytes(20).buffer }).base32

const totpOf = (secret: string, issuer: string, label: string) =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD_MS / 1000, secret: Secret.fromBase32(secret) })

export const otpauthUri = (secret: string, issuer: string, label: string) => totpOf(secret, issuer, label).toString()

/**
 * The time step a code belongs to, among T-1..T+1 of the server's clock, or null.
 * The caller must then claim the step atomically (replay protection).
 */
export function matchingStep (secret: string, code: string, now: number): number | null {
  // Stryker disable next-line StringLiteral: issuer and label only go into the otpauth URI, never into a code
  const delta = totpOf(secret, 'x', 'x').validate({ token: code, timestamp: now, window: WINDOW })
  return delta === null ? null : Math.floor(now / PERIOD_MS) + delta
}

/** The code for a time, for tests and tools that act as the authenticator. */
// Stryker disable next-line StringLiteral: issuer and label only go into the otpauth URI, never into a code
export const codeAt = (secret: string, timestamp: number) => totpOf(secret, 'x', 'x').generate({ timestamp })
