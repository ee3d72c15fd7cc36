import t from 'tap'
import { codeAt, PERIOD_MS } from '../../../src/auth/totp.js'
import { meta } from '../../services.js'
import { failure, withAccount } from './accounts.js'

t.test('enrollment: the token names its account, a code from the secret confirms it once', async (t) => {
  const s = await withAccount(t, { ENROLLMENT_TOKEN_TTL: 600, TOTP_ISSUER: 'Example Co' })
  const token = s.enrollment.enrollment_token
  const user = await s.auth.enrollingUser(token, s.name.toUpperCase())
  t.equal(user.id, s.id)
  t.equal(await failure(s.auth.enrollingUser(token, 'someoneelse')), 'enrollment_token_invalid')
  t.equal(await failure(s.auth.enrollingUser('not-a-token')), 'enrollment_token_invalid')
  const { secret, otpauth_uri: uri } = s.auth.enrollmentSecret(user)
  t.equal(secret, s.enrollment.secret)
  t.match(uri, `secret=${secret}`)
  t.match(uri, /^otpauth:\/\/totp\/Example%20Co:authuser\d+\?issuer=Example%20Co/)
  t.equal(await failure(s.auth.confirmEnrollment(user, codeAt(secret, s.clock.now() + 2 * PERIOD_MS), meta)),
    'invalid_code')
  const codes = await s.auth.confirmEnrollment(user, codeAt(secret, s.clock.now()), meta)
  t.equal(codes!.length, 10)
  t.equal(new Set(codes).size, 10)
  t.equal(await failure(s.auth.enrollingUser(token)), 'enrollment_already_confirmed', 'the token outlives it: 409')
  t.same((await s.events('two_factor_confirmed')).map((e) => e.details), ['first secret'])
  s.clock.advance(600_000)
  t.equal(await failure(s.auth.enrollingUser(token)), 'enrollment_token_invalid', 'expired')

  const other = await withAccount(t, { ENROLLMENT_TOKEN_TTL: 600 })
  other.clock.advance(600_000 - 1)
  t.ok(await other.auth.enrollingUser(other.enrollment.enrollment_token), 'alive until ENROLLMENT_TOKEN_TTL')
})
