import t from 'tap'
import { stores } from '../helper.js'
import { authApp, enrolledUser, get, loginTokens, post, register } from '../auth/flow.js'

const HOUR = 3600 * 1000

for (const store of stores) {
  t.test(
    `purge deletes exactly what has ended: sessions, expired one-time tokens, old throttle rows (${store})`,
    async (t) => {
      const { app, clock } = await authApp(t, { store })
      const count = async (sql: string, params: Array<string | number> = []) =>
        (await app.db.query<{ n: number }>(sql, params))[0]!.n
      const throttled = (name: string) =>
        count('SELECT COUNT(*) AS n FROM login_throttle WHERE username_normalized = ?', [name])

      // the day before: a session that lives on, one that was logged out, tokens that expire, a failed login
      const u = await enrolledUser(app, clock)
      const live = await loginTokens(app, clock, u)
      const ended = await loginTokens(app, clock, u)
      t.equal((await post(app, '/auth/logout', {}, ended.access_token)).statusCode, 204)
      t.ok(
        (await post(app, '/auth/login', { username: u.username, password: u.password })).json().mfa_token,
        'an mfa token, expiring in minutes'
      )
      const early = await register(app)
      t.equal(
        (await post(app, '/auth/login', { username: early.username, password: 'wrong password' })).statusCode,
        401
      )
      // one row or more per name (per client address, and account-wide)
      const [earlyRows, unfinishedRows] = [await throttled(early.username), await throttled(u.username)]
      t.ok(earlyRows >= 1, 'the failed login left throttle rows')
      t.ok(unfinishedRows >= 1, 'so did the unfinished login (password step only)')

      clock.advance(25 * HOUR - 901_000)
      await register(app) // its enrollment token expires a second before the purge
      clock.advance(901_000)
      const late = await register(app)
      t.equal((await post(app, '/auth/login', { username: late.username, password: 'wrong password' })).statusCode, 401)
      const now = clock.now()
      const lateRows = await throttled(late.username)
      t.ok(lateRows >= 1)
      const expiredTokens = await count('SELECT COUNT(*) AS n FROM auth_tokens WHERE expires_at <= ?', [now])
      const liveTokens = await count('SELECT COUNT(*) AS n FROM auth_tokens WHERE expires_at > ?', [now])
      t.ok(
        expiredTokens >= 4 && liveTokens >= 1,
        `${expiredTokens} expired and ${liveTokens} live one-time tokens to start from`
      )
      const sessionsBefore = await count('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', [u.id])
      t.equal(sessionsBefore, 2)

      const deleted = await app.services.sessions.purge()
      t.equal(
        deleted,
        1 + expiredTokens + earlyRows + unfinishedRows,
        'one session, every expired token, the day-old throttle rows'
      )
      t.equal(
        await count('SELECT COUNT(*) AS n FROM auth_tokens WHERE expires_at <= ?', [now]),
        0,
        'no expired token left'
      )
      t.equal(
        await count('SELECT COUNT(*) AS n FROM auth_tokens WHERE expires_at > ?', [now]),
        liveTokens,
        'every live token kept'
      )
      t.equal(
        (
          await app.inject({
            url: `/auth/generate_qr/${late.username}`,
            headers: { authorization: `Bearer ${late.enrollmentToken}` }
          })
        ).statusCode,
        200,
        'a live enrollment token still works'
      )
      t.same(
        [await throttled(early.username), await throttled(u.username)],
        [0, 0],
        'the day-old throttle rows are gone'
      )
      t.equal(await throttled(late.username), lateRows, 'the fresh ones stay')
      t.equal(
        await count('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', [u.id]),
        1,
        'the logged-out session is gone'
      )
      t.equal(
        (
          await get(
            app,
            '/auth/sessions',
            (await post(app, '/auth/refresh', { refresh_token: live.refresh_token })).json().access_token
          )
        ).statusCode,
        200,
        'the live session still refreshes'
      )
      t.equal(await app.services.sessions.purge(), 0, 'a second purge finds nothing')
    }
  )
}
