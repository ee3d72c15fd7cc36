import { randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'

/**
 * API keys look like GitHub's tokens: a prefix that names the service, the random part in
 * base62 (no separators, so a double click selects it all) and a CRC32 of the random part,
 * so a leaked key is recognizable by its prefix and checkable without the database.
 * `sapi_` + 43 characters (32 random bytes) + 6 characters of checksum = 54 characters.
 */
export const API_KEY_PREFIX = 'sapi_'
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const RANDOM_BYTES = 32
/** 62^43 > 2^256: every 32-byte value fits in 43 base62 digits. */
const RANDOM_CHARS = 43
/** 62^6 > 2^32: every CRC32 fits in 6 base62 digits. */
const CHECKSUM_CHARS = 6
export const API_KEY_LENGTH = API_KEY_PREFIX.length + RANDOM_CHARS + CHECKSUM_CHARS
/** How much of a key is stored and shown to identify it (`sapi_AbCd`): 4 random characters, nothing to guess from. */
export const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 4
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_CHARS + CHECKSUM_CHARS}}$`)

/** `value` in `width` base62 digits: a bigint for the random part, a number (cheaper) for the checksum. */
function base62 (value: bigint | number, width: number): string {
  let out = ''
  if (typeof value === 'number') {
    for (let v = value; v > 0; v = Math.floor(v / 62)) out = ALPHABET[v % 62] + out
  } else {
    for (let v = value; v > 0n; v /= 62n) out = ALPHABET[Number(v % 62n)] + out
  }
  return out.padStart(width, '0')
}

const checksumOf = (random: string) => base62(crc32(random), CHECKSUM_CHARS)

/** A new key: shown once to its creator, stored only as its SHA-256. */
export function newApiKey (): string {
  const random = base62(BigInt(`0x${randomBytes(RANDOM_BYTES).toString('hex')}`), RANDOM_CHARS)
  return `${API_KEY_PREFIX}${random}${checksumOf(random)}`
}

/** Whether the value claims to be an API key (its prefix), so it is not taken for a JWT. */
export const looksLikeApiKey = (value: string) => value.startsWith(API_KEY_PREFIX)

/** The offline check: prefix, length, alphabet and checksum. No database, no secret needed. */
export function isWellFormedApiKey (value: string): boolean {
  if (!SHAPE.test(value)) return false
  const random = value.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + RANDOM_CHARS)
  return checksumOf(random) === value.slice(API_KEY_PREFIX.length + RANDOM_CHARS)
}

/** What is stored and shown to tell keys apart. */
export const displayPrefix = (key: string) => key.slice(0, DISPLAY_PREFIX_LENGTH)
