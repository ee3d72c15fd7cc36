import { PRICE_PATTERN } from '../../schemas/products.js'

const PRICE = new RegExp(PRICE_PATTERN)

/** Decimal text (already validated against the schema's PRICE_PATTERN) to integer cents, without floats. */
export function toCents (price: string | number): number {
  const text = String(price)
  if (!PRICE.test(text)) throw new RangeError(`not a price: ${text}`)
  const [units, fraction = ''] = text.split('.')
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'))
}

/** Integer cents to the decimal text with two places. */
export const fromCents = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
