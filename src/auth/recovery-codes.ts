import { randomBytes } from 'node:crypto'
import { sha256 } from './opaque.js'

export const RECOVERY_CODE_COUNT = 10
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789' // 31 symbols, no 0/o, 1/i/l

/** One code: 16 symbols (about 79 bits), shown as xxxx-xxxx-xxxx-xxxx. */
function newCode (): string {
  const symbols: string[] = []
  while (symbols.length < 16) {
    for (const byte of randomBytes(32)) {
      const unbiased = byte < 248 // 248 = 8*31: no modulo bias
      if (unbiased && symbols.length < 16) symbols.push(ALPHABET[byte % 31]!)
    }
  }
  return symbols.join('').match(/.{4}/g)!.join('-')
}

export const newRecoveryCodes = () => Array.from({ length: RECOVERY_CODE_COUNT }, newCode)

/** Case, spaces and dashes do not matter when a code is typed back. */
// Stryker disable next-line MethodExpression: codes are ASCII; stored and typed ones both go through here, either case
export const hashRecoveryCode = (code: string) => sha256(code.toLowerCase().replace(/[\s-]/g, ''))
