import { caseFold } from 'unicode-case-folding'
import { ApiError, Errors } from '../errors.js'

/** A canonical username: what registration allows (3 to 50 letters, digits, `.`, `_`, `-`), case-folded. */
const CANONICAL = /^[a-z0-9._-]{3,50}$/

/** The code points with a <wide> or <narrow> decomposition in UnicodeData.txt: U+3000 and U+FF01 to U+FFEE. */
const WIDE_OR_NARROW = /[\u3000\uFF01-\uFFEE]/g

/**
 * The one canonical form of a username, after RFC 8265's UsernameCaseMapped profile: width
 * mapping (full- and half-width forms to their decomposition), Unicode full case folding (the
 * Kelvin sign is k, U+0130 is i + U+0307, not just toLowerCase), NFC; then the length and
 * character checks on the result. Null when the result cannot be a username (a space, a
 * control or invisible character, anything past ASCII after folding, too short or too long).
 * Registration, login, throttling, enrollment and administration all look names up by it,
 * and the stores compare it byte for byte.
 */
export function canonicalUsername (input: string): string | null {
  const canonical = caseFold(input.replace(WIDE_OR_NARROW, (c) => c.normalize('NFKC'))).normalize('NFC')
  return CANONICAL.test(canonical) ? canonical : null
}

/** The 400 for a name that has no canonical form, at `pointer`. */
export function invalidUsername (pointer: string): ApiError {
  const message = 'is not a username: 3 to 50 letters, digits, ".", "_" or "-" once case and width are folded'
  return new ApiError(400, Errors.validation.code, Errors.validation.title, `Invalid username: ${message}`, {}, [
    { pointer, message }
  ])
}
