import t from 'tap'
import { authApp, code, enrolledUser, get, loginTokens, post, twoInstances } from '../auth/flow.js'

const del = (app: Awaited<ReturnType<typeof authApp>>['app'], url: string, token: string) =>
  app.inject({ method: 'DELETE', url, headers: { authorization: `Bearer ${token}` } })

t.test('sessions', async (t) => {
  const { app, clock } = await authApp(t)

  t.test("S5 (ASVS 7.4.1): after logout, both the refresh token and that session's access token get 401", async (t) => {
    const u = await enrolledUser(app, clock)
    const s = await loginTokens(app, clock, u)
    const other = await loginTokens(app, clock, u)
    t.equal((await post(app, '/auth/logout', {}, s.access_token)).statusCode, 204)
    const after = await get(app, '/auth/sessions', s.access_token)
    t.equal(after.statusCode, 401)
    t.match(after.json(), { code: 'invalid_token', detail: /session/ })
    t.match(after.headers['www-authenticate'], /^Bearer error="invalid_token"/)
    t.equal((await post(app, '/auth/refresh', { refresh_token: s.refresh_token })).statusCode, 401)
    t.equal((await get(app, '/auth/sessions', other.access_token)).statusCode, 200, 'other sessions go on')
  })

  t.test(
    "S7 (ASVS 7.4.5, 7.5.2) and A1 (API1 BOLA): users list and revoke their own sessions; another user's is 404",
    async (t) => {
      const alice = await enrolledUser(app, clock)
      const bob = await enrolledUser(app, clock)
      const a1 = await loginTokens(app, clock, alice, { 'user-agent': 'laptop' })
      const a2 = await loginTokens(app, clock, alice, { 'user-agent': 'phone' })
      const b1 = await loginTokens(app, clock, bob)

      const list = await get(app, '/auth/sessions', a1.access_token)
      t.equal(list.statusCode, 200)
      const items = list.json().items as Array<{ id: string; current: boolean; user_agent: string; ip: string }>
      t.equal(items.length, 2, 'only her own sessions')
      t.same(items.map((s) => s.user_agent).sort(), ['laptop', 'phone'])
      t.equal(items.filter((s) => s.current).length, 1)
      t.equal(items.find((s) => s.current)!.user_agent, 'laptop', 'the calling session is flagged')
      t.notMatch(list.body, /refresh|hash/)

      const bobsId = (await get(app, '/auth/sessions', b1.access_token)).json().items[0].id
      const foreign = await del(app, `/auth/sessions/${bobsId}`, a1.access_token)
      t.equal(foreign.statusCode, 404)
      t.equal(foreign.json().code, 'session_not_found')
      t.equal((await get(app, '/auth/sessions', b1.access_token)).statusCode, 200, "bob's session is untouched")

      const phoneId = items.find((s) => s.user_agent === 'phone')!.id
      t.equal((await del(app, `/auth/sessions/${phoneId}`, a1.access_token)).statusCode, 204)
      t.equal((await get(app, '/auth/sessions', a2.access_token)).statusCode, 401, 'the revoked session is over')
      t.equal((await del(app, `/auth/sessions/${phoneId}`, a1.access_token)).statusCode, 404, 'twice is 404')
      t.equal((await del(app, '/auth/sessions/bad%20id', a1.access_token)).statusCode, 400)
    }
  )

  t.test('logout-all ends every session of the user, this one included', async (t) => {
    const u = await enrolledUser(app, clock)
    const sessions = [await loginTokens(app, clock, u), await loginTokens(app, clock, u)]
    t.equal((await post(app, '/auth/logout-all', {}, sessions[0]!.access_token)).statusCode, 204)
    for (const s of sessions) {
      t.equal((await get(app, '/auth/sessions', s.access_token)).statusCode, 401)
      t.equal((await post(app, '/auth/refresh', { refresh_token: s.refresh_token })).statusCode, 401)
    }
  })

  t.test(
    'P4 (ASVS 6.2.3, 7.4.3): a password change needs the current password and ends the other sessions',
    async (t) => {
      const u = await enrolledUser(app, clock)
      const here = await loginTokens(app, clock, u)
      const elsewhere = await loginTokens(app, clock, u)
      const res = await post(
        app,
        '/auth/password',
        { current_password: u.password, new_password: 'another good passphrase', code: code(u.secret, clock) },
        here.access_token
      )
      t.equal(res.statusCode, 204)
      t.equal((await get(app, '/auth/sessions', here.access_token)).statusCode, 200, 'this session goes on')
      t.equal((await get(app, '/auth/sessions', elsewhere.access_token)).statusCode, 401, 'the other session ended')
      t.equal((await post(app, '/auth/refresh', { refresh_token: elsewhere.refresh_token })).statusCode, 401)
    }
  )

  t.test('a 2FA reset ends every session', async (t) => {
    const u = await enrolledUser(app, clock)
    const s = await loginTokens(app, clock, u)
    t.equal(
      (await post(app, '/auth/2fa/reset', { password: u.password, code: code(u.secret, clock) }, s.access_token))
        .statusCode,
      200
    )
    t.equal((await get(app, '/auth/sessions', s.access_token)).statusCode, 401)
  })

  t.test('every bearer route refuses a missing token before looking at the body', async (t) => {
    for (const [method, url] of [
      ['POST', '/auth/logout'],
      ['POST', '/auth/logout-all'],
      ['GET', '/auth/sessions'],
      ['DELETE', '/auth/sessions/x'],
      ['POST', '/auth/2fa/recovery-codes'],
      ['POST', '/auth/2fa/reset'],
      ['POST', '/auth/password']
    ] as const) {
      const res = await app.inject({ method, url, ...(method === 'POST' && { payload: { nonsense: true } }) })
      t.equal(res.statusCode, 401, `${method} ${url}`)
      t.equal(res.json().code, 'unauthenticated')
    }
  })
})

t.test('revocation reaches every instance within SESSION_CHECK_CACHE_MS (logout on A, refused on B)', async (t) => {
  const cacheMs = 500
  const { a, b, sync } = await twoInstances(t, { SESSION_CHECK_CACHE_MS: cacheMs })
  const u = await enrolledUser(a.app, a.clock)
  const s = await loginTokens(a.app, a.clock, u)
  sync()
  t.equal(
    (await get(b.app, '/auth/sessions', s.access_token)).statusCode,
    200,
    'B accepts the token (and caches the session)'
  )
  t.equal((await post(a.app, '/auth/logout', {}, s.access_token)).statusCode, 204)
  t.equal(
    (await post(b.app, '/auth/refresh', { refresh_token: s.refresh_token })).statusCode,
    401,
    'the refresh token at once'
  )
  b.clock.advance(cacheMs)
  t.equal(
    (await get(b.app, '/auth/sessions', s.access_token)).statusCode,
    401,
    `and no longer: refused ${cacheMs} ms after the logout by B's clock`
  )
})

t.test('a refresh token rotated on instance A and replayed on B is detected as reuse', async (t) => {
  const { a, b, sync } = await twoInstances(t)
  const u = await enrolledUser(a.app, a.clock)
  const s = await loginTokens(a.app, a.clock, u)
  sync()
  const rotated = (await post(a.app, '/auth/refresh', { refresh_token: s.refresh_token })).json()
  const replay = await post(b.app, '/auth/refresh', { refresh_token: s.refresh_token })
  t.equal(replay.statusCode, 401)
  t.equal(replay.json().code, 'refresh_token_reused')
  t.equal(
    (await post(a.app, '/auth/refresh', { refresh_token: rotated.refresh_token })).statusCode,
    401,
    'the session is revoked on A too'
  )
})
