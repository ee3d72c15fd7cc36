import t from 'tap'
import { codeAt, PERIOD_MS } from '../../../src/auth/totp.js'
import { meta } from '../../services.js'
import { confirmedAt, enrolled, failure, lockedAcross, PASSWORD, pendingCaller, withAccount } from './accounts.js'

t.test('a password change needs the current password and a code, and ends the other sessions', async (t) => {
  const s = await enrolled(t, { SESSION_CHECK_CACHE_MS: 1000 })
  const mine = await s.services.sessions.start(s.id, ['editor'], meta, ['pwd', 'otp'])
  const other = await s.services.sessions.start(s.id, ['editor'], meta, ['pwd', 'otp'])
  const caller = { id: s.id, sid: mine.sid, roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] }
  const mfa = await s.mfaToken()
  const change = (body: { current_password: string, new_password: string, code?: string }) =>
    s.auth.changePassword(caller, body, meta)
  const next = 'another long passphrase'
  t.equal(await failure(change({ current_password: 'a wrong passphrase', new_password: next, code: s.code() })),
    'invalid_credentials')
  t.equal(await failure(change({ current_password: PASSWORD, new_password: next })), 'second_factor_required')
  t.equal(await failure(change({ current_password: PASSWORD, new_password: 'password1', code: s.code() })),
    'weak_password')
  t.equal(await failure(s.login({ code: s.code() }, next)), 'invalid_credentials', 'refused changes change nothing')
  await change({ current_password: PASSWORD, new_password: next, code: s.code() })
  t.ok(await s.services.sessions.check(mine.sid), 'the caller\'s session lives on')
  t.equal(await s.services.sessions.check(other.sid), null, 'the others end')
  s.clock.advance(PERIOD_MS)
  t.equal(await failure(s.auth.loginWithMfaToken({ mfa_token: mfa, code: s.code() }, meta)), 'mfa_token_invalid')
  t.equal(await failure(s.login({ code: s.code() })), 'invalid_credentials', 'the old password is refused')
  t.match(await s.login({ code: s.code() }, next), { token_type: 'Bearer' })
  t.match(await s.events('password_changed'), [{ target_user_id: s.id }])
})

t.test('a password change is a full authentication: it clears the failures before it', async (t) => {
  const s = await enrolled(t, { LOGIN_MAX_FAILURES: 2 })
  const caller = { id: s.id, sid: 'x', roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] }
  const change = () => s.auth.changePassword(caller,
    { current_password: PASSWORD, new_password: 'another long passphrase', code: s.code() }, meta)
  t.equal(await lockedAcross(s, change), false)
  const weak = await s.auth.changePassword(caller, {
    current_password: 'another long passphrase',
    new_password: 'password1',
    code: s.code()
  }, meta).catch((err: unknown) => err)
  const message = 'is, or is built on, one of the most common passwords; choose a longer phrase of your own'
  t.match(weak, { detail: `The password ${message}`, errors: [{ pointer: '/body/new_password', message }] },
    'the problem says what to do and points at the field')
})

t.test('(cannot happen with a session) an account whose 2FA is pending: its code confirms nothing, changes nothing',
  async (t) => {
    const s = await withAccount(t)
    const code = codeAt(s.enrollment.secret, s.clock.now())
    const next = 'another long passphrase'
    t.equal(await failure(s.auth.changePassword(await pendingCaller(s),
      { current_password: PASSWORD, new_password: next, code }, meta)), 'invalid_code')
    t.equal(await confirmedAt(s), null, 'still pending')
    t.equal(await failure(s.auth.login({ username: s.name, password: next }, meta)), 'invalid_credentials',
      'the password is unchanged')
  })
