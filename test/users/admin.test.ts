import t from 'tap'
import {
  authApp,
  code,
  enrolledUser,
  get,
  login,
  loginTokens,
  post,
  register,
  twoInstances,
  userWithRole
} from '../auth/flow.js'
import { createTestDatabase, runScript, sharedKeys } from '../helper.js'

const put = (app: Awaited<ReturnType<typeof authApp>>['app'], url: string, payload: object, token: string) =>
  app.inject({ method: 'PUT', url, payload, headers: { authorization: `Bearer ${token}` } })

t.test('admin API', async (t) => {
  const { app, clock } = await authApp(t)
  const admin = await userWithRole(app, clock, 'admin')
  const token = await login(app, clock, admin)
  /** Who the audit log says did `event` to `userId`, through GET /api/audit. */
  const actorsOf = async (userId: number, event: string) =>
    (await get(app, `/api/audit?user_id=${userId}&event=${event}`, token))
      .json()
      .items.map((e: { actor_user_id: number | null }) => e.actor_user_id)

  t.test('list (keyset pages), get, 404', async (t) => {
    for (let i = 0; i < 3; i++) await enrolledUser(app, clock)
    const first = (await get(app, '/api/users?limit=2', token)).json()
    t.equal(first.items.length, 2)
    t.type(first.next_cursor, 'string')
    const second = (await get(app, `/api/users?limit=2&cursor=${first.next_cursor}`, token)).json()
    t.ok(second.items[0].id > first.items[1].id)
    const one = await get(app, `/api/users/${admin.id}`, token)
    t.match(one.json(), {
      id: admin.id,
      username: admin.username,
      roles: ['admin'],
      two_factor_enabled: true,
      disabled: false
    })
    t.notMatch(one.body, /password|secret|hash/)
    t.equal((await get(app, '/api/users/999999', token)).json().code, 'user_not_found')
  })

  t.test(
    'roles: set at runtime, audited; an admin cannot drop their own admin role or disable themselves',
    async (t) => {
      const u = await enrolledUser(app, clock)
      const res = await put(app, `/api/users/${u.id}/roles`, { roles: ['viewer'] }, token)
      t.equal(res.statusCode, 200)
      t.same(res.json().roles, ['viewer'])
      t.equal((await put(app, `/api/users/${u.id}/roles`, { roles: ['root'] }, token)).statusCode, 400)
      t.equal((await put(app, `/api/users/${u.id}/roles`, { roles: [] }, token)).statusCode, 400)
      t.equal(
        (await put(app, `/api/users/${admin.id}/roles`, { roles: ['viewer'] }, token)).json().code,
        'not_on_yourself'
      )
      t.equal((await post(app, `/api/users/${admin.id}/disable`, {}, token)).json().code, 'not_on_yourself')
      const [event] = await app.db.query<{ actor_user_id: number; details: string }>(
        'SELECT actor_user_id, details FROM audit_events WHERE event = ? AND target_user_id = ?',
        ['role_changed', u.id]
      )
      t.match(event, { actor_user_id: admin.id, details: 'editor -> viewer' })
    }
  )

  t.test('disable: sessions end, login is refused (after the password), enable restores login', async (t) => {
    const u = await enrolledUser(app, clock)
    const s = await loginTokens(app, clock, u)
    t.equal((await post(app, `/api/users/${u.id}/disable`, {}, token)).json().disabled, true)
    t.equal((await get(app, '/api/products', s.access_token)).statusCode, 401)
    t.equal((await post(app, '/auth/refresh', { refresh_token: s.refresh_token })).statusCode, 401)
    t.equal(
      (
        await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) })
      ).json().code,
      'account_disabled'
    )
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: 'wrong password!' })).json().code,
      'invalid_credentials',
      'no hint without the password'
    )
    t.equal((await post(app, `/api/users/${u.id}/enable`, {}, token)).json().disabled, false)
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
        .statusCode,
      200
    )
    t.same(await actorsOf(u.id, 'user_disabled'), [admin.id], 'one user_disabled event, by the admin')
    t.same(await actorsOf(u.id, 'user_enabled'), [admin.id], 'one user_enabled event, by the admin')
  })

  t.test('disable ends a pending enrollment: its token no longer shows the QR code or confirms', async (t) => {
    const u = await register(app)
    t.equal((await post(app, `/api/users/${u.id}/disable`, {}, token)).statusCode, 200)
    t.equal((await post(app, `/api/users/${u.id}/enable`, {}, token)).statusCode, 200)
    const qr = await app.inject({
      url: `/auth/generate_qr/${u.username}`,
      headers: { authorization: `Bearer ${u.enrollmentToken}` }
    })
    t.equal(qr.json().code, 'enrollment_token_invalid')
    t.equal(
      (await post(app, '/auth/2fa/verify', { code: code(u.secret, clock) }, u.enrollmentToken)).json().code,
      'enrollment_token_invalid'
    )
  })

  t.test("revoke a user's sessions", async (t) => {
    const u = await enrolledUser(app, clock)
    const s = await loginTokens(app, clock, u)
    t.equal(
      (
        await app.inject({
          method: 'DELETE',
          url: `/api/users/${u.id}/sessions`,
          headers: { authorization: `Bearer ${token}` }
        })
      ).statusCode,
      204
    )
    t.equal((await get(app, '/auth/sessions', s.access_token)).statusCode, 401)
    t.same(await actorsOf(u.id, 'sessions_revoked_by_admin'), [admin.id], 'audited once, with the admin as the actor')
  })

  t.test('REGISTRATION=closed: self-registration is 403', async (t) => {
    const closed = await authApp(t, { store: 'sqlite', config: { REGISTRATION: 'closed' } })
    const res = await post(closed.app, '/auth/register', { username: 'newcomer', password: 'securepassword' })
    t.equal(res.statusCode, 403)
    t.equal(res.json().code, 'registration_closed')
  })
})

t.test(
  'S6 (ASVS 7.4.2, 8.3.2): a demoted or disabled user loses access within SESSION_CHECK_CACHE_MS, on every instance',
  async (t) => {
    const cacheMs = 500
    const { a, b, sync } = await twoInstances(t, { SESSION_CHECK_CACHE_MS: cacheMs })
    const admin = await userWithRole(a.app, a.clock, 'admin')
    const adminToken = await login(a.app, a.clock, admin)
    const u = await enrolledUser(a.app, a.clock)
    const userToken = await login(a.app, a.clock, u)
    sync()

    // B's own clock decides how long it trusts what it cached: moving it makes the test independent of CPU speed
    const create = () => post(b.app, '/api/products', { name: 'p', price: 1, quantity: 1 }, userToken)
    t.equal((await create()).statusCode, 201, 'an editor creates on B (B caches the session)')
    t.equal((await put(a.app, `/api/users/${u.id}/roles`, { roles: ['viewer'] }, adminToken)).statusCode, 200)
    b.clock.advance(cacheMs)
    t.equal((await create()).statusCode, 403, `demotion on A enforced on B ${cacheMs} ms later by B's clock`)
    t.equal((await get(b.app, '/api/products', userToken)).statusCode, 200, 'still a viewer')

    t.equal((await post(a.app, `/api/users/${u.id}/disable`, {}, adminToken)).statusCode, 200)
    b.clock.advance(cacheMs)
    t.equal(
      (await get(b.app, '/api/products', userToken)).statusCode,
      401,
      `disable on A enforced on B ${cacheMs} ms later by B's clock`
    )
  }
)

t.test('the CLI creates an administrator with a pending enrollment', async (t) => {
  const url = await createTestDatabase(t)
  const keys = sharedKeys()
  const run = await runScript(
    'dist/src/cli.js',
    { DATABASE_URL: url, ...keys, ADMIN_PASSWORD: 'a long admin passphrase' },
    undefined,
    ['create-admin', 'first.admin']
  )
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /created administrator first\.admin/)
  const secret = /secret: +([A-Z2-7]+)/.exec(run.stdout)?.[1]
  t.ok(secret, 'prints the secret and the otpauth URI')
  t.match(run.stdout, /otpauth:\/\/totp\/secure-api:first\.admin\?/)
  const { app, clock } = await authApp(t, { config: { DATABASE_URL: url, ...keys } })
  clock.set(Date.now())
  const res = await post(app, '/auth/login', {
    username: 'first.admin',
    password: 'a long admin passphrase',
    code: code(secret!, clock)
  })
  t.equal(res.statusCode, 200, 'logging in with a code confirms the enrollment')
  t.same(JSON.parse(Buffer.from(res.json().access_token.split('.')[1], 'base64url').toString()).roles, ['admin'])
  const dup = await runScript(
    'dist/src/cli.js',
    { DATABASE_URL: url, ...keys, ADMIN_PASSWORD: 'a long admin passphrase' },
    undefined,
    ['create-admin', 'first.admin']
  )
  t.equal(dup.code, 1)
  t.match(dup.stderr, /Username already taken/)
})
