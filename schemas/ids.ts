import { Type } from '@sinclair/typebox'

/** The largest id a BIGINT column holds. */
export const MAX_ID = '9223372036854775807'

/**
 * Decimal numbers from 1 to `max`, with no sign, leading zero, exponent or fraction: every
 * shorter digit count, then for `max`'s length each prefix of it followed by a smaller digit.
 */
export function positiveUpTo (max: string): string {
  const alternatives = [`[1-9][0-9]{0,${max.length - 2}}`]
  for (let i = 0; i < max.length; i++) {
    const digit = Number(max[i])
    const low = i === 0 ? 1 : 0
    if (digit > low) alternatives.push(`${max.slice(0, i)}[${low}-${digit - 1}][0-9]{${max.length - i - 1}}`)
  }
  alternatives.push(max)
  return `^(?:${alternatives.join('|')})$`
}

/**
 * One spelling per id: `1`, never `01`, `1.0`, `1e0` or `0x1` (they would all reach the same row).
 * A string, so nothing coerces it; routes turn it into a number with `rowId`.
 */
export const Id = Type.String({
  pattern: positiveUpTo(MAX_ID),
  maxLength: MAX_ID.length,
  description: `a positive integer up to ${MAX_ID}, in decimal digits`,
  examples: ['1']
})

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false })

/**
 * The number a validated id stands for. Ids past 2^53 are valid but never handed out (rows are
 * read as JS numbers): they become 0, which no row has (AUTO_INCREMENT starts at 1), so "not found".
 */
export const rowId = (id: string): number => (Number.isSafeInteger(Number(id)) ? Number(id) : 0)
