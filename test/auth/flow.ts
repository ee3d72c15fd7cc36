import type { FastifyInstance } from 'fastify'
import { codeAt, PERIOD_MS } from '../../src/auth/totp.js'
import type { Role } from '../../schemas/access.js'
import { buildTestApp, createTestDatabase, sharedKeys, testClock, type TestAppOptions } from '../helper.js'
export { EVERY_HASH_WAITS } from '../helper.js'

type Test = Parameters<typeof buildTestApp>[0]

/** An app on a fresh database with a clock the test moves (TOTP steps, expiries). */
export async function authApp (t: Test, options: TestAppOptions = {}) {
  const clock = testClock()
  const app = await buildTestApp(t, { now: clock.now, ...options })
  return { app, clock }
}

export type Clock = ReturnType<typeof testClock>

let counter = 0
export const freshName = (prefix = 'user') => `${prefix}${process.pid}x${++counter}`
export const PASSWORD = 'correct horse battery'

export const post = (app: FastifyInstance, url: string, payload: object, token?: string) =>
  app.inject({ method: 'POST', url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} })

/** Step 1 of the seed flow. */
export async function register (app: FastifyInstance, username = freshName(), password = PASSWORD) {
  const res = await post(app, '/auth/register', { username, password })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.body}`)
  const body = res.json()
  return {
    username,
    password,
    id: body.user.id as number,
    secret: body.enrollment.secret as string,
    enrollmentToken: body.enrollment.enrollment_token as string,
    body
  }
}

/** The authenticator app: the code for the clock's current step. */
export const code = (secret: string, clock: Clock, offsetSteps = 0) =>
  codeAt(secret, clock.now() + offsetSteps * PERIOD_MS)

/** Moves to the next TOTP step, so a fresh code is available. */
export const nextStep = (clock: Clock) => clock.advance(PERIOD_MS)

/** A registered user with 2FA confirmed; the clock is moved past the confirming step. */
export async function enrolledUser (app: FastifyInstance, clock: Clock, username?: string) {
  const u = await register(app, username)
  const res = await post(app, '/auth/2fa/verify', { code: code(u.secret, clock) }, u.enrollmentToken)
  if (res.statusCode !== 200) throw new Error(`verify failed: ${res.body}`)
  nextStep(clock)
  return { ...u, recoveryCodes: res.json().recovery_codes as string[] }
}

/** A full login with a fresh code; returns the tokens. */
export async function loginTokens (
  app: FastifyInstance,
  clock: Clock,
  u: { username: string; password: string; secret: string },
  headers: Record<string, string> = {}
) {
  const res = await app.inject({
    method: 'POST',
    url: '/auth/login',
    headers,
    payload: { username: u.username, password: u.password, code: code(u.secret, clock) }
  })
  nextStep(clock)
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`)
  return res.json() as { access_token: string; refresh_token: string; expires_in: number }
}

/** A full login with a fresh code; returns the access token. */
export const login = async (
  app: FastifyInstance,
  clock: Clock,
  u: { username: string; password: string; secret: string }
) => (await loginTokens(app, clock, u)).access_token

export const get = (app: FastifyInstance, url: string, token?: string) =>
  app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })

/** An account with the given role, 2FA confirmed (created as the CLI creates admins). */
export async function userWithRole (app: FastifyInstance, clock: Clock, role: Role) {
  const username = freshName(role)
  const { user, enrollment } = await app.services.auth.createAccount(username, PASSWORD, role, {
    ip: '127.0.0.1',
    userAgent: 'test',
    requestId: 'test'
  })
  const res = await post(app, '/auth/2fa/verify', { code: code(enrollment.secret, clock) }, enrollment.enrollment_token)
  if (res.statusCode !== 200) throw new Error(`verify failed: ${res.body}`)
  nextStep(clock)
  return { id: user.id, username, password: PASSWORD, secret: enrollment.secret }
}

/** Two app instances on one fresh database with the keys an operator would share; `sync` sets B's clock to A's. */
export async function twoInstances (t: Test, config: TestAppOptions['config'] = {}) {
  const shared = { DATABASE_URL: await createTestDatabase(t), ...sharedKeys(), ...config }
  const a = await authApp(t, { config: shared })
  const b = await authApp(t, { config: shared })
  const sync = () => b.clock.set(a.clock.now())
  sync()
  return { a, b, sync }
}
