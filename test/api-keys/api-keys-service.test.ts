import t from 'tap'
import { meta, testServices } from '../services.js'
import { newApiKey } from '../../src/api-keys/key-format.js'
import {
  createApiKeyService,
  storedAddress,
  TOUCH_INTERVAL_MS,
  type NewKeyInput
} from '../../src/api-keys/api-keys-service.js'
import type { Driver } from '../../src/db/driver.js'
import { MAX_LIVE_API_KEYS } from '../../schemas/api-keys.js'
import { sha256 } from '../../src/auth/opaque.js'
import type { ApiError } from '../../src/errors.js'

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
  const demoted = await services.apiKeys.check(created.key, meta)
  t.match(demoted, { ok: true }, 'demoted')
  // t.match would accept a longer list: the key must lose products:write with its owner
  t.same(demoted.ok && demoted.identity.permissions, ['products:read'], 'demoted: narrowed at once')

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

const EDITOR = ['products:delete', 'products:read', 'products:write']
const iso = (ms: number) => new Date(ms).toISOString()

/** Two editors (and the administrator who must remain), and the key service's audit rows. */
async function twoOwners (t: Parameters<typeof testServices>[0], overrides: Parameters<typeof testServices>[1] = {}) {
  const s = await testServices(t, overrides)
  await s.services.auth.createAccount('theadmin', 'a long passphrase', 'admin', meta)
  const { user: owner } = await s.services.auth.createAccount('keyowner', 'a long passphrase', 'editor', meta)
  const { user: other } = await s.services.auth.createAccount('otherowner', 'a long passphrase', 'editor', meta)
  const key = (userId: number, input: Partial<NewKeyInput> = {}) => s.services.apiKeys.create(
    userId, EDITOR, { name: 'k', permissions: ['products:read'], expires_in_days: 30, ...input }, meta)
  const audit = (event: string) => s.db.query<Record<string, unknown>>(
    'SELECT actor_user_id AS actor, target_user_id AS target, details FROM audit_events WHERE event = ? ORDER BY id',
    [event])
  return { ...s, owner: owner.id, other: other.id, key, audit }
}

t.test('create: the key shown once, its name trimmed, its permissions sorted, its lifetime clamped; audited',
  async (t) => {
    const s = await twoOwners(t)
    const created = await s.key(s.owner, {
      name: '  deploy  ',
      permissions: ['products:write', 'products:read'],
      expires_in_days: 7
    })
    t.same(created, {
      id: created.id,
      name: 'deploy',
      key: created.key,
      prefix: created.key.slice(0, 9),
      permissions: ['products:read', 'products:write'],
      expires_at: iso(s.clock.now() + 7 * DAY_MS)
    })
    t.match(created.key, /^sapi_[0-9A-Za-z]{49}$/)
    t.same(await s.audit('api_key_created'), [{
      actor: s.owner,
      target: s.owner,
      details: `key ${created.id} "deploy" (${created.prefix}…): products:read,products:write, 7 days`
    }])
    const [stored] = await s.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = ?', [created.id])
    t.equal(stored!.key_hash, sha256(created.key), 'only the hash is stored')

    t.equal((await s.key(s.owner, { expires_in_days: 0 })).expires_at, iso(s.clock.now() + DAY_MS), 'at least a day')
    t.equal((await s.key(s.owner, { expires_in_days: 1000 })).expires_at, iso(s.clock.now() + 365 * DAY_MS),
      'at most a year')
    const refused = await s.services.apiKeys.create(s.owner, ['products:read'],
      { name: 'x', permissions: ['products:write', 'products:read', 'products:delete'], expires_in_days: 1 }, meta)
      .catch((err: ApiError) => err)
    t.match(refused, { code: 'permission_not_held', detail: 'You do not hold products:write, products:delete' })
  })

t.test(`create: at most ${MAX_LIVE_API_KEYS} live keys per user; a revoked or expired one makes room`, async (t) => {
  const s = await twoOwners(t)
  await s.key(s.owner, { expires_in_days: 1 })
  const second = await s.key(s.owner)
  for (let i = 2; i < MAX_LIVE_API_KEYS; i++) await s.key(s.owner)
  const tooMany = { code: 'too_many_api_keys', detail: `At most ${MAX_LIVE_API_KEYS} live keys per user` }
  await t.rejects(s.key(s.owner), tooMany)
  t.ok(await s.key(s.other), 'per user')
  s.clock.advance(DAY_MS)
  t.ok(await s.key(s.owner), 'the expired one does not count')
  await t.rejects(s.key(s.owner), { code: 'too_many_api_keys' })
  await s.services.apiKeys.revoke(s.owner, s.owner, second.id, meta)
  t.ok(await s.key(s.owner), 'nor a revoked one')
})

t.test('list: the owner\'s keys only, by id, in pages; each with its use and revocation', async (t) => {
  const s = await twoOwners(t)
  const a = await s.key(s.owner, { name: 'a', permissions: ['products:write', 'products:read'] })
  await s.key(s.other)
  const b = await s.key(s.owner, { name: 'b' })
  const createdAt = s.clock.now()
  s.clock.advance(1000)
  const c = await s.key(s.owner, { name: 'c' })
  await s.services.apiKeys.check(a.key, { ...meta, ip: 'fe80::1%eth0' })
  await s.services.apiKeys.revoke(s.owner, s.owner, b.id, meta)

  const first = await s.services.apiKeys.list(s.owner, 2)
  t.same(first, {
    items: [
      {
        id: a.id,
        name: 'a',
        prefix: a.prefix,
        permissions: ['products:read', 'products:write'],
        created_at: iso(createdAt),
        expires_at: iso(createdAt + 30 * DAY_MS),
        last_used_at: iso(s.clock.now()),
        last_used_ip: 'fe80::1',
        revoked_at: null
      },
      {
        id: b.id,
        name: 'b',
        prefix: b.prefix,
        permissions: ['products:read'],
        created_at: iso(createdAt),
        expires_at: iso(createdAt + 30 * DAY_MS),
        last_used_at: null,
        last_used_ip: null,
        revoked_at: iso(s.clock.now())
      }
    ],
    next_cursor: String(b.id)
  })
  const second = await s.services.apiKeys.list(s.owner, 2, first.next_cursor!)
  t.same(second.items.map((k) => k.id), [c.id])
  t.equal(second.next_cursor, null)
  t.same((await s.services.apiKeys.list(s.owner, 3)).next_cursor, null, 'exactly a page: no next one')

  t.same(await s.services.apiKeys.listOf(s.owner, 10), await s.services.apiKeys.list(s.owner, 10))
  await t.rejects(s.services.apiKeys.listOf(s.owner + 1000, 10),
    { code: 'user_not_found', detail: `No user ${s.owner + 1000}` })
})

t.test('revoke: one\'s own live key only, seen at once through the cache; by an admin or the CLI; all at once',
  async (t) => {
    const s = await twoOwners(t, { SESSION_CHECK_CACHE_MS: 1000 })
    const mine = await s.key(s.owner)
    const theirs = await s.key(s.other)
    t.match(await s.services.apiKeys.check(theirs.key, meta), { ok: true }, 'cached')
    await t.rejects(s.services.apiKeys.revoke(s.owner, s.owner, theirs.id, meta), { code: 'api_key_not_found' })
    await t.rejects(s.services.apiKeys.revoke(s.owner, s.owner, theirs.id + 1000, meta), { code: 'api_key_not_found' })
    t.match(await s.services.apiKeys.check(theirs.key, meta), { ok: true }, 'someone else\'s key lives on')
    await s.services.apiKeys.revoke(s.other, s.other, theirs.id, meta)
    t.same(await s.services.apiKeys.check(theirs.key, meta), { ok: false, reason: 'revoked' }, 'at once')

    await s.services.apiKeys.check(mine.key, meta)
    await s.services.apiKeys.revokeOf(null, s.owner, mine.id, meta)
    t.same(await s.services.apiKeys.check(mine.key, meta), { ok: false, reason: 'revoked' })
    await t.rejects(s.services.apiKeys.revokeOf(null, s.owner + 1000, mine.id, meta), { code: 'user_not_found' })
    t.same(await s.audit('api_key_revoked'), [
      { actor: s.other, target: s.other, details: `key ${theirs.id}` },
      { actor: null, target: s.owner, details: `key ${mine.id}` }
    ])

    const keys = [await s.key(s.owner), await s.key(s.owner)]
    for (const k of keys) t.match(await s.services.apiKeys.check(k.key, meta), { ok: true })
    t.equal(await s.services.apiKeys.revokeAll(s.other, s.owner, meta), 2)
    for (const k of keys) t.same(await s.services.apiKeys.check(k.key, meta), { ok: false, reason: 'revoked' })
    t.equal(await s.services.apiKeys.revokeAll(null, s.owner, meta), 0)
    t.same((await s.audit('api_key_revoked')).slice(2), [{ actor: s.other, target: s.owner, details: 'all keys (2)' }],
      'nothing revoked, nothing audited')
  })

t.test('check: cached for SESSION_CHECK_CACHE_MS, forgotten when the owner changes; revoked before disabled',
  async (t) => {
    const s = await twoOwners(t, { SESSION_CHECK_CACHE_MS: 1000 })
    const k = await s.key(s.owner)
    t.same(await s.services.apiKeys.check(k.key, meta), {
      ok: true,
      identity: { userId: s.owner, keyId: k.id, permissions: ['products:read'], limitKey: sha256(k.key).slice(0, 32) }
    })
    await s.db.execute('UPDATE users SET disabled_at = ? WHERE id = ?', [s.clock.now(), s.owner])
    t.match(await s.services.apiKeys.check(k.key, meta), { ok: true }, 'within the cache time')
    s.services.apiKeys.forgetUser(s.owner)
    t.same(await s.services.apiKeys.check(k.key, meta), { ok: false, reason: 'disabled' })
    await s.db.execute('UPDATE api_keys SET revoked_at = ? WHERE id = ?', [s.clock.now(), k.id])
    t.same(await s.services.apiKeys.check(k.key, meta), { ok: false, reason: 'disabled' }, 'cached')
    s.clock.advance(1000)
    t.same(await s.services.apiKeys.check(k.key, meta), { ok: false, reason: 'revoked' }, 'a revoked key is revoked')
  })

t.test('check: expired from expires_at on, the attempts audited at most once a minute per key', async (t) => {
  const s = await twoOwners(t, { SESSION_CHECK_CACHE_MS: 0 })
  const k = await s.key(s.owner, { expires_in_days: 1 })
  s.clock.advance(DAY_MS - 1)
  t.match(await s.services.apiKeys.check(k.key, meta), { ok: true }, 'a millisecond before')
  s.clock.advance(1)
  t.same(await s.services.apiKeys.check(k.key, meta), { ok: false, reason: 'expired' })
  s.clock.advance(TOUCH_INTERVAL_MS - 1)
  t.same(await s.services.apiKeys.check(k.key, meta), { ok: false, reason: 'expired' })
  t.equal((await s.audit('api_key_expired_used')).length, 1)
  s.clock.advance(1)
  await s.services.apiKeys.check(k.key, meta)
  t.same(await s.audit('api_key_expired_used'), [
    { actor: null, target: s.owner, details: `key ${k.id}` },
    { actor: null, target: s.owner, details: `key ${k.id}` }
  ])
})

t.test('check: the expired-use audit\'s minute is per key, starts at the clock\'s time, and a clock set back ends it',
  async (t) => {
    const s = await twoOwners(t, { SESSION_CHECK_CACHE_MS: 0 })
    const [a, b] = [await s.key(s.owner, { expires_in_days: 1 }), await s.key(s.owner, { expires_in_days: 1 })]
    const audited = async () => (await s.audit('api_key_expired_used')).map((row) => row.details)
    s.clock.advance(2 * DAY_MS)
    await s.services.apiKeys.check(a.key, meta)
    await s.services.apiKeys.check(a.key, meta)
    t.same(await audited(), [`key ${a.id}`], 'twice in one millisecond: once')
    await s.services.apiKeys.check(b.key, meta)
    await s.services.apiKeys.check(a.key, meta)
    t.same(await audited(), [`key ${a.id}`, `key ${b.id}`], 'another key\'s audit leaves this key\'s minute running')
    s.clock.advance(-3600_000)
    await s.services.apiKeys.check(a.key, meta)
    t.same(await audited(), [`key ${a.id}`, `key ${b.id}`, `key ${a.id}`],
      'the clock set back an hour: audited again, not muted until the clock is back')
  })

t.test('check: the last use recorded at most once a minute; a new address audited', async (t) => {
  const s = await twoOwners(t, { SESSION_CHECK_CACHE_MS: 0 })
  const k = await s.key(s.owner)
  const lastUse = async () => (await s.services.apiKeys.list(s.owner, 1)).items[0]!
  const at = (ip: string) => s.services.apiKeys.check(k.key, { ...meta, ip })
  const start = s.clock.now()

  await at('192.0.2.1')
  t.match(await lastUse(), { last_used_at: iso(start), last_used_ip: '192.0.2.1' })
  s.clock.advance(TOUCH_INTERVAL_MS - 1)
  await at('198.51.100.7')
  t.match(await lastUse(), { last_used_at: iso(start), last_used_ip: '192.0.2.1' }, 'within the minute: not written')
  s.clock.advance(1)
  await at('192.0.2.1')
  await s.services.apiKeys.settled() // the address last seen: written after the answer
  t.match(await lastUse(), { last_used_at: iso(start + TOUCH_INTERVAL_MS), last_used_ip: '192.0.2.1' })
  s.clock.advance(TOUCH_INTERVAL_MS)
  await at('198.51.100.7')
  s.clock.advance(TOUCH_INTERVAL_MS)
  await at('unix socket')
  t.match(await lastUse(), { last_used_at: iso(start + 3 * TOUCH_INTERVAL_MS), last_used_ip: null })
  t.same(await s.audit('api_key_new_ip'), [
    { actor: null, target: s.owner, details: `key ${k.id} from 192.0.2.1 (first use)` },
    { actor: null, target: s.owner, details: `key ${k.id} from 198.51.100.7 (before: 192.0.2.1)` },
    { actor: null, target: s.owner, details: `key ${k.id} from an address that is not an IP (before: 198.51.100.7)` }
  ])
})

t.test('check: a new address is written and audited before the answer; the address last seen only after it',
  async (t) => {
    const s = await twoOwners(t, { SESSION_CHECK_CACHE_MS: 0 })
    const k = await s.key(s.owner)
    // the last-use UPDATE, held until the test lets it run (or fail)
    let gate: { started: () => void, go: Promise<void> } | null = null
    const held: Driver = {
      ...s.db,
      execute: async (sql, params) => {
        if (gate && sql.startsWith('UPDATE api_keys SET last_used_at')) {
          const g = gate
          gate = null
          g.started()
          await g.go
        }
        return s.db.execute(sql, params)
      }
    }
    const reported: string[] = []
    const apiKeys = createApiKeyService({
      db: held,
      now: s.clock.now,
      config: { SESSION_CHECK_CACHE_MS: 0 },
      reportError: (err, message) => reported.push(`${message}: ${(err as Error).message}`)
    })
    /** Holds the next last-use write: `started` once it is reached, `release` (or `fail`) lets it go on. */
    const hold = () => {
      let started!: () => void
      let release!: () => void
      let fail!: (err: Error) => void
      const reached = new Promise<void>((resolve) => { started = resolve })
      gate = { started, go: new Promise<void>((resolve, reject) => { release = resolve; fail = reject }) }
      return { reached, release, fail }
    }
    const lastUse = async () => (await s.services.apiKeys.list(s.owner, 1)).items[0]!
    const answered = async (check: Promise<unknown>, reached: Promise<void>) => {
      await reached
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
      return Promise.race([check.then(() => true), new Promise((resolve) => setImmediate(() => resolve(false)))])
    }

    for (const [ip, before] of [['192.0.2.1', null], ['198.51.100.7', '192.0.2.1']] as const) {
      const w = hold()
      const check = apiKeys.check(k.key, { ...meta, ip })
      t.equal(await answered(check, w.reached), false, `${ip}, a new address: no answer before its write`)
      w.release()
      t.match(await check, { ok: true })
      const since = before === null ? 'first use' : `before: ${before}`
      t.match((await s.audit('api_key_new_ip')).at(-1), { details: `key ${k.id} from ${ip} (${since})` },
        'audited when the answer comes')
      t.match(await lastUse(), { last_used_at: iso(s.clock.now()), last_used_ip: ip })
      s.clock.advance(TOUCH_INTERVAL_MS)
    }

    for (const outcome of ['written', 'failed'] as const) {
      const w = hold()
      const check = apiKeys.check(k.key, { ...meta, ip: '198.51.100.7' })
      const early = await answered(check, w.reached)
      t.equal(early, true, `the address last seen (${outcome}): answered during its write`)
      if (!early) w.release()
      t.match(await check, { ok: true })
      t.match(await lastUse(), { last_used_at: iso(s.clock.now() - TOUCH_INTERVAL_MS) }, 'not written yet')
      let settled = false
      const done = apiKeys.settled().then(() => { settled = true })
      await new Promise((resolve) => setImmediate(resolve))
      t.equal(settled, false, 'settled waits for the write')
      if (outcome === 'written') w.release()
      else w.fail(new Error('the store went away'))
      await done
      t.match(await lastUse(), {
        last_used_at: iso(outcome === 'written' ? s.clock.now() : s.clock.now() - TOUCH_INTERVAL_MS),
        last_used_ip: '198.51.100.7'
      })
      s.clock.advance(TOUCH_INTERVAL_MS)
    }
    t.same(reported, ['recording an API key\'s last use failed: the store went away'], 'a failed write is reported')
    t.equal((await s.audit('api_key_new_ip')).length, 2, 'the address last seen is not audited again')
  })

t.test('storedAddress: an IP address without its zone, or null', async (t) => {
  t.equal(storedAddress('192.0.2.1'), '192.0.2.1')
  t.equal(storedAddress('fe80::1%eth0'), 'fe80::1')
  const longest = 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255'
  t.equal(longest.length, 45)
  t.equal(storedAddress(longest), longest)
  t.equal(storedAddress('unix socket'), null)
  t.equal(storedAddress(''), null)
  t.equal(storedAddress('%192.0.2.1'), null)
})
