import t from 'tap'
import { authApp, freshName, post, register } from './flow.js'

t.test('registration', async (t) => {
  const { app } = await authApp(t)

  t.test('201: the user and the enrollment, and nothing secret beyond the enrollment', async (t) => {
    const username = freshName('Reg.')
    const res = await post(app, '/auth/register', { username, password: 'securepassword' })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.match(body.user, { id: Number, username, roles: ['editor'], created_at: /^\d{4}-\d\d-\d\dT/ })
    t.same(Object.keys(body.user).sort(), ['created_at', 'id', 'roles', 'username'])
    t.match(body.enrollment, {
      otpauth_uri: new RegExp(`^otpauth://totp/secure-api:${username}\\?`),
      secret: /^[A-Z2-7]{32}$/,
      enrollment_token: /^[\w-]{43}$/,
      expires_in: 900
    })
    t.ok(body.enrollment.otpauth_uri.includes(`secret=${body.enrollment.secret}`))
    t.notMatch(res.body, /argon2|password/, 'no password or hash in the response')
  })

  t.test(
    'P1 (NIST 800-63B §5.1.1.2; ASVS 6.2.1, 6.2.5, 6.2.9): under 8 refused, 64+ accepted, no composition rules, ' +
      '128 maximum',
    async (t) => {
      const short = await post(app, '/auth/register', { username: freshName(), password: 'abcdefg' })
      t.equal(short.statusCode, 400)
      t.match(short.json(), {
        code: 'validation_failed',
        errors: [{ pointer: '/body/password', message: /fewer than 8/ }]
      })
      t.equal(
        (await post(app, '/auth/register', { username: freshName(), password: 'zqxwvytu' })).statusCode,
        201,
        '8 lowercase letters, no digits or symbols, is fine'
      )
      t.equal(
        (await post(app, '/auth/register', { username: freshName(), password: 'long passphrase '.repeat(8) }))
          .statusCode,
        201,
        '128 characters'
      )
      t.equal(
        (await post(app, '/auth/register', { username: freshName(), password: 'ünïcødé パスワード €✓ '.repeat(5) }))
          .statusCode,
        201,
        'any unicode'
      )
      const long = await post(app, '/auth/register', { username: freshName(), password: 'x1y2'.repeat(32) + 'z' })
      t.equal(long.statusCode, 400)
      t.match(long.json(), { errors: [{ pointer: '/body/password', message: /more than 128/ }] })
    }
  )

  t.test('P3 (ASVS 6.2.4, 6.2.12): common and breached passwords are refused with a reason', async (t) => {
    for (const password of [
      'password1',
      'Password1',
      'qwertyuiop',
      'iloveyou1',
      '12345678',
      'password123!',
      'p@ssw0rd123',
      'summer2024!'
    ]) {
      const res = await post(app, '/auth/register', { username: freshName(), password })
      t.equal(res.statusCode, 400, password)
      t.match(res.json(), {
        code: 'weak_password',
        detail: /most common passwords/,
        errors: [{ pointer: '/body/password' }]
      })
    }
    const named = freshName('carol')
    const res = await post(app, '/auth/register', { username: named, password: `${named}-2026` })
    t.match(res.json(), { code: 'weak_password', detail: /username/ })
  })

  t.test('usernames: 3 to 50 of letters, digits, . _ -; unique regardless of case', async (t) => {
    for (const username of ['ab', 'x'.repeat(51), 'bad name', 'semi;colon', "o'brien"]) {
      const res = await post(app, '/auth/register', { username, password: 'securepassword' })
      t.equal(res.statusCode, 400, username)
      t.equal(res.json().errors[0].pointer, '/body/username')
    }
    const u = await register(app, freshName('Dana'))
    const dup = await post(app, '/auth/register', { username: u.username.toUpperCase(), password: 'securepassword' })
    t.equal(dup.statusCode, 409)
    t.match(dup.headers['content-type'], /application\/problem\+json/)
    t.equal(dup.json().code, 'username_taken')
  })

  t.test('concurrent registrations of one name: one 201, the rest 409', async (t) => {
    const username = freshName('race')
    const results = await Promise.all(
      Array.from({ length: 4 }, () => post(app, '/auth/register', { username, password: 'securepassword' }))
    )
    t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409])
  })

  t.test('A3 (API3 BOPLA): unknown fields such as role are 400, never stored', async (t) => {
    const username = freshName()
    const res = await post(app, '/auth/register', { username, password: 'securepassword', role: 'admin' })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { code: 'validation_failed', errors: [{ pointer: '/body/role' }] })
    t.same(await app.db.query('SELECT id FROM users WHERE username = ?', [username]), [], 'nothing stored')
  })

  t.test('passwords are argon2id with at least OWASP parameters', async (t) => {
    const u = await register(app)
    const [row] = await app.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', [u.id])
    t.match(row!.password_hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/)
  })
})
