import t from 'tap'
import { Writable } from 'node:stream'
import { authApp, login, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'
import { sha256 } from '../../src/auth/opaque.js'
import { call, createKey, createKeyRequest, DAY_MS } from './flow.js'

for (const store of stores) {
  t.test(`K9: key events are audited; the key never appears in a log line or an audit row (${store})`, async (t) => {
    let logs = ''
    const logStream = new Writable({
      write (chunk, _enc, done) {
        logs += chunk
        done()
      }
    })
    const { app, clock } = await authApp(t, { store, logStream, config: { LOG_LEVEL: 'trace' } })
    const u = await userWithRole(app, clock, 'editor')
    const token = await login(app, clock, u)
    const created = await createKey(app, token, ['products:read'], 1, 'audited key')
    const other = await createKey(app, token, ['products:read'], 30, 'revoked key')
    const secrets = [created.key, other.key]

    await call(app, 'GET', '/api/products', created.key, undefined, '10.9.0.1') // first use: a new address
    await call(app, 'GET', '/api/products?limit=1', created.key, undefined, '10.9.0.1')
    clock.advance(61_000)
    await call(app, 'GET', '/api/products', created.key, undefined, '10.9.0.2') // another address, a minute later
    clock.advance(61_000)
    await call(app, 'GET', '/api/products', created.key, undefined, '10.9.0.2') // the same address again: not new
    t.equal((await call(app, 'DELETE', `/api/keys/${other.id}`, await login(app, clock, u))).statusCode, 204)
    await call(app, 'GET', '/api/products', other.key) // revoked: refused, logged as a 401
    clock.advance(DAY_MS)
    t.equal((await call(app, 'GET', '/api/products', created.key)).statusCode, 401)
    await call(app, 'GET', '/api/products', created.key) // within the minute: one audit row per key per minute
    await call(app, 'GET', '/auth/sessions', created.key) // refused on /auth
    // a failed creation with a key in the body's name: validation errors must not echo it either
    await createKeyRequest(app, await login(app, clock, u), {
      name: created.key,
      permissions: ['users:write'],
      expires_in_days: 1
    })

    const rows = await app.db.query<Record<string, unknown>>(
      'SELECT * FROM audit_events WHERE target_user_id = ? AND event LIKE ? ORDER BY id',
      [u.id, 'api_key_%']
    )
    t.same(
      rows.map((r) => r.event),
      [
        'api_key_created',
        'api_key_created',
        'api_key_new_ip',
        'api_key_new_ip',
        'api_key_revoked',
        'api_key_expired_used'
      ]
    )
    t.match(rows[0], {
      actor_user_id: u.id,
      details: new RegExp(`^key ${created.id} "audited key" \\(${created.prefix}…\\)`)
    })
    t.match(rows[2], { ip: '10.9.0.1', details: /first use/ })
    t.match(rows[3], { ip: '10.9.0.2', details: /before: 10\.9\.0\.1/ })
    t.match(rows[4], { actor_user_id: u.id, details: `key ${other.id}` })
    const audit = JSON.stringify(await app.db.query('SELECT * FROM audit_events'))
    t.ok(logs.length > 1000, 'requests were logged')
    for (const key of secrets) {
      for (const [where, text] of [
        ['logs', logs],
        ['audit', audit]
      ] as const) {
        t.notMatch(text, key.slice(9), `${where}: no key beyond its display prefix`)
        t.notMatch(text, key.slice(20, 40), `${where}: not even a middle part`)
        t.notMatch(text, sha256(key), `${where}: nor its stored hash`)
      }
    }
  })
}
