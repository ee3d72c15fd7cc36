/** Decimal text (already validated: up to 8 integer digits, up to 2 decimals) to integer cents, without floats. */
export function toCents (price: string | number): number {
  const text = String(price)
  if (!/^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$/.test(text)) throw new RangeError(`not a price: ${text}`)
  const [units, fraction = ''] = text.split('.')
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'))
}

/** Integer cents to the decimal text with two places. */
export const fromCents = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
