import t from 'tap'
import { authApp, code, get, post, register } from '../auth/flow.js'
import { buildTestApp, createTestDatabase, runScript, sharedKeys, tempDir } from '../helper.js'

const ADMIN = { ADMIN_USERNAME: 'first.admin', ADMIN_PASSWORD: 'a long admin passphrase' }

t.test(
  'ADMIN_USERNAME: the first administrator is created at startup with 2FA pending, and enrolls through the login',
  async (t) => {
    const env = { DATABASE_URL: await createTestDatabase(t), ...sharedKeys() }
    const { app, clock } = await authApp(t, { config: { ...env, ...ADMIN } })
    const pending = (await post(app, '/auth/login', { username: 'first.admin', password: ADMIN.ADMIN_PASSWORD })).json()
    t.match(pending, { enrollment_required: true }, 'the password alone only opens the enrollment')
    const qr = await app.inject({
      url: '/auth/generate_qr/first.admin',
      headers: { authorization: `Bearer ${pending.enrollment_token}`, accept: 'application/json' }
    })
    const login = await post(app, '/auth/login', {
      username: 'first.admin',
      password: ADMIN.ADMIN_PASSWORD,
      code: code(qr.json().secret, clock)
    })
    t.equal(login.statusCode, 200)
    const token = login.json().access_token
    const users = (await get(app, '/api/users', token)).json()
    t.match(users.items, [{ username: 'first.admin', roles: ['admin'], two_factor_enabled: true }])
    const created = (await get(app, '/api/audit?event=registered', token)).json().items
    t.match(created, [{ actor_user_id: null, ip: 'startup', details: 'role admin' }], 'audited as created at startup')

    const again = await buildTestApp(t, {
      now: clock.now,
      config: { ...env, ...ADMIN, ADMIN_USERNAME: 'second.admin' }
    })
    t.equal(
      (await get(again, '/api/users', token)).json().items.length,
      1,
      'once an administrator exists, a restart creates no other'
    )
  }
)

t.test('ADMIN_USERNAME: two instances starting together create one administrator', async (t) => {
  const env = { DATABASE_URL: await createTestDatabase(t), ...sharedKeys(), ...ADMIN }
  const [a] = await Promise.all([buildTestApp(t, { config: env }), buildTestApp(t, { config: env })])
  const rows = await a.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM users')
  t.equal(Number(rows[0]!.n), 1)
})

t.test('ADMIN_USERNAME: refusals stop the start with one line, and promote nobody', async (t) => {
  const env = { DATABASE_URL: await createTestDatabase(t), ...sharedKeys() }
  const app = await buildTestApp(t, { config: env })
  await register(app, 'first.admin')
  const start = (extra: Record<string, string>) =>
    runScript('dist/src/server.js', { ...env, DATA_DIR: tempDir(t), LOG_LEVEL: 'silent', PORT: '0', ...extra })

  const taken = await start(ADMIN)
  t.equal(taken.code, 1)
  t.equal(
    taken.stderr,
    'Startup failed: ADMIN_USERNAME first.admin belongs to an account that is not an administrator; ' +
      'choose another name\n'
  )
  const [roles] = await app.db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = 'admin'"
  )
  t.equal(Number(roles!.n), 0, 'the account that holds the name was not promoted')

  const weak = await start({ ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'password1' })
  t.equal(weak.code, 1)
  t.match(weak.stderr, /^Startup failed: ADMIN_USERNAME boss cannot be created: The password /)
  t.notMatch(weak.stderr, /password1/, 'the password is not echoed')

  const badName = await start({ ADMIN_USERNAME: 'no spaces allowed', ADMIN_PASSWORD: ADMIN.ADMIN_PASSWORD })
  t.equal(badName.code, 1)
  t.match(
    badName.stderr,
    /^Startup failed: ADMIN_USERNAME no spaces allowed cannot be created: Invalid username: Expected string to match/
  )

  const alone = await start({ ADMIN_USERNAME: 'boss' })
  t.equal(alone.code, 1)
  t.equal(alone.stderr, 'Invalid configuration: ADMIN_USERNAME needs ADMIN_PASSWORD\n')
})
