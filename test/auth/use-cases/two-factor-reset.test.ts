import t from 'tap'
import { codeAt, PERIOD_MS } from '../../../src/auth/totp.js'
import { meta } from '../../services.js'
import {
  confirmedAt, enrolled, failure, lockedAcross, notThe, PASSWORD, pendingCaller, withAccount
} from './accounts.js'

t.test('2FA reset: the staged secret is confirmed only by its own fresh code; the old one works until then',
  async (t) => {
    const s = await enrolled(t, { SESSION_CHECK_CACHE_MS: 1000 })
    const { sid } = await s.services.sessions.start(s.id, ['editor'], meta, ['pwd', 'otp'])
    const caller = { id: s.id, sid, roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] }
    const mfa = await s.mfaToken()
    const reset = (body: { password: string, code?: string }) => s.auth.resetTwoFactor(caller, body, meta)
    t.equal(await failure(reset({ password: PASSWORD + 'x', code: s.code() })), 'invalid_credentials')
    t.equal(await failure(reset({ password: PASSWORD })), 'second_factor_required')
    t.equal(await failure(reset({ password: PASSWORD, code: notThe(s.code()) })),
      'invalid_code')
    t.ok(await s.services.sessions.check(sid), 'refused resets change nothing')
    const staged = await reset({ password: PASSWORD, code: s.code() })
    t.not(staged.secret, s.secret, 'a new secret')
    t.equal(await s.services.sessions.check(sid), null, 'every session ended')
    t.equal(await failure(s.auth.loginWithMfaToken({ mfa_token: mfa, code: s.code(1) }, meta)), 'mfa_token_invalid',
      'an mfa_token handed out before is void')

    s.clock.advance(PERIOD_MS)
    t.match(await s.login({ code: s.code() }), { token_type: 'Bearer' }, 'the old secret works until the confirmation')
    s.clock.advance(PERIOD_MS)
    const user = await s.auth.enrollingUser(staged.enrollment_token)
    t.equal(s.auth.enrollmentSecret(user).secret, staged.secret)
    const newCode = (steps = 0) => codeAt(staged.secret, s.clock.now() + steps * PERIOD_MS)
    t.equal(await failure(s.auth.confirmEnrollment(user, s.code(), meta)), 'invalid_code', 'a code of the old secret')
    t.equal(await failure(s.auth.confirmEnrollment(user, newCode(2), meta)), 'invalid_code', 'a code two steps away')
    t.equal(await failure(s.auth.confirmEnrollment(user, newCode(-2), meta)), 'invalid_code')
    const codes = await s.auth.confirmEnrollment(user, newCode(), meta)
    t.equal(codes!.length, 10)
    t.equal(await failure(s.login({ code: newCode() })), 'invalid_code', 'the confirming code is spent')
    t.equal(await failure(s.login({ recovery_code: s.recovery[5]! })), 'invalid_code', 'old recovery codes are void')
    s.clock.advance(PERIOD_MS)
    t.equal(await failure(s.login({ code: s.code() })), 'invalid_code', 'the old secret is void')
    t.match(await s.login({ code: newCode() }), { token_type: 'Bearer' }, 'the new one logs in')
    t.match(await s.login({ recovery_code: codes![0]! }), { token_type: 'Bearer' }, 'and its recovery codes')
    t.same((await s.events('two_factor_confirmed')).map((e) => e.details), ['first secret', 'replacement secret'])
  })

t.test('a 2FA reset is a full authentication: it clears the failures before it; it says how long to confirm',
  async (t) => {
    const s = await enrolled(t, { LOGIN_MAX_FAILURES: 2, ENROLLMENT_TOKEN_TTL: 600 })
    const caller = { id: s.id, sid: 'x', roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] }
    let staged: unknown
    t.equal(await lockedAcross(s, async () => {
      staged = await s.auth.resetTwoFactor(caller, { password: PASSWORD, code: s.code() }, meta)
    }), false)
    t.match(staged, { expires_in: 600, enrollment_token: /^[A-Za-z0-9_-]{40,}$/, otpauth_uri: /^otpauth:\/\/totp\// })
  })

t.test('(cannot happen with a session) an account whose 2FA is pending: its code confirms nothing, stages nothing',
  async (t) => {
    const s = await withAccount(t)
    const code = codeAt(s.enrollment.secret, s.clock.now())
    t.equal(await failure(s.auth.resetTwoFactor(await pendingCaller(s), { password: PASSWORD, code }, meta)),
      'invalid_code')
    t.equal(await confirmedAt(s), null, 'still pending')
    const user = await s.auth.enrollingUser(s.enrollment.enrollment_token)
    t.equal(s.auth.enrollmentSecret(user).secret, s.enrollment.secret, 'the secret being enrolled is the first one')
  })
