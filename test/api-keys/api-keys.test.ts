import t from 'tap'
import { authApp, code, login, loginTokens, nextStep, post, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'
import { call, createKey, createKeyRequest, DAY_MS, product } from './flow.js'

for (const store of stores) {
  t.test(`API keys (${store})`, async (t) => {
    const { app, clock } = await authApp(t, { store })
    const admin = await userWithRole(app, clock, 'admin')
    /** A fresh admin token (subtests move the clock past ACCESS_TOKEN_TTL). */
    const adminLogin = () => login(app, clock, admin)

    t.test('K2: creation: 201 with the key shown once; listed afterwards without it', async (t) => {
      const editor = await userWithRole(app, clock, 'editor')
      const token = await login(app, clock, editor)
      const res = await createKeyRequest(app, token, {
        name: ' CI deploy ',
        permissions: ['products:write', 'products:read'],
        expires_in_days: 90
      })
      t.equal(res.statusCode, 201)
      t.equal(res.headers['cache-control'], 'no-store')
      const created = res.json()
      t.match(created, {
        id: Number,
        name: 'CI deploy',
        key: /^sapi_[0-9A-Za-z]{49}$/,
        permissions: ['products:read', 'products:write']
      })
      t.equal(created.prefix, created.key.slice(0, 9))
      t.equal(created.expires_at, new Date(clock.now() + 90 * DAY_MS).toISOString())
      const listed = (await call(app, 'GET', '/api/keys', token)).json()
      t.equal(listed.items.length, 1)
      t.match(listed.items[0], {
        id: created.id,
        name: 'CI deploy',
        prefix: created.prefix,
        last_used_at: null,
        revoked_at: null
      })
      t.notOk('key' in listed.items[0], 'the key is never listed')
      t.notMatch(JSON.stringify(listed), created.key.slice(9, 30))
      const [stored] = await app.db.query<{ key_hash: string }>('SELECT * FROM api_keys WHERE id = ?', [created.id])
      t.notMatch(JSON.stringify(stored), created.key.slice(9), 'the store holds no part of the key beyond the prefix')
      t.match(stored!.key_hash, /^[0-9a-f]{64}$/)
    })

    t.test(
      'K3: creation needs a recent authentication (step-up): an old login is 401 insufficient_user_authentication',
      async (t) => {
        const u = await userWithRole(app, clock, 'viewer')
        const tokens = await loginTokens(app, clock, u)
        clock.advance((app.config.STEP_UP_MAX_AGE + 1) * 1000)
        const refreshed = (await post(app, '/auth/refresh', { refresh_token: tokens.refresh_token })).json()
          .access_token
        const body = { name: 'late', permissions: ['products:read'], expires_in_days: 1 }
        const old = await createKeyRequest(app, refreshed, body)
        t.equal(old.statusCode, 401)
        t.equal(old.json().code, 'insufficient_user_authentication')
        t.match(old.headers['www-authenticate'], /^Bearer error="insufficient_user_authentication"/)
        const up = await post(app, '/auth/step-up', { code: code(u.secret, clock) }, refreshed)
        t.equal(up.statusCode, 200)
        nextStep(clock)
        t.equal((await createKeyRequest(app, up.json().access_token, body)).statusCode, 201, 'after a step-up')
      }
    )

    t.test(
      'K3: creation is refused: permissions not held, bad lifetimes, empty or unknown permissions, over 50 live keys',
      async (t) => {
        const viewer = await userWithRole(app, clock, 'viewer')
        const token = await login(app, clock, viewer)
        for (const permissions of [['products:write'], ['products:read', 'users:write']]) {
          const res = await createKeyRequest(app, token, { name: 'x', permissions, expires_in_days: 30 })
          t.equal(res.statusCode, 403)
          t.equal(res.json().code, 'permission_not_held')
        }
        for (const body of [
          { name: 'x', permissions: ['products:read'], expires_in_days: 0 },
          { name: 'x', permissions: ['products:read'], expires_in_days: 366 },
          { name: 'x', permissions: ['products:read'] },
          { name: 'x', permissions: [], expires_in_days: 30 },
          { name: 'x', permissions: ['products:read', 'products:read'], expires_in_days: 30 },
          { name: 'x', permissions: ['root'], expires_in_days: 30 },
          { name: '   ', permissions: ['products:read'], expires_in_days: 30 },
          { name: 'a\nb', permissions: ['products:read'], expires_in_days: 30 },
          { name: 'evil\u202Eexe.txt', permissions: ['products:read'], expires_in_days: 30 },
          { name: '\u200B', permissions: ['products:read'], expires_in_days: 30 },
          { name: 'a\ud800', permissions: ['products:read'], expires_in_days: 30 }, // N5: a lone surrogate
          { name: '\udc00b', permissions: ['products:read'], expires_in_days: 30 }
        ]) { t.equal((await createKeyRequest(app, token, body)).statusCode, 400, JSON.stringify(body)) }

        t.equal(
          (
            await createKeyRequest(app, token, {
              name: '🔑 deploy',
              permissions: ['products:read'],
              expires_in_days: 1
            })
          ).statusCode,
          201,
          'a surrogate pair (one astral character) is fine'
        )
        const revokedOne = await createKey(app, token)
        t.equal((await call(app, 'DELETE', `/api/keys/${revokedOne.id}`, token)).statusCode, 204)
        for (let i = 0; i < 48; i++) await createKey(app, token, ['products:read'], 30, `k${i}`)
        const expiring = await createKey(app, token, ['products:read'], 1, 'short')
        const full = await createKeyRequest(app, token, {
          name: 'one too many',
          permissions: ['products:read'],
          expires_in_days: 30
        })
        t.equal(full.statusCode, 409)
        t.equal(full.json().code, 'too_many_api_keys')
        t.ok(expiring.id)
        clock.advance(DAY_MS + 1000) // the 1-day key expires: a slot frees up (revoked and expired keys do not count)
        const fresh = await login(app, clock, viewer)
        t.equal(
          (
            await createKeyRequest(app, fresh, {
              name: 'now fits',
              permissions: ['products:read'],
              expires_in_days: 30
            })
          ).statusCode,
          201
        )
      }
    )

    t.test('K4: use: allowed routes work, a permission the key lacks is 403 even if the owner has it', async (t) => {
      const editor = await userWithRole(app, clock, 'editor')
      const token = await login(app, clock, editor)
      const { key } = await createKey(app, token, ['products:read'])
      const writer = await createKey(app, token, ['products:read', 'products:write'])
      t.equal((await call(app, 'GET', '/api/products', key)).statusCode, 200)
      for (const [method, url] of [
        ['POST', '/api/products'],
        ['PATCH', '/api/products/1'],
        ['DELETE', '/api/products/1']
      ] as const) {
        const res = await call(app, method, url, key, method === 'DELETE' ? undefined : product)
        t.equal(res.statusCode, 403, `${method} ${url}`)
        t.equal(res.json().code, 'forbidden')
      }
      const made = await call(app, 'POST', '/api/products', writer.key, product)
      t.equal(made.statusCode, 201)
      t.equal((await call(app, 'GET', `/api/products/${made.json().id}`, key)).statusCode, 200)
      t.equal(
        (await call(app, 'DELETE', `/api/products/${made.json().id}`, writer.key)).statusCode,
        403,
        'products:delete not given'
      )
      t.equal((await call(app, 'DELETE', `/api/products/${made.json().id}`, token)).statusCode, 204, 'the owner may')
    })

    t.test(
      'K5: 401 invalid_token with the RFC 6750 challenge: after expiry (clock), after revocation (at once), owner ' +
        'disabled',
      async (t) => {
        const editor = await userWithRole(app, clock, 'editor')
        const token = await login(app, clock, editor)
        const short = await createKey(app, token, ['products:read'], 1)
        const other = await createKey(app, token, ['products:read'], 30)
        const spare = await createKey(app, token, ['products:read'], 30)
        t.equal((await call(app, 'GET', '/api/products', short.key)).statusCode, 200)
        clock.advance(DAY_MS - 1000)
        t.equal((await call(app, 'GET', '/api/products', short.key)).statusCode, 200, 'a second before expiry')
        clock.advance(2000)
        const expired = await call(app, 'GET', '/api/products', short.key)
        t.equal(expired.statusCode, 401)
        t.equal(expired.json().code, 'invalid_token')
        t.equal(
          expired.headers['www-authenticate'],
          'Bearer error="invalid_token", error_description="api key expired"'
        )

        const fresh = await login(app, clock, editor)
        t.equal((await call(app, 'GET', '/api/products', other.key)).statusCode, 200, 'cached as valid')
        t.equal((await call(app, 'DELETE', `/api/keys/${other.id}`, fresh)).statusCode, 204)
        const revoked = await call(app, 'GET', '/api/products', other.key)
        t.equal(revoked.statusCode, 401, 'at once on the instance that revoked it')
        t.equal(
          revoked.headers['www-authenticate'],
          'Bearer error="invalid_token", error_description="api key revoked"'
        )
        t.equal(
          (await call(app, 'DELETE', `/api/keys/${other.id}`, fresh)).json().code,
          'api_key_not_found',
          'revoked twice: 404'
        )

        t.equal((await call(app, 'GET', '/api/products', spare.key)).statusCode, 200)
        const adminToken = await adminLogin()
        t.equal((await post(app, `/api/users/${editor.id}/disable`, {}, adminToken)).statusCode, 200)
        const disabled = await call(app, 'GET', '/api/products', spare.key)
        t.equal(disabled.statusCode, 401, 'the owner is disabled: every key stops')
        t.match(disabled.headers['www-authenticate'], /^Bearer error="invalid_token"/)
        t.equal((await post(app, `/api/users/${editor.id}/enable`, {}, adminToken)).statusCode, 200)
        t.equal(
          (await call(app, 'GET', '/api/products', spare.key)).statusCode,
          200,
          'disabling revoked nothing: enabled again, the key works'
        )
      }
    )

    t.test(
      'K4: effective permissions narrow with a demotion, and widen back only to what the key was given',
      async (t) => {
        const adminToken = await adminLogin()
        const editor = await userWithRole(app, clock, 'editor')
        const token = await login(app, clock, editor)
        const { key } = await createKey(app, token, ['products:read', 'products:write'])
        t.equal((await call(app, 'POST', '/api/products', key, product)).statusCode, 201)
        const demote = await app.inject({
          method: 'PUT',
          url: `/api/users/${editor.id}/roles`,
          headers: { authorization: `Bearer ${adminToken}` },
          payload: { roles: ['viewer'] }
        })
        t.equal(demote.statusCode, 200)
        t.equal(
          (await call(app, 'POST', '/api/products', key, product)).statusCode,
          403,
          'products:write is gone with the role'
        )
        t.equal((await call(app, 'GET', '/api/products', key)).statusCode, 200, 'products:read stays')
        const promote = await app.inject({
          method: 'PUT',
          url: `/api/users/${editor.id}/roles`,
          headers: { authorization: `Bearer ${adminToken}` },
          payload: { roles: ['admin'] }
        })
        t.equal(promote.statusCode, 200)
        t.equal((await call(app, 'POST', '/api/products', key, product)).statusCode, 201)
        t.equal(
          (await call(app, 'GET', '/api/users', key)).statusCode,
          403,
          'an admin owner does not make the key an admin'
        )
      }
    )

    t.test('K6: a key never reaches /auth/* (403 api_key_not_allowed) and cannot manage keys', async (t) => {
      const owner = await userWithRole(app, clock, 'admin')
      const token = await login(app, clock, owner)
      const { key, id } = await createKey(app, token, ['products:read', 'users:read', 'users:write', 'audit:read'])
      const refused = [
        ['GET', '/auth/sessions'],
        ['POST', '/auth/logout'],
        ['POST', '/auth/logout-all'],
        ['POST', '/auth/password'],
        ['POST', '/auth/2fa/reset'],
        ['POST', '/auth/2fa/recovery-codes'],
        ['DELETE', '/auth/sessions/abc'],
        ['POST', '/auth/refresh'],
        ['POST', '/auth/login'],
        ['POST', '/auth/2fa/verify'],
        ['GET', '/auth/generate_qr/nobody'],
        ['POST', '/api/keys'],
        ['GET', '/api/keys'],
        ['DELETE', `/api/keys/${id}`],
        // F8: account-administration writes, even with users:write
        ['POST', `/api/users/${owner.id}/unlock`],
        ['DELETE', `/api/users/${owner.id}/sessions`],
        ['DELETE', `/api/users/${owner.id}/keys/${id}`],
        ['PUT', `/api/users/${owner.id}/roles`],
        ['POST', `/api/users/${owner.id}/disable`],
        ['POST', `/api/users/${owner.id}/enable`]
      ] as const
      for (const [method, url] of refused) {
        const body =
          method === 'PUT'
            ? { roles: ['viewer'] }
            : method === 'POST'
              ? { name: 'by key', permissions: ['products:read'], expires_in_days: 1 }
              : undefined
        const res = await call(app, method, url, key, body)
        t.equal(res.statusCode, 403, `${method} ${url}`)
        t.equal(res.json().code, 'api_key_not_allowed', `${method} ${url}`)
      }
      // a malformed or unknown sapi_ value is refused the same way there: nothing is looked up
      t.equal((await call(app, 'GET', '/auth/sessions', 'sapi_nonsense')).json().code, 'api_key_not_allowed')
      t.equal((await call(app, 'GET', '/api/keys', token)).json().items.length, 1, 'no key was created with a key')
      t.equal((await call(app, 'GET', '/api/products', key)).statusCode, 200, 'the key itself still works on /api/*')
      t.equal(
        (await call(app, 'GET', '/api/users', key)).statusCode,
        200,
        'and on admin routes it holds the permission of'
      )
    })

    t.test(
      "K10: DELETE /api/keys/{id}: someone else's key is 404 and keeps working; admin routes list and revoke anyone's",
      async (t) => {
        const adminToken = await adminLogin()
        const a = await userWithRole(app, clock, 'editor')
        const b = await userWithRole(app, clock, 'editor')
        const aToken = await login(app, clock, a)
        const bToken = await login(app, clock, b)
        const aKey = await createKey(app, aToken)
        const res = await call(app, 'DELETE', `/api/keys/${aKey.id}`, bToken)
        t.equal(res.statusCode, 404)
        t.equal(res.json().code, 'api_key_not_found')
        t.equal((await call(app, 'GET', '/api/products', aKey.key)).statusCode, 200)
        t.same((await call(app, 'GET', '/api/keys', bToken)).json().items, [], "b sees none of a's keys")

        const listed = await call(app, 'GET', `/api/users/${a.id}/keys`, adminToken)
        t.equal(listed.statusCode, 200)
        t.same(
          listed.json().items.map((k: { id: number }) => k.id),
          [aKey.id]
        )
        t.equal((await call(app, 'GET', '/api/users/999999/keys', adminToken)).json().code, 'user_not_found')
        t.equal((await call(app, 'GET', `/api/users/${a.id}/keys`, aToken)).statusCode, 403, 'users:write needed')
        t.equal(
          (await call(app, 'DELETE', `/api/users/${b.id}/keys/${aKey.id}`, adminToken)).json().code,
          'api_key_not_found',
          'the key of another user'
        )
        t.equal((await call(app, 'DELETE', `/api/users/${a.id}/keys/${aKey.id}`, adminToken)).statusCode, 204)
        t.equal((await call(app, 'GET', '/api/products', aKey.key)).statusCode, 401)
        const [event] = await app.db.query<{ actor_user_id: number }>(
          'SELECT actor_user_id FROM audit_events WHERE event = ? AND target_user_id = ?',
          ['api_key_revoked', a.id]
        )
        t.equal(event?.actor_user_id, admin.id, 'audited with the admin as the actor')
      }
    )

    t.test('keyset pages', async (t) => {
      const u = await userWithRole(app, clock, 'viewer')
      const token = await login(app, clock, u)
      const ids = []
      for (let i = 0; i < 5; i++) ids.push((await createKey(app, token, ['products:read'], 30, `page ${i}`)).id)
      const first = (await call(app, 'GET', '/api/keys?limit=2', token)).json()
      const second = (await call(app, 'GET', `/api/keys?limit=2&cursor=${first.next_cursor}`, token)).json()
      const third = (await call(app, 'GET', `/api/keys?limit=2&cursor=${second.next_cursor}`, token)).json()
      t.same(
        [...first.items, ...second.items, ...third.items].map((k: { id: number }) => k.id),
        ids
      )
      t.equal(third.next_cursor, null)
    })

    t.test('K9: last_used_at and last_used_ip: written at most once a minute per key', async (t) => {
      const u = await userWithRole(app, clock, 'viewer')
      const token = await login(app, clock, u)
      const { key, id } = await createKey(app, token)
      const used = async () =>
        (
          await app.db.query<{ last_used_at: number | null; last_used_ip: string | null }>(
            'SELECT last_used_at, last_used_ip FROM api_keys WHERE id = ?',
            [id]
          )
        )[0]!
      t.same(await used(), { last_used_at: null, last_used_ip: null })
      await call(app, 'GET', '/api/products', key, undefined, '10.1.1.1')
      const first = clock.now()
      t.same(await used(), { last_used_at: first, last_used_ip: '10.1.1.1' })
      clock.advance(30_000)
      await call(app, 'GET', '/api/products', key, undefined, '10.2.2.2')
      t.same(await used(), { last_used_at: first, last_used_ip: '10.1.1.1' }, 'not again within the minute')
      clock.advance(30_000)
      await call(app, 'GET', '/api/products', key, undefined, '10.2.2.2')
      t.same(await used(), { last_used_at: clock.now(), last_used_ip: '10.2.2.2' }, 'a minute later')
    })
  })
}
