/** Accounts for the use-case tests: built by the composition root on SQLite in memory, with a test clock. */
import { ApiError } from '../../../src/errors.js'
import { codeAt, PERIOD_MS } from '../../../src/auth/totp.js'
import { meta, testServices } from '../../services.js'

type Test = Parameters<typeof testServices>[0]
type Overrides = Parameters<typeof testServices>[1]

export const PASSWORD = 'a long passphrase of mine'
export const failure = (p: Promise<unknown>) =>
  p.then(() => 'resolved', (err: unknown) => (err instanceof ApiError ? err.code : String(err)))

/** A six-digit code that is not `code`. */
export const notThe = (code: string) => (code === '000000' ? '111111' : '000000')

/** An account as registration leaves it: TOTP enrollment pending. */
export async function withAccount (t: Test, overrides: Overrides = {}) {
  const s = await testServices(t, { SESSION_CHECK_CACHE_MS: 0, ...overrides })
  const name = `authuser${process.pid}`
  const { user, enrollment } = await s.services.auth.createAccount(name, PASSWORD, 'editor', meta)
  const auth = s.services.auth
  const events = async (event: string) => (await s.db.query<{ details: string | null, target_user_id: number | null }>(
    'SELECT details, target_user_id FROM audit_events WHERE event = ? ORDER BY id', [event]))
  return { ...s, auth, name, id: user.id, enrollment, events }
}

/** An account with 2FA confirmed; the clock is past the confirming step. */
export async function enrolled (t: Test, overrides: Overrides = {}) {
  const s = await withAccount(t, overrides)
  const secret = s.enrollment.secret
  const user = await s.auth.enrollingUser(s.enrollment.enrollment_token)
  const recovery = (await s.auth.confirmEnrollment(user, codeAt(secret, s.clock.now()), meta))!
  s.clock.advance(PERIOD_MS)
  /** The code for the current step, or `steps` away from it. */
  const code = (steps = 0) => codeAt(secret, s.clock.now() + steps * PERIOD_MS)
  const login = (proof: { code?: string, recovery_code?: string }, password = PASSWORD) =>
    s.auth.login({ username: s.name, password, ...proof }, meta)
  const mfaToken = async () => {
    const res = await login({})
    if (!('mfa_token' in res) || typeof res.mfa_token !== 'string') throw new Error('no mfa_token')
    return res.mfa_token
  }
  return { ...s, secret, recovery, code, login, mfaToken }
}

/**
 * With LOGIN_MAX_FAILURES 2: a wrong password, then `success`, then a wrong password again. True when
 * the second failure locked, i.e. `success` did not clear the first one.
 */
export async function lockedAcross (s: Awaited<ReturnType<typeof enrolled>>, success: () => Promise<unknown>) {
  const wrong = () => failure(s.login({}, 'a wrong passphrase'))
  if (await wrong() !== 'invalid_credentials') throw new Error('expected a wrong password')
  await success()
  s.clock.advance(PERIOD_MS)
  if (await wrong() !== 'invalid_credentials') throw new Error('expected a wrong password')
  return (await s.events('account_locked')).length > 0
}

/** When the account's 2FA was confirmed: null while its enrollment is pending. */
export async function confirmedAt (s: Awaited<ReturnType<typeof withAccount>>) {
  const [row] = await s.db.query<{ at: number | null }>('SELECT totp_confirmed_at AS at FROM users WHERE id = ?',
    [s.id])
  return row!.at
}

/**
 * A session of an account whose 2FA is still pending, as the authenticate hook hands it to a use case. The app never
 * gives such an account a session (only a confirmed login does): the use cases must not rely on that.
 */
export async function pendingCaller (s: Awaited<ReturnType<typeof withAccount>>) {
  const { sid } = await s.services.sessions.start(s.id, ['editor'], meta, ['pwd'])
  return { id: s.id, sid, roles: ['editor'], permissions: [], authTime: 0, amr: ['pwd' as const] }
}
