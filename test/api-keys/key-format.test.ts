import t from 'tap'
import { crc32 } from 'node:zlib'
import { API_KEY_LENGTH, displayPrefix, isWellFormedApiKey, newApiKey } from '../../src/api-keys/key-format.js'
import { runScript } from '../helper.js'

const cli = (...args: string[]) => runScript('dist/src/cli.js', { LOG_LEVEL: 'silent' }, undefined, args)

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

t.test('K1: npm run cli -- check-key: offline, no DATABASE_URL needed', async (t) => {
  const good = await cli('check-key', newApiKey())
  t.equal(good.stdout, 'well-formed\n')
  t.equal(good.code, 0)
  const key = newApiKey()
  for (const value of [`${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`, 'ghp_abc', 'hello']) {
    const bad = await cli('check-key', value)
    t.equal(bad.stdout, 'not a key of this service\n', value)
    t.equal(bad.code, 1)
  }
  t.match((await cli('--help')).stdout, /check-key <key>/)
})
