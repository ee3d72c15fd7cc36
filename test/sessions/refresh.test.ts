import t from 'tap'
import { authApp, enrolledUser, get, loginTokens, post } from '../auth/flow.js'

const DAY = 24 * 3600 * 1000

t.test('refresh tokens', async (t) => {
  const { app, clock } = await authApp(t, { config: { REFRESH_IDLE_TTL: 7 * 86400, REFRESH_ABSOLUTE_TTL: 30 * 86400 } })

  t.test(
    'S1 (RFC 9700 §4.14.2): each refresh returns a new refresh token; the old one is refused afterwards',
    async (t) => {
      const u = await enrolledUser(app, clock)
      const first = await loginTokens(app, clock, u)
      t.match(first.refresh_token, /^[\w-]{43}$/, '256 random bits')
      const r1 = await post(app, '/auth/refresh', { refresh_token: first.refresh_token })
      t.equal(r1.statusCode, 200)
      t.equal(r1.headers['cache-control'], 'no-store')
      const second = r1.json()
      t.match(second, { access_token: String, refresh_token: String, token_type: 'Bearer', expires_in: 900 })
      t.not(second.refresh_token, first.refresh_token)
      t.not(second.access_token, first.access_token)
      t.equal((await get(app, '/auth/sessions', second.access_token)).statusCode, 200, 'the new access token works')
      const r2 = await post(app, '/auth/refresh', { refresh_token: second.refresh_token })
      t.equal(r2.statusCode, 200, 'the new refresh token works once too')
      for (const spent of [first.refresh_token, second.refresh_token]) {
        const replay = await post(app, '/auth/refresh', { refresh_token: spent })
        t.equal(replay.statusCode, 401, 'a spent refresh token is refused')
        t.match(replay.json().code, /^refresh_token_(reused|invalid)$/)
        t.notOk(replay.json().access_token, 'and yields no tokens')
      }
    }
  )

  t.test(
    'S2 (RFC 9700 §4.14.2): replaying a rotated refresh token is 401 and revokes the whole session, its newest ' +
      'token too; audited',
    async (t) => {
      const u = await enrolledUser(app, clock)
      const first = await loginTokens(app, clock, u, { 'user-agent': 'victim-app/1.0' })
      const second = (await post(app, '/auth/refresh', { refresh_token: first.refresh_token })).json()
      const replay = await post(app, '/auth/refresh', { refresh_token: first.refresh_token })
      t.equal(replay.statusCode, 401)
      t.equal(replay.json().code, 'refresh_token_reused')
      t.equal(
        (await post(app, '/auth/refresh', { refresh_token: second.refresh_token })).json().code,
        'refresh_token_invalid',
        'the newest refresh token died with the session'
      )
      t.equal((await get(app, '/auth/sessions', second.access_token)).statusCode, 401, "the session's access token too")
      const events = await app.db.query<{ event: string; target_user_id: number; session_id: string }>(
        'SELECT event, target_user_id, session_id FROM audit_events WHERE event = ? AND target_user_id = ?',
        ['refresh_reuse_detected', u.id]
      )
      t.equal(events.length, 1, 'an audit event records the reuse')
      t.ok(events[0]!.session_id)
    }
  )

  t.test(
    'S3: concurrent refreshes with the same token: exactly one succeeds, and the losers end the session',
    async (t) => {
      for (let round = 0; round < 3; round++) {
        const u = await enrolledUser(app, clock)
        const { refresh_token: refreshToken } = await loginTokens(app, clock, u)
        const refresh = () => post(app, '/auth/refresh', { refresh_token: refreshToken })
        const results = await Promise.all([1, 2, 3, 4].map(refresh))
        t.same(results.map((r) => r.statusCode).sort(), [200, 401, 401, 401], `round ${round}`)
        const losers = results.filter((r) => r.statusCode === 401).map((r) => r.json().code as string)
        t.ok(
          losers.includes('refresh_token_reused'),
          `round ${round}: a loser is told the token was reused (${losers})`
        )
        const winner = results.find((r) => r.statusCode === 200)!.json()
        t.equal(
          (await get(app, '/auth/sessions', winner.access_token)).statusCode,
          401,
          `round ${round}: the winner's access token is dead`
        )
        t.equal(
          (await post(app, '/auth/refresh', { refresh_token: winner.refresh_token })).json().code,
          'refresh_token_invalid',
          `round ${round}: the winner's refresh token is dead`
        )
      }
    }
  )

  t.test('S4 (ASVS 10.4.8): idle expiry slides on use, the absolute lifetime never moves', async (t) => {
    const u = await enrolledUser(app, clock)
    let { refresh_token: token } = await loginTokens(app, clock, u)
    for (let day = 6; day <= 24; day += 6) {
      clock.advance(6 * DAY)
      const res = await post(app, '/auth/refresh', { refresh_token: token })
      t.equal(res.statusCode, 200, `refreshed after 6 idle days (day ${day})`)
      token = res.json().refresh_token
    }
    clock.advance(6 * DAY + 1000) // day 30 + 1 s: within the idle window, past the absolute one
    const late = await post(app, '/auth/refresh', { refresh_token: token })
    t.equal(late.statusCode, 401)
    t.equal(late.json().code, 'refresh_token_invalid')
  })

  t.test('idle expiry: unused for longer than the idle lifetime, the session ends', async (t) => {
    const u = await enrolledUser(app, clock)
    const { refresh_token: refreshToken } = await loginTokens(app, clock, u)
    clock.advance(7 * DAY + 1000)
    t.equal((await post(app, '/auth/refresh', { refresh_token: refreshToken })).json().code, 'refresh_token_invalid')
  })

  t.test('garbage and unknown refresh tokens are 401; an empty one is 400', async (t) => {
    t.equal((await post(app, '/auth/refresh', { refresh_token: 'x'.repeat(43) })).json().code, 'refresh_token_invalid')
    t.equal((await post(app, '/auth/refresh', { refresh_token: '' })).statusCode, 400)
  })

  t.test('only hashes are stored', async (t) => {
    const u = await enrolledUser(app, clock)
    const { refresh_token: refreshToken } = await loginTokens(app, clock, u)
    const dump = JSON.stringify(await app.db.query('SELECT * FROM refresh_tokens'))
    t.notOk(dump.includes(refreshToken))
  })

  t.test('purge deletes ended sessions with their refresh tokens, keeps live ones', async (t) => {
    const u = await enrolledUser(app, clock)
    const live = await loginTokens(app, clock, u)
    const old = await loginTokens(app, clock, u)
    await post(app, '/auth/logout', {}, old.access_token)
    clock.advance(DAY + 1000)
    t.ok((await app.services.sessions.purge()) >= 1)
    const rows = await app.db.query<{ user_id: number }>('SELECT user_id FROM sessions WHERE user_id = ?', [u.id])
    t.equal(rows.length, 1, 'the revoked session is gone, the live one stays')
    t.equal((await post(app, '/auth/refresh', { refresh_token: live.refresh_token })).statusCode, 200)
    t.equal(
      (await post(app, '/auth/refresh', { refresh_token: old.refresh_token })).json().code,
      'refresh_token_invalid'
    )
  })
})
