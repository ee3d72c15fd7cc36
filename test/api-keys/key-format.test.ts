import t from 'tap'
import { crc32 } from 'node:zlib'
import {
  API_KEY_LENGTH,
  displayPrefix,
  isWellFormedApiKey,
  looksLikeApiKey,
  newApiKey
} from '../../src/api-keys/key-format.js'

t.test('K1: a new key: sapi_ + 43 base62 + 6 base62 checksum, random, well-formed', async (t) => {
  const keys = Array.from({ length: 200 }, newApiKey)
  t.equal(new Set(keys).size, keys.length, 'no repeats')
  for (const key of keys) {
    t.match(key, /^sapi_[0-9A-Za-z]{49}$/)
    t.equal(key.length, API_KEY_LENGTH)
    t.ok(isWellFormedApiKey(key))
  }
  t.equal(displayPrefix(keys[0]!), keys[0]!.slice(0, 9))
  t.equal(crc32('123456789'), 0xcbf43926, 'node:zlib crc32 is the standard CRC-32 (check value)')
})

t.test('K1: the offline check refuses anything else', async (t) => {
  const key = newApiKey()
  const swap = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1)
  const bad = [
    swap(key, 10), // one random character changed: the checksum no longer matches
    swap(key, key.length - 1), // the checksum changed
    key.slice(0, -1), // too short
    `${key}0`, // too long
    key.replace('sapi_', 'sapk_'),
    key.replace('sapi_', 'SAPI_'),
    `${key.slice(0, 20)}-${key.slice(21)}`,
    '',
    'sapi_',
    'eyJhbGciOiJSUzI1NiJ9.e30.sig'
  ]
  for (const value of bad) t.notOk(isWellFormedApiKey(value), JSON.stringify(value))
  // a different random part with its own correct checksum is well-formed: the check is a checksum, not a secret
  t.ok(isWellFormedApiKey(newApiKey()))
})

/** The checksum written out independently: CRC-32 of the random part, 6 base62 digits, zero-padded. */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const checksum = (random: string) => {
  let n = crc32(random)
  let out = ''
  for (let i = 0; i < 6; i++, n = Math.floor(n / 62)) out = DIGITS[n % 62] + out
  return out
}

t.test('K1: the checksum, on fixed random parts (with leading zeros to pad)', async (t) => {
  const parts = ['0'.repeat(43), 'z'.repeat(43), DIGITS.slice(0, 43), DIGITS.slice(19), '1'.repeat(42) + 'Z']
  const checksums = parts.map(checksum)
  t.ok(checksums.some((c) => c.startsWith('0')), 'one checksum is padded')
  for (const random of parts) {
    const key = `sapi_${random}${checksum(random)}`
    t.ok(isWellFormedApiKey(key), key)
    t.notOk(isWellFormedApiKey(`sapi_${random}${checksum(random).replace(/^./, (c) => (c === '0' ? '1' : '0'))}`))
  }
  const keys = Array.from({ length: 50 }, newApiKey)
  for (const key of keys) t.equal(key.slice(48), checksum(key.slice(5, 48)), 'a new key carries that checksum')
})

t.test('K1: what claims to be a key: the prefix, at the start', async (t) => {
  t.ok(looksLikeApiKey(newApiKey()))
  t.ok(looksLikeApiKey('sapi_'), 'a claim, well-formed or not')
  t.notOk(looksLikeApiKey('x_sapi_'))
  t.notOk(looksLikeApiKey('SAPI_abc'))
  t.notOk(looksLikeApiKey('eyJhbGciOiJSUzI1NiJ9.e30.sig'))
})
