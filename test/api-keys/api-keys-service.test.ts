import t from 'tap'
import { meta, testServices } from '../services.js'
import { newApiKey } from '../../src/api-keys/key-format.js'

const DAY_MS = 24 * 3600 * 1000

t.test('the key service without HTTP: each reason a check fails, and the permissions a key gets', async (t) => {
  const { clock, services } = await testServices(t)
  await services.auth.createAccount('theadmin', 'a long passphrase', 'admin', meta) // one administrator must remain
  const { user } = await services.auth.createAccount('keyowner', 'a long passphrase', 'editor', meta)
  const held = ['products:delete', 'products:read', 'products:write']
  const created = await services.apiKeys.create(
    user.id,
    held,
    { name: 'unit', permissions: ['products:read', 'products:write'], expires_in_days: 2 },
    meta
  )

  t.same(await services.apiKeys.check(`${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`, meta), {
    ok: false,
    reason: 'malformed'
  })
  t.same(await services.apiKeys.check(newApiKey(), meta), { ok: false, reason: 'unknown' })
  t.match(await services.apiKeys.check(created.key, meta), {
    ok: true,
    identity: { userId: user.id, keyId: created.id, permissions: ['products:read', 'products:write'] }
  })

  await services.admin.setRoles(
    { id: 0, sid: '', roles: [], permissions: [], authTime: 0, amr: [] },
    user.id,
    ['viewer'],
    meta
  )
  t.match(
    await services.apiKeys.check(created.key, meta),
    { ok: true, identity: { permissions: ['products:read'] } },
    'demoted: narrowed at once'
  )

  clock.advance(2 * DAY_MS)
  t.same(await services.apiKeys.check(created.key, meta), { ok: false, reason: 'expired' })

  const other = await services.apiKeys.create(
    user.id,
    ['products:read'],
    { name: 'other', permissions: ['products:read'], expires_in_days: 30 },
    meta
  )
  await services.apiKeys.revoke(user.id, user.id, other.id, meta)
  t.same(await services.apiKeys.check(other.key, meta), { ok: false, reason: 'revoked' })
  await t.rejects(services.apiKeys.revoke(user.id, user.id, other.id, meta), { code: 'api_key_not_found' })
  await t.rejects(
    services.apiKeys.create(
      user.id,
      ['products:read'],
      { name: 'x', permissions: ['products:write'], expires_in_days: 1 },
      meta
    ),
    { code: 'permission_not_held' }
  )
})
