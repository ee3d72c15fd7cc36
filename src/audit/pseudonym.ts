import { createHmac, hkdfSync } from 'node:crypto'

/**
 * A keyed digest for what must be correlated in the audit log but not kept (a username no
 * account has may be a mistyped password): HMAC-SHA-256 under a key derived from the server's
 * secret key, so nobody without that key can test guesses against it. 64 bits shown.
 */
export function createPseudonym (serverKey: Buffer) {
  const key = Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'secure-api audit pseudonym', 32))
  return (value: string) => `hmac:${createHmac('sha256', key).update(value).digest('hex').slice(0, 16)}`
}
