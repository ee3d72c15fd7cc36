import t from 'tap'
import { authApp, enrolledUser, get, login, post, userWithRole } from '../auth/flow.js'
import { buildTestApp, createTestDatabase, sharedKeys } from '../helper.js'

t.test('A4 (API4, API6): /auth/* answers 429 with Retry-After per IP, counted before authentication', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: { RATE_LIMIT_AUTH_MAX: 5, RATE_LIMIT_MAX: 8 } })
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) {
    statuses.push(
      (await app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: 'Bearer forged' } }))
        .statusCode
    )
  }
  t.same(statuses, [401, 401, 401, 401, 401, 429], 'failed authentications are counted')
  const limited = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'a', password: 'b' } })
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /application\/problem\+json/)
  t.equal(limited.json().code, 'rate_limited')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After')
  t.equal((await app.inject({ url: '/health/live' })).statusCode, 200, 'other routes have their own, larger budget')
  for (let i = 0; i < 8; i++) await app.inject({ url: '/health/live' })
  t.equal((await app.inject({ url: '/health/live' })).statusCode, 429, 'which runs out too')
})

t.test('A4: the per-IP limit is shared between instances through Redis', async (t) => {
  const url = await createTestDatabase(t)
  const prefix = {
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    RATE_LIMIT_AUTH_MAX: 4,
    DATABASE_URL: url,
    ...sharedKeys()
  }
  const a = await buildTestApp(t, { config: prefix })
  const b = await buildTestApp(t, { config: prefix })
  // a unique address per run, so reruns and parallel files never share a counter
  const ip = `10.${process.pid % 250}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
  const hit = (app: typeof a) =>
    app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: 'x' }, remoteAddress: ip })
  const statuses = [await hit(a), await hit(b), await hit(a), await hit(b), await hit(a)].map((r) => r.statusCode)
  t.same(statuses, [401, 401, 401, 401, 429], 'four on A and B together use up the budget')
  t.equal((await hit(b)).statusCode, 429)
})

t.test('bounds: page size, body size, string lengths, password length', async (t) => {
  const { app, clock } = await authApp(t, { store: 'sqlite', config: { BODY_LIMIT: 4096 } })
  const token = await login(app, clock, await enrolledUser(app, clock))
  t.equal((await get(app, '/api/products?limit=1000', token)).statusCode, 400)
  t.equal(
    (await post(app, '/api/products', { name: 'x', description: 'y'.repeat(5000), price: 1, quantity: 1 }, token))
      .statusCode,
    413
  )
  t.equal((await post(app, '/auth/login', { username: 'x'.repeat(51), password: 'p' })).statusCode, 400)
  t.equal((await post(app, '/auth/login', { username: 'someone', password: 'p'.repeat(129) })).statusCode, 400)
})

t.test('security headers for an API; Swagger UI keeps working; CORS only for listed origins', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', config: { CORS_ORIGINS: 'https://app.example' } })
  const res = await app.inject({ url: '/health/live', headers: { origin: 'https://evil.example' } })
  // the same headers on an answer, a refusal (problem+json) and a route that does not exist
  // (a malformed URL is answered by Fastify before any hook: app.ts's frameworkErrors)
  const answers = [res, ...await Promise.all(['/api/products', '/no/such/route', '/api/products/%E0%A4%A']
    .map((url) => app.inject({ url })))]
  t.same(answers.map((r) => r.statusCode), [200, 401, 404, 400])
  for (const r of answers) {
    t.has(r.headers, {
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0'
    }, `${r.statusCode}: every security header, exactly`)
    t.match(r.headers['x-request-id'], /\S/, `${r.statusCode}: a request id`)
  }
  t.notOk(res.headers['access-control-allow-origin'], 'an unlisted origin gets no CORS grant')
  const ok = await app.inject({ url: '/health/live', headers: { origin: 'https://app.example' } })
  t.equal(ok.headers['access-control-allow-origin'], 'https://app.example')
  const docs = await app.inject({ url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-security-policy'], /script-src 'self'/, 'Swagger UI sends the CSP it needs')
})

t.test(
  'A6 (ASVS 16.3): logins, failures, 2FA, role changes and reuse are in the audit log, with no secret',
  async (t) => {
    const { app, clock } = await authApp(t)
    const admin = await userWithRole(app, clock, 'admin')
    const token = await login(app, clock, admin)
    const u = await enrolledUser(app, clock)
    await post(app, '/auth/login', { username: u.username, password: 'guessed-pass-123' })
    const tokens = (
      await post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: u.recoveryCodes[0]! })
    ).json()
    await post(app, '/auth/refresh', { refresh_token: tokens.refresh_token })
    await post(app, '/auth/refresh', { refresh_token: tokens.refresh_token })
    await app.inject({
      method: 'PUT',
      url: `/api/users/${u.id}/roles`,
      payload: { roles: ['viewer'] },
      headers: { authorization: `Bearer ${token}` }
    })

    const res = await get(app, `/api/audit?user_id=${u.id}&limit=100`, token)
    t.equal(res.statusCode, 200)
    const events = res.json().items as Array<{ event: string; ip: string; request_id: string }>
    for (const e of [
      'registered',
      'two_factor_confirmed',
      'login_failed',
      'login_succeeded',
      'recovery_code_used',
      'refresh_reuse_detected',
      'role_changed'
    ]) {
      t.ok(
        events.some((x) => x.event === e),
        e
      )
    }
    t.same(
      events.filter((e) => !e.ip || !e.request_id),
      [],
      'each with IP and request id'
    )
    for (const secret of [u.password, u.secret, u.recoveryCodes[0]!, tokens.refresh_token, 'guessed-pass-123']) {
      t.notOk(res.body.includes(secret), `no ${secret.slice(0, 5)}…`)
    }

    const filtered = (await get(app, '/api/audit?event=login_failed&limit=5', token)).json()
    t.ok(filtered.items.length >= 1 && filtered.items.every((e: { event: string }) => e.event === 'login_failed'))
    const page = (await get(app, '/api/audit?limit=2', token)).json()
    const next = (await get(app, `/api/audit?limit=2&cursor=${page.next_cursor}`, token)).json()
    t.ok(next.items[0].id < page.items[1].id, 'keyset pages, newest first')
    const future = new Date(clock.now() + 86400000).toISOString()
    t.same((await get(app, `/api/audit?from=${future}`, token)).json().items, [], 'time range')
  }
)
