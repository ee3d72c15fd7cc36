import t from 'tap'
import {
  authApp, EVERY_HASH_WAITS, code, enrolledUser, freshName, get, login, post, twoInstances, userWithRole
} from '../auth/flow.js'

const withoutRequestId = (body: string) => ({ ...JSON.parse(body), request_id: undefined })

t.test(
  'T6 (NIST 800-63B §5.2.2; RFC 4226 §7.3; ASVS 6.3.1): per-account throttling of failed passwords and codes',
  async (t) => {
    const config = { LOGIN_MAX_FAILURES: 10, LOGIN_LOCK_SECONDS: 900, ...EVERY_HASH_WAITS }
    const { app, clock } = await authApp(t, { config })

    t.test('growing delays after half the limit, a lock at the limit, the same for an unknown name', async (t) => {
      const u = await enrolledUser(app, clock)
      const ghost = freshName('ghost')
      for (const name of [u.username, ghost]) {
        const statuses: number[] = []
        for (let i = 0; i < 10; i++) {
          statuses.push((await post(app, '/auth/login', { username: name, password: 'not the password' })).statusCode)
          clock.advance(60_000) // past any delay, not past the lock
        }
        t.same(statuses, Array(10).fill(401), `${name}: 10 failures answered 401`)
        const locked = await post(app, '/auth/login', { username: name, password: u.password })
        t.equal(locked.statusCode, 429, `${name}: locked, even with the right password`)
        t.equal(locked.json().code, 'login_throttled')
        t.ok(Number(locked.headers['retry-after']) > 800, 'Retry-After says how long')
      }
      const [a, b] = await Promise.all(
        [u.username, ghost].map((name) => post(app, '/auth/login', { username: name, password: 'x' }))
      )
      t.same(
        withoutRequestId(a!.body),
        { ...withoutRequestId(b!.body), detail: withoutRequestId(a!.body).detail },
        'a locked account and a locked unknown name answer alike'
      )
      t.equal(a!.statusCode, b!.statusCode)

      clock.advance(900_000)
      t.equal(
        (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
          .statusCode,
        200,
        'the lock expires; success works and resets the count'
      )
    })

    t.test('a delay: right after the sixth failure the next try waits', async (t) => {
      const u = await enrolledUser(app, clock)
      for (let i = 0; i < 6; i++) await post(app, '/auth/login', { username: u.username, password: 'nope nope' })
      const delayed = await post(app, '/auth/login', { username: u.username, password: u.password })
      t.equal(delayed.statusCode, 429)
      t.equal(delayed.headers['retry-after'], '1')
      clock.advance(1000)
      t.match((await post(app, '/auth/login', { username: u.username, password: u.password })).json(), {
        mfa_required: true
      })
    })

    t.test('wrong codes count too (login with code, the mfa step, recovery codes), and a success resets', async (t) => {
      const u = await enrolledUser(app, clock)
      const pause = () => clock.advance(60_000) // past the growing delays
      for (let i = 0; i < 4; i++) {
        t.equal(
          (
            await post(app, '/auth/login', {
              username: u.username,
              password: u.password,
              code: code(u.secret, clock, 9)
            })
          ).json().code,
          'invalid_code'
        )
        pause()
        const mfa = (await post(app, '/auth/login', { username: u.username, password: u.password })).json().mfa_token
        pause()
        t.equal(
          (await post(app, '/auth/login/2fa', { mfa_token: mfa, recovery_code: 'aaaa-bbbb-cccc-dddd' })).json().code,
          'invalid_code'
        )
        pause()
      }
      const [row] = await app.db.query<{ failures: number }>(
        'SELECT failures FROM login_throttle WHERE username_normalized = ?',
        [u.username.toLowerCase()]
      )
      t.equal(row!.failures, 8, 'eight failed codes counted; password-only steps gave their slot back')
      t.equal(
        (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
          .statusCode,
        200
      )
      t.same(
        await app.db.query('SELECT failures FROM login_throttle WHERE username_normalized = ?', [
          u.username.toLowerCase()
        ]),
        [],
        'a full success clears the record'
      )
    })

    t.test('concurrent guesses cannot exceed the limit', async (t) => {
      const u = await enrolledUser(app, clock)
      const results = await Promise.all(
        Array.from({ length: 30 }, () => post(app, '/auth/login', { username: u.username, password: 'guess guess' }))
      )
      const checked = results.filter((r) => r.statusCode === 401).length
      t.ok(checked <= 10, `${checked} of 30 concurrent guesses were checked`)
      t.equal(results.filter((r) => r.statusCode === 429).length, 30 - checked)
    })

    t.test('an admin can unlock; the lock and the unlock are audited', async (t) => {
      const u = await enrolledUser(app, clock)
      for (let i = 0; i < 10; i++) {
        await post(app, '/auth/login', { username: u.username, password: 'nope nope' })
        clock.advance(60_000)
      }
      t.equal((await post(app, '/auth/login', { username: u.username, password: u.password })).statusCode, 429)
      const admin = await userWithRole(app, clock, 'admin')
      const token = await login(app, clock, admin)
      t.equal((await post(app, `/api/users/${u.id}/unlock`, {}, token)).statusCode, 200)
      t.match((await post(app, '/auth/login', { username: u.username, password: u.password })).json(), {
        mfa_required: true
      })
      const events = (await get(app, `/api/audit?user_id=${u.id}`, token))
        .json()
        .items.map((e: { event: string }) => e.event)
      t.ok(events.includes('account_locked') && events.includes('account_unlocked'))
    })
  }
)

t.test('T6 across instances: the account lock is shared', async (t) => {
  const { a, b, sync } = await twoInstances(t, { LOGIN_MAX_FAILURES: 4 })
  const u = await enrolledUser(a.app, a.clock)
  sync()
  for (let i = 0; i < 4; i++) {
    const app = i % 2 === 0 ? a.app : b.app
    t.equal((await post(app, '/auth/login', { username: u.username, password: 'wrong wrong' })).statusCode, 401)
    a.clock.advance(10_000)
    sync()
  }
  t.equal(
    (await post(b.app, '/auth/login', { username: u.username, password: u.password })).statusCode,
    429,
    'locked on B by failures on A and B'
  )
  t.equal(
    (await post(a.app, '/auth/login', { username: u.username, password: u.password })).statusCode,
    429,
    'and on A'
  )
})
