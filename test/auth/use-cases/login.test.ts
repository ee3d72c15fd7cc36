import t from 'tap'
import { codeAt, PERIOD_MS } from '../../../src/auth/totp.js'
import { MFA_TOKEN_MAX_ATTEMPTS } from '../../../src/auth/auth-service.js'
import { sha256 } from '../../../src/auth/opaque.js'
import { createAuthTokenRepository } from '../../../src/auth/auth-tokens-repository.js'
import { meta } from '../../services.js'
import { confirmedAt, enrolled, failure, lockedAcross, notThe, PASSWORD, withAccount } from './accounts.js'

t.test('the password step: an enrollment token while 2FA is pending, then an mfa_token; wrong and unknown alike',
  async (t) => {
    const s = await withAccount(t, { ENROLLMENT_TOKEN_TTL: 600, MFA_TOKEN_TTL: 60 })
    const first = await s.auth.login({ username: s.name.toUpperCase(), password: PASSWORD }, meta)
    t.match(first, { enrollment_required: true, expires_in: 600 }, 'the name is looked up by its canonical form')
    if (!('enrollment_token' in first) || typeof first.enrollment_token !== 'string') throw new Error('no token')
    t.equal((await s.auth.enrollingUser(first.enrollment_token)).id, s.id, 'the token enrolls that account')
    t.equal(await failure(s.auth.login({ username: s.name, password: PASSWORD + 'x' }, meta)), 'invalid_credentials')
    t.equal(await failure(s.auth.login({ username: 'nosuchuser', password: PASSWORD }, meta)), 'invalid_credentials')
    const spaced = await s.auth.login({ username: 'no such user', password: PASSWORD }, meta).catch((e: unknown) => e)
    t.match(spaced, { code: 'validation_failed', errors: [{ pointer: '/body/username', message: /not a username/ }] },
      'the problem points at the field')
    const user = await s.auth.enrollingUser(first.enrollment_token)
    await s.auth.confirmEnrollment(user, codeAt(s.enrollment.secret, s.clock.now()), meta)
    const second = await s.auth.login({ username: s.name, password: PASSWORD }, meta)
    t.match(second, { mfa_required: true, expires_in: 60, mfa_token: /^[A-Za-z0-9_-]{40,}$/ })
    t.notOk('access_token' in second, 'no tokens without the second factor')

    const failed = await s.events('login_failed')
    t.same(failed[0], { details: `wrong password (${s.name})`, target_user_id: s.id })
    t.match(failed[1], { details: /^unknown username \(hmac:[0-9a-f]{16}\)$/, target_user_id: null })
    t.notOk(failed[1]!.details!.includes('nosuchuser'), 'a name no account has is kept only as a keyed digest')
  })

t.test('a disabled account is told so only with its password, and its mfa_token stops working', async (t) => {
  const s = await enrolled(t)
  const mfa = await s.mfaToken()
  await s.db.execute('UPDATE users SET disabled_at = ? WHERE id = ?', [s.clock.now(), s.id])
  t.equal(await failure(s.login({ code: s.code() })), 'account_disabled')
  t.equal(await failure(s.login({ code: s.code() }, 'a wrong passphrase')), 'invalid_credentials')
  t.equal(await failure(s.auth.loginWithMfaToken({ mfa_token: mfa, code: s.code() }, meta)), 'account_disabled')
})

t.test('a TOTP code logs in once, within one step of the clock; later steps only; a recovery code once', async (t) => {
  const s = await enrolled(t)
  const tokens = await s.login({ code: s.code() })
  t.match(tokens, { token_type: 'Bearer', access_token: /\./, refresh_token: /./ })
  t.notOk('recovery_codes' in tokens, 'recovery codes come only with the confirmation')
  t.equal(await failure(s.login({ code: s.code() })), 'invalid_code', 'the same code again: a replay')
  s.clock.advance(5 * PERIOD_MS)
  t.equal(await failure(s.login({ code: s.code(-2) })), 'invalid_code', 'two steps behind')
  t.equal(await failure(s.login({ code: s.code(2) })), 'invalid_code', 'two steps ahead')
  t.match(await s.login({ code: s.code(-1) }), { token_type: 'Bearer' }, 'one step behind')
  t.match(await s.login({ code: s.code(1) }), { token_type: 'Bearer' }, 'one step ahead')
  t.equal(await failure(s.login({ code: s.code() })), 'invalid_code', 'the current step is older than the last used')
  s.clock.advance(3 * PERIOD_MS)
  t.match(await s.login({ code: s.code(-1) }), { token_type: 'Bearer' }, 'one step behind, after the last used')
  t.equal(await failure(s.login({ code: notThe(s.code()) })), 'invalid_code')

  const typed = s.recovery[1]!.toUpperCase().replace(/-/g, ' ')
  t.match(await s.login({ recovery_code: typed }), { token_type: 'Bearer' }, 'case, spaces and dashes do not matter')
  t.equal(await failure(s.login({ recovery_code: s.recovery[1]! })), 'invalid_code', 'spent')
  t.equal(await failure(s.login({ recovery_code: 'aaaa-bbbb-cccc-dddd' })), 'invalid_code')
  t.equal(await failure(s.login({ code: s.code(), recovery_code: s.recovery[2]! })), 'second_factor_conflict')
  t.match(await s.login({ recovery_code: s.recovery[2]! }), { token_type: 'Bearer' }, 'the conflict spent nothing')

  const details = (await s.events('login_succeeded')).map((e) => e.details)
  t.same(details, ['totp', 'totp', 'totp', 'totp', 'recovery code', 'recovery code'])
  t.equal((await s.events('recovery_code_used')).length, 2)
  t.equal((await s.events('second_factor_failed'))[0]!.details, `wrong code (${s.name})`)
})

t.test('the second step: one login per mfa_token, a bounded number of tries, its lifetime, its purpose', async (t) => {
  const s = await enrolled(t, { MFA_TOKEN_TTL: 60 })
  const wrong = () => notThe(s.code())
  const step = (mfaToken: string, proof: { code?: string, recovery_code?: string }) =>
    s.auth.loginWithMfaToken({ mfa_token: mfaToken, ...proof }, meta)

  const mfa = await s.mfaToken()
  t.equal(await failure(step(mfa, {})), 'second_factor_required')
  for (let i = 2; i < MFA_TOKEN_MAX_ATTEMPTS; i++) t.equal(await failure(step(mfa, { code: wrong() })), 'invalid_code')
  t.match(await step(mfa, { code: s.code() }), { token_type: 'Bearer' }, `try ${MFA_TOKEN_MAX_ATTEMPTS} still counts`)
  s.clock.advance(PERIOD_MS)
  t.equal(await failure(step(mfa, { code: s.code() })), 'mfa_token_invalid', 'spent by the login')

  const tried = await s.mfaToken()
  for (let i = 0; i < MFA_TOKEN_MAX_ATTEMPTS; i++) await failure(step(tried, { code: wrong() }))
  t.equal(await failure(step(tried, { code: s.code() })), 'mfa_token_invalid', 'out of tries, even with the code')

  const late = await s.mfaToken()
  const inTime = await s.mfaToken()
  s.clock.advance(60_000 - 1)
  t.match(await step(inTime, { code: s.code() }), { token_type: 'Bearer' }, 'alive until MFA_TOKEN_TTL')
  s.clock.advance(1 + PERIOD_MS)
  t.equal(await failure(step(late, { code: s.code() })), 'mfa_token_invalid', 'expired')
  t.equal(await failure(step(s.enrollment.enrollment_token, { code: s.code() })), 'mfa_token_invalid',
    'an enrollment token is no mfa_token')
  t.equal(await failure(step('not-a-token', { code: s.code() })), 'mfa_token_invalid')
  t.match(await step(await s.mfaToken(), { recovery_code: s.recovery[0]! }), { token_type: 'Bearer' },
    'a recovery code completes the second step too')
})

t.test('failed steps count toward the throttle; a password step gives its slot back, a login clears', async (t) => {
  const s = await enrolled(t, { LOGIN_MAX_FAILURES: 2, LOGIN_LOCK_SECONDS: 60 })
  const wrong = () => s.login({}, 'a wrong passphrase')
  t.equal(await failure(wrong()), 'invalid_credentials')
  await s.mfaToken()
  await s.mfaToken()
  t.equal(await failure(s.login({ code: notThe(s.code()) })), 'invalid_code')
  t.equal((await s.events('account_locked')).length, 1, 'a wrong password then a wrong code lock at 2')
  t.same((await s.events('account_locked'))[0], { details: s.name, target_user_id: s.id })
  t.equal(await failure(s.login({ code: s.code() })), 'login_throttled', 'even the right code waits')

  s.clock.advance(60_000)
  t.equal(await failure(wrong()), 'invalid_credentials')
  t.match(await s.login({ code: s.code() }), { token_type: 'Bearer' }, 'a full login')
  s.clock.advance(PERIOD_MS)
  t.equal(await failure(wrong()), 'invalid_credentials')
  t.equal((await s.events('account_locked')).length, 1, 'the failure before the login was forgotten')
  for (let i = 0; i < 3; i++) {
    t.equal(await failure(s.login({ code: s.code(), recovery_code: s.recovery[0]! })), 'second_factor_conflict')
  }
  t.equal((await s.events('account_locked')).length, 1, 'other refusals give their slot back')
  t.equal(await failure(wrong()), 'invalid_credentials')
  t.equal((await s.events('account_locked')).length, 2, 'the second failure locks')
  t.equal(await failure(s.auth.login({ username: 'nosuchuser', password: PASSWORD }, meta)), 'invalid_credentials')
  t.equal(await failure(s.auth.login({ username: 'nosuchuser', password: PASSWORD }, meta)), 'invalid_credentials')
  const locked = await s.events('account_locked')
  t.match(locked[2], { details: /^hmac:[0-9a-f]{16}$/, target_user_id: null }, 'an unknown name locks as its digest')
})

t.test('a first login with a code confirms a pending enrollment and hands out the recovery codes once', async (t) => {
  const s = await withAccount(t)
  const body = { username: s.name, password: PASSWORD, code: codeAt(s.enrollment.secret, s.clock.now()) }
  const first = await s.auth.login(body, meta)
  t.match(first, { token_type: 'Bearer', access_token: /\./ })
  t.equal('recovery_codes' in first ? first.recovery_codes?.length : 0, 10, 'the first recovery codes')
  t.equal((await s.events('two_factor_confirmed')).length, 1, 'the confirmation is audited')
  t.equal(await failure(s.auth.enrollingUser(s.enrollment.enrollment_token)), 'enrollment_already_confirmed')
  s.clock.advance(PERIOD_MS)
  const next = await s.auth.login({ ...body, code: codeAt(s.enrollment.secret, s.clock.now()) }, meta)
  t.notOk('recovery_codes' in next, 'not on later logins')
  t.equal(await failure(s.auth.login({ username: s.name, password: PASSWORD, recovery_code: 'aaaa-bbbb-cccc-dddd' },
    meta)), 'invalid_code')
})

t.test('one mfa_token, two second steps at once (a code and a recovery code): one session', async (t) => {
  const s = await enrolled(t)
  const mfa = await s.mfaToken()
  const results = await Promise.all([
    failure(s.auth.loginWithMfaToken({ mfa_token: mfa, code: s.code() }, meta)),
    failure(s.auth.loginWithMfaToken({ mfa_token: mfa, recovery_code: s.recovery[3]! }, meta))
  ])
  t.same(results.sort(), ['mfa_token_invalid', 'resolved'])
  t.equal((await s.events('login_succeeded')).length, 1)
})

t.test('the second step completes the login: it clears the failures before it', async (t) => {
  const s = await enrolled(t, { LOGIN_MAX_FAILURES: 2 })
  t.equal(await lockedAcross(s, async () => s.auth.loginWithMfaToken({ mfa_token: await s.mfaToken(), code: s.code() },
    meta)), false)
})

t.test('the last try of an mfa_token goes to one of two guesses at once; the other is refused untried', async (t) => {
  const s = await enrolled(t)
  const mfa = await s.mfaToken()
  const step = (code: string) => failure(s.auth.loginWithMfaToken({ mfa_token: mfa, code }, meta))
  for (let i = 1; i < MFA_TOKEN_MAX_ATTEMPTS; i++) t.equal(await step(notThe(s.code())), 'invalid_code')
  // both find the token live with one try left; only the first takes it
  t.same(await Promise.all([step(notThe(s.code())), step(s.code())]), ['invalid_code', 'mfa_token_invalid'])
  t.equal((await s.events('login_succeeded')).length, 0, 'the right code came one try too late')
})

t.test('(cannot happen: only confirmed accounts get one) an mfa_token of a pending account confirms nothing',
  async (t) => {
    const s = await withAccount(t)
    const mfa = 'an mfa token handed to an account whose 2FA is pending'
    await createAuthTokenRepository(s.db).create('mfa', sha256(mfa), s.id, s.clock.now() + 60_000, s.clock.now())
    const code = codeAt(s.enrollment.secret, s.clock.now())
    t.equal(await failure(s.auth.loginWithMfaToken({ mfa_token: mfa, code }, meta)), 'invalid_code')
    t.equal(await confirmedAt(s), null, 'still pending')
    t.equal((await s.events('login_succeeded')).length, 0)
  })

t.test('a login is audited with who and which session: the account acts on itself, in the new session', async (t) => {
  const s = await withAccount(t)
  const sidOf = (res: object) =>
    'access_token' in res && typeof res.access_token === 'string'
      ? JSON.parse(Buffer.from(res.access_token.split('.')[1]!, 'base64url').toString('utf8')).sid
      : undefined
  const confirming = await s.auth.login(
    { username: s.name, password: PASSWORD, code: codeAt(s.enrollment.secret, s.clock.now()) }, meta)
  const recovery = 'recovery_codes' in confirming ? confirming.recovery_codes! : []
  const withRecovery = await s.auth.login({ username: s.name, password: PASSWORD, recovery_code: recovery[0]! }, meta)
  const who = (res: object) => ({ actor_user_id: s.id, target_user_id: s.id, session_id: sidOf(res) })
  t.same(await s.db.query('SELECT event, actor_user_id, target_user_id, session_id, details FROM audit_events ' +
    "WHERE event IN ('two_factor_confirmed', 'recovery_code_used', 'login_succeeded') ORDER BY id"), [
    { event: 'two_factor_confirmed', ...who(confirming), details: null },
    { event: 'login_succeeded', ...who(confirming), details: 'totp' },
    { event: 'recovery_code_used', ...who(withRecovery), details: null },
    { event: 'login_succeeded', ...who(withRecovery), details: 'recovery code' }
  ])
  t.ok(sidOf(confirming) && sidOf(withRecovery) && sidOf(confirming) !== sidOf(withRecovery), 'two sessions')
})

t.test('an mfa_token with a webauthn body is a passkey to verify: a bogus one logs in no one, with or without a code',
  async (t) => {
    const s = await enrolled(t)
    // (a body without id and response is refused by the schema first: test/passkeys)
    const bogus = [
      { id: 'x', rawId: 'x', type: 'public-key', response: {} },
      {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        clientExtensionResults: {},
        response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' }
      }
    ]
    for (const webauthn of bogus) {
      const mfa = await s.mfaToken()
      t.equal(await failure(s.auth.loginWithMfaToken({ mfa_token: mfa, webauthn }, meta)), 'passkey_refused',
        JSON.stringify(webauthn))
      t.equal(await failure(s.auth.loginWithMfaToken({ mfa_token: mfa, webauthn, code: s.code() }, meta)),
        'second_factor_conflict', 'with a code beside it: refused before anything is checked')
      const recovery = { mfa_token: mfa, webauthn, recovery_code: s.recovery[0]! }
      t.equal(await failure(s.auth.loginWithMfaToken(recovery, meta)), 'second_factor_conflict',
        'with a recovery code beside it')
    }
    t.equal((await s.events('login_succeeded')).length, 0, 'no login succeeded')
    t.equal((await s.db.query('SELECT id FROM sessions')).length, 0, 'no session was started')
  })

t.test('a login with a code or a recovery code says so in its tokens: amr pwd and otp, acr aal2, auth_time now',
  async (t) => {
    const s = await enrolled(t)
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
    const expected = { amr: ['pwd', 'otp'], acr: 'aal2', auth_time: Math.floor(s.clock.now() / 1000) }
    const withCode = await s.login({ code: s.code() })
    if (!('access_token' in withCode)) throw new Error('no tokens')
    t.match(claims(withCode.access_token), expected, 'TOTP')
    t.same(claims(withCode.access_token).amr, ['pwd', 'otp'])
    const withRecovery = await s.login({ recovery_code: s.recovery[0]! })
    if (!('access_token' in withRecovery)) throw new Error('no tokens')
    t.same(claims(withRecovery.access_token).amr, ['pwd', 'otp'], 'recovery code')
    t.equal(claims(withRecovery.access_token).acr, 'aal2')
  })
