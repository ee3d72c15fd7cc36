import t from 'tap'
import { codeAt, PERIOD_MS } from '../../src/auth/totp.js'
import { createSecondFactor } from '../../src/auth/second-factor.js'
import { createUserRepository } from '../../src/users/users-repository.js'
import { createStepUpService } from '../../src/step-up/step-up-service.js'
import type { Amr } from '../../src/step-up/auth-event.js'
import { meta } from '../services.js'
import { enrolled, failure, lockedAcross, notThe, withAccount } from '../auth/use-cases/accounts.js'
import { softAuthenticator } from '../passkeys/soft-authenticator.js'

/** The step-up service through the composition root (services.stepUp), on SQLite in memory: no HTTP. */

type Account = Awaited<ReturnType<typeof withAccount>>

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
const seconds = (ms: number) => Math.floor(ms / 1000)

/** A live session of the account that proved `amr` at login, as the authenticate hook hands it to the service. */
async function callerOf (s: Account, amr: Amr[]) {
  const { sid } = await s.services.sessions.start(s.id, ['editor'], meta, amr)
  return { id: s.id, sid, roles: ['editor'], permissions: [], authTime: seconds(s.clock.now()), amr: [...amr] }
}

const audited = (s: Account) => s.db.query<Record<string, unknown>>(
  'SELECT event, actor_user_id, target_user_id, session_id, details FROM audit_events ' +
  "WHERE event IN ('stepped_up', 'recovery_code_used', 'second_factor_failed') ORDER BY id")

t.test('a TOTP code: a token for the same session, a fresh auth_time, otp added to its amr; once', async (t) => {
  const s = await enrolled(t)
  const caller = await callerOf(s, ['pwd'])
  s.clock.advance(600_500) // ten minutes and half a second: auth_time is in whole seconds
  const up = await s.services.stepUp.stepUp(caller, { code: s.code() }, meta)
  t.same(Object.keys(up).sort(), ['access_token', 'expires_in', 'token_type'], 'no refresh token')
  t.equal(up.token_type, 'Bearer')
  t.match(claims(up.access_token), {
    sub: String(s.id),
    sid: caller.sid,
    auth_time: seconds(s.clock.now()),
    amr: ['pwd', 'otp'],
    acr: 'aal2'
  })
  t.equal(await failure(s.services.stepUp.stepUp(caller, { code: s.code() }, meta)), 'invalid_code', 'a replay')
  t.equal(await failure(s.services.stepUp.stepUp(caller, { code: notThe(s.code(1)) }, meta)), 'invalid_code')
  const failed = {
    event: 'second_factor_failed',
    actor_user_id: null,
    target_user_id: s.id,
    session_id: null,
    details: `wrong code (${s.name})`
  }
  t.same(await audited(s), [
    { event: 'stepped_up', actor_user_id: s.id, target_user_id: s.id, session_id: caller.sid, details: 'totp' },
    failed,
    failed
  ])
})

t.test('a recovery code: used once, audited as used; the session keeps the factors it had', async (t) => {
  const s = await enrolled(t)
  const caller = await callerOf(s, ['pwd', 'otp'])
  s.clock.advance(400_000)
  const up = await s.services.stepUp.stepUp(caller, { recovery_code: s.recovery[0]! }, meta)
  t.match(claims(up.access_token), { sid: caller.sid, auth_time: seconds(s.clock.now()), amr: ['pwd', 'otp'] })
  t.equal(await failure(s.services.stepUp.stepUp(caller, { recovery_code: s.recovery[0]! }, meta)), 'invalid_code')
  t.equal(await failure(s.services.stepUp.stepUp(caller, { recovery_code: 'aaaa-bbbb-cccc-dddd' }, meta)),
    'invalid_code')
  const who = { actor_user_id: s.id, target_user_id: s.id, session_id: caller.sid }
  t.same((await audited(s)).slice(0, 2), [
    { event: 'recovery_code_used', ...who, details: null },
    { event: 'stepped_up', ...who, details: 'recovery code' }
  ])
  t.equal((await audited(s)).length, 4, 'then two failures')
})

t.test('one proof exactly: two are a conflict, none is required; neither spends anything', async (t) => {
  const s = await enrolled(t)
  const caller = await callerOf(s, ['pwd', 'otp'])
  const stepUp = (proof: object) => failure(s.services.stepUp.stepUp(caller, proof, meta))
  const conflict = 'second_factor_conflict'
  t.equal(await stepUp({ code: s.code(), recovery_code: s.recovery[0]! }), conflict)
  t.equal(await stepUp({ code: s.code(), webauthn: {} }), conflict)
  t.equal(await stepUp({ recovery_code: s.recovery[0]!, webauthn: {} }), conflict)
  t.equal(await stepUp({}), 'second_factor_required')
  t.equal(await stepUp({ code: undefined, recovery_code: undefined }), 'second_factor_required')
  t.equal(await stepUp({ code: s.code() }), 'resolved', 'the code was not spent')
  t.equal(await stepUp({ recovery_code: s.recovery[0]! }), 'resolved', 'nor the recovery code')
  t.same((await audited(s)).map((e) => e.event), ['stepped_up', 'recovery_code_used', 'stepped_up'])
  const stranger = { ...caller, id: s.id + 1000 }
  t.equal(await failure(s.services.stepUp.stepUp(stranger, {}, meta)), 'second_factor_required', 'checked first')
})

t.test('the account: gone, disabled, or (cannot happen with a token) 2FA still pending', async (t) => {
  const s = await enrolled(t)
  const caller = await callerOf(s, ['pwd', 'otp'])
  const gone = { ...caller, id: s.id + 1000 }
  t.equal(await failure(s.services.stepUp.stepUp(gone, { code: s.code() }, meta)), 'invalid_credentials')
  await s.db.execute('UPDATE users SET disabled_at = ? WHERE id = ?', [s.clock.now(), s.id])
  t.equal(await failure(s.services.stepUp.stepUp(caller, { code: s.code() }, meta)), 'account_disabled')
  await s.db.execute('UPDATE users SET disabled_at = NULL WHERE id = ?', [s.id])
  t.equal(await failure(s.services.stepUp.stepUp(caller, { code: s.code() }, meta)), 'resolved', 'code not spent')
  s.clock.advance(PERIOD_MS)
  await s.services.sessions.revoke(caller, caller.sid, meta)
  t.equal(await failure(s.services.stepUp.stepUp(caller, { code: s.code() }, meta)), 'invalid_token', 'session ended')

  const p = await withAccount(t)
  const pending = await callerOf(p, ['pwd'])
  const code = codeAt(p.enrollment.secret, p.clock.now())
  t.equal(await failure(p.services.stepUp.stepUp(pending, { code }, meta)), 'invalid_code',
    'a step-up confirms nothing')
  const [row] = await p.db.query<{ confirmed: number | null }>(
    'SELECT totp_confirmed_at AS confirmed FROM users WHERE id = ?', [p.id])
  t.equal(row!.confirmed, null)
})

t.test('the login throttle: a success clears the failures, a lock refuses even a right code', async (t) => {
  const s = await enrolled(t, { LOGIN_MAX_FAILURES: 2 })
  const caller = await callerOf(s, ['pwd', 'otp'])
  t.equal(await lockedAcross(s, () => s.services.stepUp.stepUp(caller, { code: s.code() }, meta)), false)
  // the wrong password after the success is one failure: a wrong code is the second, which locks
  s.clock.advance(10_000)
  t.equal(await failure(s.services.stepUp.stepUp(caller, { code: notThe(s.code()) }, meta)), 'invalid_code')
  s.clock.advance(10_000)
  t.equal(await failure(s.services.stepUp.stepUp(caller, { code: s.code() }, meta)), 'login_throttled')
  t.same((await s.events('account_locked')).map((e) => e.details), [s.name])
})

t.test('a passkey: offered in the options, proves hwk and user, audited as a passkey', async (t) => {
  const s = await enrolled(t)
  const caller = await callerOf(s, ['pwd'])
  t.same(await s.services.stepUp.options(caller), { factors: ['totp', 'recovery_code'] }, 'no passkey yet')

  const soft = softAuthenticator({ origin: 'http://localhost:3000', rpId: 'localhost' })
  const owner = { id: s.id, username: s.name }
  const { credential, response } = soft.create(await s.services.passkeys.registrationOptions(owner))
  await s.services.passkeys.register(owner, response as never, 'soft key', meta)
  const options = await s.services.stepUp.options(caller)
  t.same(options.factors, ['totp', 'webauthn', 'recovery_code'])
  const request = options.webauthn_options as { challenge: string, allowCredentials: Array<{ id: string }> }
  t.same(request.allowCredentials.map((c) => c.id), [credential.id.toString('base64url')])

  s.clock.advance(60_000)
  const assertion = soft.get(credential, request)
  const up = await s.services.stepUp.stepUp(caller, { webauthn: assertion }, meta)
  t.match(claims(up.access_token), { auth_time: seconds(s.clock.now()), amr: ['pwd', 'hwk', 'user'], acr: 'aal2' })
  t.equal(await failure(s.services.stepUp.stepUp(caller, { webauthn: assertion }, meta)), 'passkey_refused',
    'its challenge is spent')
  t.same(await audited(s), [
    { event: 'stepped_up', actor_user_id: s.id, target_user_id: s.id, session_id: caller.sid, details: 'passkey' }
  ])
})

t.test('without a passkey service: TOTP and recovery codes only, and a webauthn proof is a wrong code', async (t) => {
  const s = await enrolled(t)
  const caller = await callerOf(s, ['pwd'])
  const users = createUserRepository(s.db)
  const events: string[] = []
  const stepUp = createStepUpService({
    db: s.db,
    findUser: (id) => users.findById(id),
    prove: createSecondFactor({ totpKey: s.keys.totp, now: s.clock.now }).prove,
    throttled: (_name, _userId, _meta, _complete, fn) => fn(),
    renew: (user, amr) => s.services.sessions.renewAuthentication(user, amr),
    audit: async (event) => { events.push(event) }
  })
  t.same(await stepUp.options(caller), { factors: ['totp', 'recovery_code'] })
  t.equal(await failure(stepUp.stepUp(caller, { webauthn: {} }, meta)), 'invalid_code')
  t.match(claims((await stepUp.stepUp(caller, { code: s.code() }, meta)).access_token), { amr: ['pwd', 'otp'] })
  t.same(events, ['stepped_up'])
})
