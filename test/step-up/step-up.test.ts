import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, code, enrolledUser, loginTokens, nextStep, post, userWithRole, type Clock } from '../auth/flow.js'

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
const CHALLENGE = /^Bearer error="insufficient_user_authentication", error_description="[^"]+", max_age=300$/

type User = { id: number; username: string; password: string; secret: string; recoveryCodes?: string[] }

/** Every sensitive route, called with a body it would otherwise accept (or refuse for other reasons than age). */
function sensitiveCalls (app: FastifyInstance, clock: Clock, u: User, other: number) {
  const proof = () => ({ password: u.password, code: code(u.secret, clock) })
  return [
    [
      'POST /auth/password',
      (tok: string) =>
        post(
          app,
          '/auth/password',
          { current_password: u.password, new_password: 'another long passphrase', code: code(u.secret, clock) },
          tok
        )
    ],
    ['POST /auth/2fa/reset', (tok: string) => post(app, '/auth/2fa/reset', proof(), tok)],
    ['POST /auth/2fa/recovery-codes', (tok: string) => post(app, '/auth/2fa/recovery-codes', proof(), tok)],
    [
      'PUT /api/users/:id/roles',
      (tok: string) =>
        app.inject({
          method: 'PUT',
          url: `/api/users/${other}/roles`,
          payload: { roles: ['viewer'] },
          headers: { authorization: `Bearer ${tok}` }
        })
    ],
    ['POST /api/users/:id/disable', (tok: string) => post(app, `/api/users/${other}/disable`, {}, tok)],
    ['POST /api/users/:id/enable', (tok: string) => post(app, `/api/users/${other}/enable`, {}, tok)]
  ] as const
}

t.test('step-up (RFC 9470)', async (t) => {
  const { app, clock } = await authApp(t, { config: { LOGIN_MAX_FAILURES: 4 } })

  t.test('U1: a login puts auth_time, amr and acr in the access token; a refresh keeps them', async (t) => {
    const u = await enrolledUser(app, clock)
    const loginAt = Math.floor(clock.now() / 1000)
    const tokens = await loginTokens(app, clock, u)
    t.match(claims(tokens.access_token), { auth_time: loginAt, amr: ['pwd', 'otp'], acr: 'aal2' })
    clock.advance(200_000)
    const refreshed = await post(app, '/auth/refresh', { refresh_token: tokens.refresh_token })
    t.equal(refreshed.statusCode, 200)
    const c = claims(refreshed.json().access_token)
    t.equal(c.auth_time, loginAt, 'a refresh is not a new authentication')
    t.same(c.amr, ['pwd', 'otp'])
    t.ok(c.iat > loginAt)
  })

  t.test(
    'U2 (RFC 9470 §3): a too-old token gets the RFC 9470 challenge on every sensitive route; a fresh one does not',
    async (t) => {
      const admin = await userWithRole(app, clock, 'admin')
      const other = await enrolledUser(app, clock)
      const old = (await loginTokens(app, clock, admin)).access_token
      clock.advance(301_000)
      const fresh = (await loginTokens(app, clock, admin)).access_token
      for (const [name, call] of sensitiveCalls(app, clock, admin, other.id)) {
        const res = await call(old)
        t.equal(res.statusCode, 401, `${name}: too old`)
        t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
        t.equal(res.json().code, 'insufficient_user_authentication', name)
        t.match(res.headers['www-authenticate'], CHALLENGE, `${name}: challenge`)
      }
      // the password change comes last: it ends the other sessions
      for (const [name, call] of sensitiveCalls(app, clock, admin, other.id).slice(3)) {
        t.not((await call(fresh)).statusCode, 401, `${name}: a fresh token passes`)
      }
      t.equal(
        (await app.inject({ url: '/auth/sessions', headers: { authorization: `Bearer ${old}` } })).statusCode,
        200,
        'the old token still works elsewhere'
      )
    }
  )

  t.test('just under the limit passes, just over it does not', async (t) => {
    const u = await enrolledUser(app, clock)
    const tok = (await loginTokens(app, clock, u)).access_token
    clock.set(claims(tok).auth_time * 1000 + 299_000)
    const ok = await post(app, '/auth/2fa/recovery-codes', { password: u.password, code: code(u.secret, clock) }, tok)
    t.equal(ok.statusCode, 200)
    nextStep(clock)
    const late = await post(app, '/auth/2fa/recovery-codes', { password: u.password, code: code(u.secret, clock) }, tok)
    t.equal(late.json().code, 'insufficient_user_authentication')
  })

  t.test(
    "U3: POST /auth/step-up with a code clears it: same session, fresh auth_time, the session's amr",
    async (t) => {
      const u = await enrolledUser(app, clock)
      const tokens = await loginTokens(app, clock, u)
      clock.advance(600_000)
      t.equal(
        (
          await post(
            app,
            '/auth/2fa/recovery-codes',
            { password: u.password, code: code(u.secret, clock) },
            tokens.access_token
          )
        ).statusCode,
        401
      )
      const options = await post(app, '/auth/step-up/options', {}, tokens.access_token)
      t.same(options.json(), { factors: ['totp', 'recovery_code'] })
      const up = await post(app, '/auth/step-up', { code: code(u.secret, clock) }, tokens.access_token)
      t.equal(up.statusCode, 200)
      t.equal(up.headers['cache-control'], 'no-store')
      t.notOk(up.json().refresh_token)
      const c = claims(up.json().access_token)
      t.match(c, {
        auth_time: Math.floor(clock.now() / 1000),
        amr: ['pwd', 'otp'],
        acr: 'aal2',
        sid: claims(tokens.access_token).sid
      })
      nextStep(clock)
      t.equal(
        (
          await post(
            app,
            '/auth/2fa/recovery-codes',
            { password: u.password, code: code(u.secret, clock) },
            up.json().access_token
          )
        ).statusCode,
        200
      )
      const refreshed = await post(app, '/auth/refresh', { refresh_token: tokens.refresh_token })
      t.equal(claims(refreshed.json().access_token).auth_time, c.auth_time, 'refreshes keep the stepped-up auth_time')
      const audited = await app.db.query<{ event: string; details: string }>(
        'SELECT event, details FROM audit_events WHERE target_user_id = ? AND event = ?',
        [u.id, 'stepped_up']
      )
      t.same(audited, [{ event: 'stepped_up', details: 'totp' }])
    }
  )

  t.test('U3: step-up with a recovery code works once; wrong, missing, both or reused codes are refused', async (t) => {
    const u = await enrolledUser(app, clock)
    const tok = (await loginTokens(app, clock, u)).access_token
    t.equal((await post(app, '/auth/step-up', {}, tok)).json().code, 'second_factor_required')
    t.equal(
      (
        await post(app, '/auth/step-up', { code: code(u.secret, clock), recovery_code: u.recoveryCodes[0]! }, tok)
      ).json().code,
      'second_factor_conflict'
    )
    t.equal((await post(app, '/auth/step-up', { code: code(u.secret, clock, 5) }, tok)).json().code, 'invalid_code')
    t.equal((await post(app, '/auth/step-up', { recovery_code: u.recoveryCodes[0]! }, tok)).statusCode, 200)
    t.equal(
      (await post(app, '/auth/step-up', { recovery_code: u.recoveryCodes[0]! }, tok)).json().code,
      'invalid_code',
      'once'
    )
    const c = code(u.secret, clock)
    t.equal((await post(app, '/auth/step-up', { code: c }, tok)).statusCode, 200)
    t.equal(
      (await post(app, '/auth/step-up', { code: c }, tok)).json().code,
      'invalid_code',
      'a TOTP step is spent once'
    )
    t.equal(
      (await post(app, '/auth/step-up', { code: code(u.secret, clock) })).statusCode,
      401,
      'needs the access token'
    )
    nextStep(clock)
  })

  t.test('U4: step-up is throttled like a login, per account, and failures are audited', async (t) => {
    const u = await enrolledUser(app, clock)
    const tok = (await loginTokens(app, clock, u)).access_token
    const codes: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await post(app, '/auth/step-up', { code: code(u.secret, clock, 7) }, tok)
      codes.push(res.statusCode)
      clock.advance(10_000) // past the growing delays, not past the lock
    }
    t.same(codes.slice(0, 4), [401, 401, 401, 401])
    t.equal(codes[4], 429, 'locked after LOGIN_MAX_FAILURES')
    t.equal(
      (await post(app, '/auth/step-up', { code: code(u.secret, clock) }, tok)).statusCode,
      429,
      'even a right code while locked'
    )
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
        .statusCode,
      429,
      'the same throttle as the login'
    )
    const failed = await app.db.query('SELECT id FROM audit_events WHERE target_user_id = ? AND event = ?', [
      u.id,
      'second_factor_failed'
    ])
    t.equal(failed.length, 4)
  })

  t.test('U2: the OpenAPI document marks the sensitive operations with x-max-auth-age and the 401', async (t) => {
    const doc = (await app.inject({ url: '/openapi.json' })).json()
    const marked = Object.entries(
      doc.paths as Record<
        string,
        Record<
          string,
          { operationId: string; 'x-max-auth-age'?: number; responses: Record<string, { description: string }> }
        >
      >
    )
      .flatMap(([, ops]) => Object.values(ops))
      .filter((op) => op['x-max-auth-age'] !== undefined)
    t.same(marked.map((op) => op.operationId).sort(), [
      'changePassword',
      'createApiKey',
      'deletePasskey',
      'disableUser',
      'enableUser',
      'passkeyRegistrationOptions',
      'regenerateRecoveryCodes',
      'registerPasskey',
      'resetTwoFactor',
      'revokeUserApiKey',
      'revokeUserSessions',
      'setUserRoles',
      'unlockUser'
    ])
    for (const op of marked) {
      t.equal(op['x-max-auth-age'], 300)
      t.match(op.responses['401']!.description, /insufficient_user_authentication/)
    }
  })
})

t.test('STEP_UP_MAX_AGE sets the age', async (t) => {
  const { app, clock } = await authApp(t, { config: { STEP_UP_MAX_AGE: 60 } })
  const u = await enrolledUser(app, clock)
  const tok = (await loginTokens(app, clock, u)).access_token
  clock.advance(61_000)
  const res = await post(app, '/auth/2fa/recovery-codes', { password: u.password, code: code(u.secret, clock) }, tok)
  t.equal(res.json().code, 'insufficient_user_authentication')
  t.match(res.headers['www-authenticate'], /max_age=60$/)
})

t.test('sqlite: the session keeps auth_time and amr through a refresh, and a step-up renews them', async (t) => {
  const { app, clock } = await authApp(t, { store: 'sqlite' })
  const u = await enrolledUser(app, clock)
  const tokens = await loginTokens(app, clock, u)
  const loginAt = claims(tokens.access_token).auth_time
  clock.advance(400_000)
  const up = await post(app, '/auth/step-up', { code: code(u.secret, clock) }, tokens.access_token)
  t.equal(up.statusCode, 200)
  const refreshed = claims(
    (await post(app, '/auth/refresh', { refresh_token: tokens.refresh_token })).json().access_token
  )
  t.equal(refreshed.auth_time, loginAt + 400 + 30)
  t.same(refreshed.amr, ['pwd', 'otp'])
  t.equal(refreshed.acr, 'aal2')
})
