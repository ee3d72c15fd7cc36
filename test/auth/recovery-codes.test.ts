import t from 'tap'
import { newRecoveryCodes, RECOVERY_CODE_COUNT } from '../../src/auth/recovery-codes.js'

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789' // 31 symbols: no 0/o, 1/i/l
const SYMBOLS = 16 // 16 * log2(31): about 79 bits

t.test('T7 (ASVS 6.5.2): recovery codes carry about 79 bits: 16 independent, uniform symbols of 31', async (t) => {
  const codes = Array.from({ length: 3000 }, newRecoveryCodes).flat()
  t.equal(codes.length, 3000 * RECOVERY_CODE_COUNT)
  t.equal(new Set(codes).size, codes.length, 'no code repeats')
  t.ok(codes.every((c) => /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/.test(c)), 'each shown as xxxx-xxxx-xxxx-xxxx')
  const symbols = codes.map((c) => c.replace(/-/g, ''))
  t.ok(
    symbols.every((s) => s.length === SYMBOLS && [...s].every((ch) => ALPHABET.includes(ch))),
    'each code: 16 symbols of the alphabet'
  )

  // Pearson's chi-squared against the uniform distribution, over all symbols and per position.
  // 30 degrees of freedom: the statistic exceeds 80 with probability below 1e-6 when the draw is uniform.
  const chiSquared = (text: string) => {
    const expected = text.length / ALPHABET.length
    return [...ALPHABET].reduce((sum, ch) => sum + (text.split(ch).length - 1 - expected) ** 2 / expected, 0)
  }
  t.ok(chiSquared(symbols.join('')) < 80, 'all symbols equally likely')
  for (const position of [0, 7, 15]) {
    t.ok(chiSquared(symbols.map((s) => s[position]).join('')) < 80, `position ${position}: all symbols equally likely`)
  }
  // independence of neighbours: each pair of adjacent symbols equally likely (961 pairs, 960 degrees of freedom)
  const pairs = new Map<string, number>()
  for (const s of symbols) {
    for (let i = 0; i + 1 < SYMBOLS; i += 2) pairs.set(s.slice(i, i + 2), (pairs.get(s.slice(i, i + 2)) ?? 0) + 1)
  }
  const n = (symbols.length * SYMBOLS) / 2
  const expected = n / ALPHABET.length ** 2
  const pairStatistic = [...ALPHABET]
    .flatMap((a) => [...ALPHABET].map((b) => a + b))
    .reduce((sum, pair) => sum + ((pairs.get(pair) ?? 0) - expected) ** 2 / expected, 0)
  // mean 960, standard deviation about 44: 1200 is more than 5 standard deviations out
  t.ok(pairStatistic < 1200, `adjacent symbols independent (chi-squared ${pairStatistic.toFixed(0)} for 960 df)`)
})
