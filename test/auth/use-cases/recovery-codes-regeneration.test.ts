import t from 'tap'
import { meta } from '../../services.js'
import { enrolled, failure, lockedAcross, PASSWORD } from './accounts.js'

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
  t.equal((await s.events('recovery_codes_regenerated')).length, 1)
})

t.test('new recovery codes are a full authentication: they clear the failures before', async (t) => {
  const s = await enrolled(t, { LOGIN_MAX_FAILURES: 2 })
  const caller = { id: s.id, sid: 'x', roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd', 'otp'] }
  t.equal(await lockedAcross(s, () => s.auth.regenerateRecoveryCodes(caller, { password: PASSWORD, code: s.code() },
    meta)), false)
})
