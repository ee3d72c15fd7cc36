import t from 'tap'
import { randomBytes } from 'node:crypto'
import { open, seal } from '../../src/auth/secret-box.js'
import { codeAt, matchingStep, newTotpSecret, otpauthUri, PERIOD_MS } from '../../src/auth/totp.js'
import { createSecondFactor } from '../../src/auth/second-factor.js'
import type { UserRow } from '../../src/users/users-repository.js'
import { enrolled, failure } from './use-cases/accounts.js'

const key = randomBytes(32)

t.test('sealed secrets open only with their key and their owner, untouched', async (t) => {
  const sealed = seal(key, 'JBSWY3DPEHPK3PXP', 'totp:alice')
  t.match(sealed, /^v1:[A-Za-z0-9+/]+=*$/)
  t.not(seal(key, 'JBSWY3DPEHPK3PXP', 'totp:alice'), sealed, 'a fresh IV each time')
  t.equal(open(key, sealed, 'totp:alice'), 'JBSWY3DPEHPK3PXP')
  t.throws(() => open(key, sealed, 'totp:bob'), 'another owner')
  t.throws(() => open(randomBytes(32), sealed, 'totp:alice'), 'another key')
  const raw = Buffer.from(sealed.slice(3), 'base64')
  for (const at of [0, 12, 28, raw.length - 1]) {
    const flipped = Buffer.from(raw)
    flipped[at]! ^= 1
    t.throws(() => open(key, 'v1:' + flipped.toString('base64'), 'totp:alice'), `a bit flipped at byte ${at}`)
  }
  // Node verifies GCM tags of 4, 8 or 12 to 16 bytes: a box whose tag was shortened must not open
  for (const tagBytes of [4, 8, 12]) {
    const shortened = Buffer.concat([raw.subarray(0, 12 + tagBytes), raw.subarray(28)])
    t.throws(() => open(key, 'v1:' + shortened.toString('base64'), 'totp:alice'), `a tag of ${tagBytes} bytes`)
  }
  t.throws(() => open(key, 'v2:' + sealed.slice(3), 'totp:alice'), { message: 'unknown sealed format' })
  t.throws(() => open(key, 'v1:' + raw.subarray(0, 27).toString('base64'), 'totp:alice'),
    { message: 'sealed value too short' })
  t.equal(open(key, seal(key, '', 'x'), 'x'), '', 'an empty secret: IV and tag only, 28 bytes')
})

t.test('TOTP: 160-bit secrets, the authenticator\'s parameters, codes of one step of the secret', async (t) => {
  const secrets = Array.from({ length: 20 }, newTotpSecret)
  t.ok(secrets.every((s) => /^[A-Z2-7]{32}$/.test(s)), '32 base32 characters: 160 bits')
  t.equal(new Set(secrets).size, 20)
  const uri = new URL(otpauthUri(secrets[0]!, 'Example', 'amy'))
  t.equal(uri.protocol, 'otpauth:')
  t.same(Object.fromEntries(uri.searchParams), {
    issuer: 'Example', secret: secrets[0], algorithm: 'SHA1', digits: '6', period: '30'
  })
  const now = Date.UTC(2026, 0, 1, 12, 0, 10)
  const step = Math.floor(now / PERIOD_MS)
  t.equal(matchingStep(secrets[0]!, codeAt(secrets[0]!, now), now), step)
  t.equal(matchingStep(secrets[0]!, codeAt(secrets[0]!, now - PERIOD_MS), now), step - 1)
  t.equal(matchingStep(secrets[0]!, codeAt(secrets[0]!, now + PERIOD_MS), now), step + 1)
  t.equal(matchingStep(secrets[0]!, codeAt(secrets[1]!, now), now), null, 'another secret\'s code')
  t.equal(codeAt(secrets[0]!, now).length, 6)
})

t.test('a secret is sealed for its owner: copied onto another account it opens for nobody', async (t) => {
  const factor = createSecondFactor({ totpKey: key, now: () => 0 })
  const sealed = factor.sealFor({ username_normalized: 'alice' })
  const row = (name: string) => ({
    username_normalized: name,
    totp_secret_enc: sealed,
    totp_pending_secret_enc: null,
    totp_confirmed_at: null
  }) as unknown as UserRow
  t.match(factor.enrollingSecretOf(row('alice')), /^[A-Z2-7]{32}$/)
  t.throws(() => factor.enrollingSecretOf(row('bob')))

  const a = await enrolled(t)
  const { user: b } = await a.auth.createAccount(`other${process.pid}`, 'a long passphrase of mine', 'editor',
    { ip: '192.0.2.9', userAgent: 'test', requestId: 'x' })
  await a.db.execute('UPDATE users SET totp_secret_enc = ?, totp_confirmed_at = ? WHERE id = ?',
    [(await a.db.query<{ s: string }>('SELECT totp_secret_enc AS s FROM users WHERE id = ?', [a.id]))[0]!.s,
      a.clock.now(), b.id])
  const login = a.auth.login({ username: b.username, password: 'a long passphrase of mine', code: a.code() },
    { ip: '192.0.2.9', userAgent: 'test', requestId: 'x' })
  t.not(await failure(login), 'resolved', 'the copied secret does not log in with its owner\'s codes')
})
