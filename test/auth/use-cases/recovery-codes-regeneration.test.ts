import t from 'tap'
import { codeAt } from '../../../src/auth/totp.js'
import { meta } from '../../services.js'
import { confirmedAt, enrolled, failure, lockedAcross, PASSWORD, pendingCaller, withAccount } from './accounts.js'

t.test('new recovery codes need the password and a code, and void the old ones', async (t) => {
  const s = await enrolled(t)
  const caller = { id: s.id, sid: 'x', roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] }
  const regenerate = (body: { password: string, code?: string, recovery_code?: string }) =>
    s.auth.regenerateRecoveryCodes(caller, body, meta)
  t.equal(await failure(regenerate({ password: PASSWORD + 'x', code: s.code() })), 'invalid_credentials')
  t.equal(await failure(regenerate({ password: PASSWORD })), 'second_factor_required')
  const codes = await regenerate({ password: PASSWORD, recovery_code: s.recovery[0]! })
  t.equal(codes.length, 10)
  t.equal(await failure(s.login({ recovery_code: s.recovery[1]! })), 'invalid_code', 'the old codes are void')
  t.match(await s.login({ recovery_code: codes[1]! }), { token_type: 'Bearer' }, 'the new ones work')
  t.same(await s.db.query('SELECT actor_user_id, target_user_id, session_id, ip FROM audit_events WHERE event = ?',
    ['recovery_codes_regenerated']), [{ actor_user_id: s.id, target_user_id: s.id, session_id: null, ip: meta.ip }],
  'audited once: the account acted on itself')
})

t.test('new recovery codes are a full authentication: they clear the failures before', async (t) => {
  const s = await enrolled(t, { LOGIN_MAX_FAILURES: 2 })
  const caller = { id: s.id, sid: 'x', roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] }
  t.equal(await lockedAcross(s, () => s.auth.regenerateRecoveryCodes(caller, { password: PASSWORD, code: s.code() },
    meta)), false)
})

t.test('(cannot happen with a session) an account whose 2FA is pending: its code confirms nothing', async (t) => {
  const s = await withAccount(t)
  const code = codeAt(s.enrollment.secret, s.clock.now())
  t.equal(await failure(s.auth.regenerateRecoveryCodes(await pendingCaller(s), { password: PASSWORD, code }, meta)),
    'invalid_code')
  t.equal(await confirmedAt(s), null, 'still pending')
  t.equal((await s.events('recovery_codes_regenerated')).length, 0)
})
