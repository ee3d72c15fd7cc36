import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, login, post, userWithRole, twoInstances } from '../auth/flow.js'
import { stores } from '../helper.js'
import { newApiKey } from '../../src/api-keys/key-format.js'
import { sha256 } from '../../src/auth/opaque.js'
import { call, createKey, product } from './flow.js'

/** Every statement the app sends to its store, recorded as it passes (the driver itself still runs them). */
function recordStatements (app: FastifyInstance) {
  const seen: Array<{ sql: string; params: readonly unknown[] }> = []
  const db = app.db as unknown as Record<
    'query' | 'execute',
    (sql: string, params?: readonly unknown[]) => Promise<unknown>
  >
  for (const method of ['query', 'execute'] as const) {
    const original = db[method].bind(db)
    db[method] = (sql, params = []) => {
      seen.push({ sql, params })
      return original(sql, params)
    }
  }
  return seen
}

const flip = (key: string, i: number) => key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1)

for (const store of stores) {
  t.test(`K7: a wrong checksum costs no lookup, a well-formed unknown key one indexed lookup (${store})`, async (t) => {
    const { app, clock } = await authApp(t, { store })
    const u = await userWithRole(app, clock, 'viewer')
    const { key } = await createKey(app, await login(app, clock, u))
    const seen = recordStatements(app)
    for (const bad of [
      flip(key, 7),
      flip(key, 30),
      flip(key, key.length - 2),
      key.slice(0, -1),
      `${key}x`,
      'sapi_short',
      'sapi_' + 'A'.repeat(49)
    ]) {
      const res = await call(app, 'GET', '/api/products', bad)
      t.equal(res.statusCode, 401, bad)
      t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="malformed api key"')
    }
    t.same(seen, [], 'not one statement reached the store')

    const unknown = newApiKey()
    const res = await call(app, 'GET', '/api/products', unknown)
    t.equal(res.statusCode, 401)
    t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="unknown api key"')
    t.equal(seen.length, 1, 'one statement')
    const lookup = seen[0]!
    t.same(lookup.params, [sha256(unknown)], 'by the hash of the key')
    // the plan of that statement for a key that exists (for a missing one MySQL answers "no matching row" without a
    // plan)
    const existing = [sha256(key)]
    if (store === 'mysql') {
      const plan = await app.db.query<{ table: string; key: string | null; type: string }>(
        `EXPLAIN ${lookup.sql}`,
        existing
      )
      t.match(
        plan.find((p) => p.table === 'k'),
        { key: 'api_keys_hash' },
        `by the unique index on key_hash: ${JSON.stringify(plan)}`
      )
      t.notOk(
        plan.some((p) => p.type === 'ALL' && p.table === 'k'),
        'no scan of api_keys'
      )
    } else {
      const plan = await app.db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${lookup.sql}`, existing)
      t.ok(
        plan.some((p) => /SEARCH k USING (COVERING )?INDEX api_keys_hash/.test(p.detail)),
        JSON.stringify(plan)
      )
      t.notOk(
        plan.some((p) => /^SCAN k\b/.test(p.detail)),
        'no scan of api_keys'
      )
    }
    seen.length = 0
    await call(app, 'GET', '/api/products', key)
    const known = seen.length
    await call(app, 'GET', '/api/products', key)
    t.ok(seen.length < 2 * known, 'a known key is cached like the session check: a repeat skips its lookup')
    seen.length = 0
    await call(app, 'GET', '/api/products', unknown)
    t.equal(seen.length, 1, 'an unknown key is not cached (N3: minted well-formed keys cannot evict live entries)')
  })

  t.test(`K5a: keys checked in one event-loop turn are read in one query, each with its own answer (${store})`,
    async (t) => {
      const { app, clock } = await authApp(t, { store })
      const admin = await login(app, clock, await userWithRole(app, clock, 'admin'))
      const editor = await userWithRole(app, clock, 'editor')
      const token = await login(app, clock, editor)
      const leaving = await userWithRole(app, clock, 'editor')
      const viewer = await userWithRole(app, clock, 'viewer')
      // an unknown key first: the IN list is padded with the first hash
      const expected = new Map<string, [number, string]>([[newApiKey(), [401, 'unknown api key']]])
      expected.set((await createKey(app, token, ['products:read'])).key, [403, ''])
      expected.set((await createKey(app, token, ['products:read', 'products:write'])).key, [201, ''])
      const revoked = await createKey(app, token, ['products:read', 'products:write'])
      t.equal((await call(app, 'DELETE', `/api/keys/${revoked.id}`, token)).statusCode, 204)
      expected.set(revoked.key, [401, 'api key revoked'])
      const gone = await createKey(app, await login(app, clock, leaving), ['products:read', 'products:write'])
      t.equal((await post(app, `/api/users/${leaving.id}/disable`, {}, admin)).statusCode, 200)
      expected.set(gone.key, [401, 'api key owner disabled'])
      expected.set((await createKey(app, await login(app, clock, viewer), ['products:read'])).key, [403, ''])
      // a key made with products:write whose owner was then demoted: 403, from the owner's permissions now
      const demoted = await userWithRole(app, clock, 'editor')
      expected.set((await createKey(app, await login(app, clock, demoted), ['products:read', 'products:write'])).key,
        [403, ''])
      t.equal((await app.inject({
        method: 'PUT',
        url: `/api/users/${demoted.id}/roles`,
        headers: { authorization: `Bearer ${admin}` },
        payload: { roles: ['viewer'] }
      })).statusCode, 200)
      clock.advance(app.config.SESSION_CHECK_CACHE_MS) // nothing cached: every key is looked up
      const seen = recordStatements(app)
      const keys = [...expected.keys(), ...expected.keys()]
      const answers = await Promise.all(keys.map((key) => call(app, 'POST', '/api/products', key, product)))
      const lookups = seen.filter(({ sql }) => /FROM api_keys k JOIN users/.test(sql))
      t.equal(lookups.length, 1, `${keys.length} checks of ${expected.size} keys: one query`)
      const unknownHash = sha256([...expected.keys()][0]!)
      t.same(lookups[0]?.params.slice(0, 1), [unknownHash], 'the unknown key first')
      t.same(lookups[0]?.params.slice(7), [unknownHash], '7 keys padded to 8 with the first')
      t.same(
        answers.map((res) => [res.statusCode, /error_description="([^"]*)"/.exec(res.headers['www-authenticate'] as
          string ?? '')?.[1] ?? '']),
        keys.map((key) => expected.get(key)),
        'each its own answer: its permissions, its revocation, its owner'
      )
    })
}

t.test(
  'K4, K5: another instance (same MySQL database) sees a revocation, a demotion and a disabling within ' +
    'SESSION_CHECK_CACHE_MS',
  async (t) => {
    const { a, b, sync } = await twoInstances(t)
    const cacheMs = b.app.config.SESSION_CHECK_CACHE_MS
    const u = await userWithRole(a.app, a.clock, 'editor')
    const admin = await userWithRole(a.app, a.clock, 'admin')
    sync()
    const token = await login(a.app, a.clock, u)
    const revoked = await createKey(a.app, token, ['products:read'])
    const demoted = await createKey(a.app, token, ['products:read', 'products:write'])
    const adminToken = await login(a.app, a.clock, admin)
    sync()

    t.equal((await call(b.app, 'GET', '/api/products', revoked.key)).statusCode, 200, 'B has looked the key up')
    t.equal((await call(a.app, 'DELETE', `/api/keys/${revoked.id}`, token)).statusCode, 204)
    t.equal((await call(a.app, 'GET', '/api/products', revoked.key)).statusCode, 401, 'A: at once')
    b.clock.advance(cacheMs)
    t.equal(
      (await call(b.app, 'GET', '/api/products', revoked.key)).statusCode,
      401,
      'B: within SESSION_CHECK_CACHE_MS'
    )

    t.equal((await call(b.app, 'POST', '/api/products', demoted.key, product)).statusCode, 201)
    const put = await a.app.inject({
      method: 'PUT',
      url: `/api/users/${u.id}/roles`,
      headers: { authorization: `Bearer ${adminToken}` },
      payload: { roles: ['viewer'] }
    })
    t.equal(put.statusCode, 200)
    b.clock.advance(cacheMs)
    t.equal((await call(b.app, 'POST', '/api/products', demoted.key, product)).statusCode, 403, 'B: narrowed')
    t.equal((await call(b.app, 'GET', '/api/products', demoted.key)).statusCode, 200)

    t.equal((await post(a.app, `/api/users/${u.id}/disable`, {}, adminToken)).statusCode, 200)
    b.clock.advance(cacheMs)
    t.equal((await call(b.app, 'GET', '/api/products', demoted.key)).statusCode, 401, 'B: the owner is disabled')
  }
)

t.test('K8: per-key rate limit: API_KEY_RATE_LIMIT per minute, per key whatever the address', async (t) => {
  const { app, clock } = await authApp(t, { store: 'sqlite', config: { API_KEY_RATE_LIMIT: 3 } })
  const u = await userWithRole(app, clock, 'viewer')
  const token = await login(app, clock, u)
  const one = await createKey(app, token)
  const two = await createKey(app, token)
  const statuses = []
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) {
    statuses.push((await call(app, 'GET', '/api/products', one.key, undefined, ip)).statusCode)
  }
  t.same(statuses, [200, 200, 200, 429])
  const limited = await call(app, 'GET', '/api/products', one.key)
  t.equal(limited.json().code, 'api_key_rate_limited')
  t.match(limited.headers['retry-after'], /^\d+$/)
  t.equal((await call(app, 'GET', '/api/products', two.key)).statusCode, 200, 'another key has its own count')
  t.equal(
    (await call(app, 'GET', '/api/products', token)).statusCode,
    200,
    "the owner's access token is not limited by it"
  )
})

t.test('K8: per-key rate limit shared through Redis by two instances', async (t) => {
  const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const { a, b, sync } = await twoInstances(t, { API_KEY_RATE_LIMIT: 4, REDIS_URL })
  const u = await userWithRole(a.app, a.clock, 'viewer')
  // a new key: a counter no other run has touched
  const { key } = await createKey(a.app, await login(a.app, a.clock, u))
  sync()
  const statuses = []
  for (const app of [a.app, b.app, a.app, b.app, a.app, b.app]) {
    statuses.push((await call(app, 'GET', '/api/products', key)).statusCode)
  }
  t.same(statuses, [200, 200, 200, 200, 429, 429], 'four in all, whichever instance served them')
})

t.test(
  'K3 (F5): 50 live keys at most, even with 70 creations at once (MariaDB: the count and insert are serialized ' +
    'per owner)',
  async (t) => {
    const { app, clock } = await authApp(t, { store: 'mysql' })
    const u = await userWithRole(app, clock, 'viewer')
    const token = await login(app, clock, u)
    const body = { name: 'race', permissions: ['products:read'], expires_in_days: 1 }
    const statuses = await Promise.all(
      Array.from({ length: 70 }, () =>
        app
          .inject({ method: 'POST', url: '/api/keys', headers: { authorization: `Bearer ${token}` }, payload: body })
          .then((r) => r.statusCode)
      )
    )
    t.equal(statuses.filter((s) => s === 201).length, 50)
    t.equal(statuses.filter((s) => s === 409).length, 20)
    const [row] = await app.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys WHERE user_id = ?', [u.id])
    t.equal(Number(row!.n), 50)
  }
)

t.test('K9 (F9): behind a proxy, a forged address is never stored; listings keep working', async (t) => {
  const { app, clock } = await authApp(t, { store: 'sqlite', config: { TRUST_PROXY: true } })
  const u = await userWithRole(app, clock, 'viewer')
  const token = await login(app, clock, u)
  const forged = await createKey(app, token)
  const zoned = await createKey(app, token)
  const res = await app.inject({
    url: '/api/products',
    headers: { authorization: `Bearer ${forged.key}`, 'x-forwarded-for': 'evil-not-an-ip, 10.0.0.1' }
  })
  t.equal(res.statusCode, 200)
  const withZone = await app.inject({
    url: '/api/products',
    remoteAddress: 'fe80::1%eth0',
    headers: { authorization: `Bearer ${zoned.key}` }
  })
  t.equal(withZone.statusCode, 200)
  const stored = await app.db.query<{ id: number; last_used_ip: string | null }>(
    'SELECT id, last_used_ip FROM api_keys WHERE user_id = ? ORDER BY id',
    [u.id]
  )
  t.same(
    stored.map((k) => k.last_used_ip),
    [null, 'fe80::1'],
    'not an IP: null; a zone id is dropped'
  )
  const listed = await app.inject({ url: '/api/keys', headers: { authorization: `Bearer ${token}` } })
  t.equal(listed.statusCode, 200)
  t.same(
    listed.json().items.map((k: { last_used_ip: string | null }) => k.last_used_ip),
    [null, 'fe80::1']
  )
  const [event] = await app.db.query<{ details: string }>(
    'SELECT details FROM audit_events WHERE event = ? AND details LIKE ?',
    ['api_key_new_ip', `key ${forged.id} %`]
  )
  t.notMatch(event?.details, /evil/, "nor audited as the key's address")
})
