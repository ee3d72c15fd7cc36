import t from 'tap'
import { openStore } from '../../src/db/open-store.js'
import type { Driver, Row, SqlValue } from '../../src/db/driver.js'
import { loadKeys } from '../../src/tokens/keys.js'
import { passwordHasherFor } from '../../src/auth/passwords.js'
import { createServices } from '../../src/services.js'
import { createCachedCheck } from '../../src/sessions/cached-check.js'
import { createTestDatabase, stores, tempDir, testClock, type Store } from '../helper.js'
import { type Failing, failOn, meta, memoryStore, silentLog, testConfig } from '../services.js'

type Test = Parameters<typeof tempDir>[0]

/** A fetch the test answers by hand: each call's keys, and a function that answers it. */
function heldFetch () {
  const calls: Array<{ keys: string[], answer: (found: Map<string, number>) => void, fail: (err: Error) => void }> = []
  const fetch = (keys: string[]) =>
    new Promise<Map<string, number>>((resolve, reject) => calls.push({ keys, answer: resolve, fail: reject }))
  return { calls, fetch }
}
const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('an answer read while an eviction came is given to its request but not cached', async (t) => {
  for (const [what, evict] of [
    ['the key evicted', (c: Check) => c.evict('a')],
    ['its user evicted', (c: Check) => c.evictUser(1)],
    ['another key evicted (any eviction: the cache cannot tell which read it concerns)', (c: Check) => c.evict('z')]
  ] as const) {
    const { calls, fetch } = heldFetch()
    const check = createCachedCheck({
      ttlMs: 500, now: testClock().now, fetch, answer: (userId) => (userId ? { userId } : null), cacheUnknown: true
    })
    const first = check.check('a')
    await turn()
    evict(check)
    calls[0]!.answer(new Map([['a', 1]]))
    t.same(await first, { userId: 1 }, `${what}: the answer read`)
    const second = check.check('a')
    await turn()
    t.equal(calls.length, 2, `${what}: not cached, read again`)
    calls[1]!.answer(new Map())
    t.equal(await second, null, `${what}: the new answer`)
    t.equal(await check.check('a'), null, `${what}: which is cached (no eviction while it was read)`)
    t.equal(calls.length, 2)
  }
})
type Check = ReturnType<typeof createCachedCheck<number, { userId: number }>>

/** A check with a 500 ms TTL whose reads the test answers, and keys a to d read and answered (userId 1 to 4). */
async function readAheadCheck () {
  const clock = testClock()
  const { calls, fetch } = heldFetch()
  const check = createCachedCheck({
    ttlMs: 500, now: clock.now, fetch, answer: (userId) => (userId ? { userId } : null), cacheUnknown: true
  })
  const first = ['a', 'b', 'c', 'd'].map((key) => check.check(key))
  await turn()
  calls[0]!.answer(new Map([['a', 1], ['b', 2], ['c', 3], ['d', 4]]))
  await Promise.all(first)
  clock.advance(100)
  for (const key of ['a', 'b', 'c']) await check.check(key) // in use since stored; d is not
  clock.advance(149)
  return { clock, calls, check }
}

t.test('reads ahead: from half a TTL on, a check answers from the cache and the answers in use are read together',
  async (t) => {
    const { clock, calls, check } = await readAheadCheck()
    t.same(await check.check('a'), { userId: 1 }, '249 ms old: answered')
    await turn()
    t.equal(calls.length, 1, 'and nothing read')
    clock.advance(1)
    t.same(await check.check('b'), { userId: 2 }, '250 ms old: answered at once, from the cache')
    await turn()
    t.same(calls[1]?.keys, ['a', 'b', 'c'], 'and the three in use read again in one fetch; d, unused, is not')
    t.same(await check.check('c'), { userId: 3 }, 'while that read is out, answers still come from the cache')
    await turn()
    t.equal(calls.length, 2, 'and no second read ahead starts')
    calls[1]!.answer(new Map([['a', 1], ['b', 5]])) // b changed in the store, c is gone
    await turn()
    t.same(await check.check('b'), { userId: 5 }, 'what the read ahead found is what checks answer')
    t.equal(await check.check('c'), null, 'a key gone from the store is seen gone')
    clock.advance(249)
    t.same(await check.check('d'), { userId: 4 }, 'd, 499 ms old: answered from the cache')
    await turn()
    t.same(calls[2]?.keys, ['d'], 'and read ahead alone: a, b and c were read 249 ms ago')
    calls[2]!.answer(new Map([['d', 4]]))
    await turn()
    clock.advance(251)
    const a = check.check('a')
    await turn()
    t.same(calls[3]?.keys, ['a'], 'a, read ahead at 250 ms and not asked for since, expired at 750: read first')
    calls[3]!.answer(new Map([['a', 1]]))
    t.same(await a, { userId: 1 })
  })

t.test('a read ahead of many keys: at most two fetches of 64 out at once, each key still due read once', async (t) => {
  for (const count of [129, 300]) {
    const clock = testClock()
    const { calls, fetch } = heldFetch()
    const check = createCachedCheck({
      ttlMs: 500, now: clock.now, fetch, answer: (userId) => (userId ? { userId } : null), cacheUnknown: true
    })
    const keys = Array.from({ length: count }, (_, i) => `k${i}`)
    const all = (ks: string[]) => new Map(ks.map((k) => [k, Number(k.slice(1)) + 1]))
    const first = keys.map((key) => check.check(key))
    await turn()
    for (const call of calls) call.answer(all(call.keys))
    await Promise.all(first)
    const before = calls.length
    for (const key of keys) await check.check(key)
    clock.advance(250)
    await check.check('k0')
    let answered = before
    let most = 0
    const reread: string[] = []
    for (let turns = 0; turns < 50; turns++) {
      await turn()
      most = Math.max(most, calls.length - answered)
      if (answered === calls.length) break
      // once the first two fetches are out: k200 is evicted, k210 evicted and read on demand (fresh, no longer due)
      if (count === 300 && answered === before) {
        check.evict('k200')
        check.evict('k210')
        const k210 = check.check('k210')
        await turn()
        const onDemand = calls.pop()!
        t.same(onDemand.keys, ['k210'], 'k210 read on demand')
        onDemand.answer(all(['k210']))
        await k210
      }
      const call = calls[answered++]!
      t.ok(call.keys.length <= 64, `${count}: a fetch of ${call.keys.length} keys`)
      reread.push(...call.keys)
      call.answer(new Map([...all(call.keys)].map(([k, v]) => [k, v + 1000])))
    }
    t.equal(most, 2, `${count}: two fetches out at once, at most`)
    const expected = keys.filter((k) => count !== 300 || (k !== 'k200' && k !== 'k210'))
    t.same([...reread].sort(), [...expected].sort(), `${count}: every key still due read again, once`)
    t.same(await check.check(`k${count - 1}`), { userId: count + 1000 }, `${count}: and what it read is answered`)
  }
})

t.test('a read ahead out while an eviction came puts nothing back', async (t) => {
  for (const evict of [(c: Check) => c.evict('a'), (c: Check) => c.evictUser(1)]) {
    const { clock, calls, check } = await readAheadCheck()
    clock.advance(1)
    await check.check('b')
    await turn()
    evict(check)
    calls[1]!.answer(new Map([['a', 1], ['b', 2], ['c', 3]]))
    await turn()
    const a = check.check('a')
    await turn()
    t.same(calls[2]?.keys, ['a'], 'the evicted key is read on its next check')
    calls[2]!.answer(new Map())
    t.equal(await a, null)
    t.same(await check.check('b'), { userId: 2 }, 'b: the answer stored before, 250 ms old, still trusted')
    await turn()
    t.same(calls[3]?.keys, ['b', 'c'], 'and read ahead again: the first read ahead stored nothing (any eviction)')
    calls[3]!.answer(new Map([['b', 2], ['c', 3]]))
  }
})

t.test('a failed read ahead leaves the answers to expire, and the next read is tried', async (t) => {
  const { clock, calls, check } = await readAheadCheck()
  clock.advance(1)
  t.same(await check.check('a'), { userId: 1 })
  await turn()
  calls[1]!.fail(new Error('the store is down'))
  await turn()
  clock.advance(249)
  t.same(await check.check('b'), { userId: 2 }, 'still trusted (499 ms): answered from the cache')
  await turn()
  t.same(calls[2]?.keys, ['a', 'b', 'c'], 'and read ahead again')
  calls[2]!.fail(new Error('the store is down'))
  await turn()
  clock.advance(1)
  const a = check.check('a')
  await turn()
  t.same(calls[3]?.keys, ['a'], 'expired: read before answering')
  calls[3]!.fail(new Error('the store is down'))
  await t.rejects(a, /the store is down/, 'and that failure is the check\'s own')
})

t.test('unknown keys: cached or not, as told', async (t) => {
  for (const cacheUnknown of [true, false]) {
    const { calls, fetch } = heldFetch()
    const check = createCachedCheck({
      ttlMs: 500, now: testClock().now, fetch, answer: (userId) => (userId ? { userId } : null), cacheUnknown
    })
    for (let i = 0; i < 2; i++) {
      const answer = check.check('nobody')
      await turn()
      calls.at(-1)!.answer(new Map())
      t.equal(await answer, null)
    }
    t.equal(calls.length, cacheUnknown ? 1 : 2, `cacheUnknown ${cacheUnknown}: ${cacheUnknown ? 1 : 2} reads`)
  }
})

async function storeOf (t: Test, store: Store): Promise<Driver> {
  if (store === 'sqlite') return memoryStore(t)
  const db = await openStore(
    { DATABASE_URL: await createTestDatabase(t), DATA_DIR: tempDir(t), DB_CONNECT_TIMEOUT_MS: 5000, DB_POOL_SIZE: 4 },
    silentLog
  )
  t.teardown(() => db.close())
  return db
}

/**
 * The services on a store whose session and key checks can be held: the statement has run (it read the store as it
 * was), its rows wait until the test releases them.
 */
async function heldServices (t: Test & Failing, store: Store) {
  const db = await storeOf(t, store)
  let hold: { read: () => void, released: Promise<void> } | null = null
  const held: Driver = {
    ...db,
    query: async <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) => {
      const rows = await db.query<T>(sql, params)
      if (hold && /FROM (sessions s|api_keys k) JOIN users/.test(sql)) {
        const h = hold
        hold = null
        h.read()
        await h.released
      }
      return rows
    }
  }
  const config = testConfig(t, { SESSION_CHECK_CACHE_MS: 500 })
  const clock = testClock()
  const keys = await loadKeys(config, db, clock.now(), silentLog)
  const hasher = await passwordHasherFor(config)
  const services = createServices({ db: held, now: clock.now, config, keys, hasher, reportError: failOn(t) })
  /** Runs `check` with its read held, `change` meanwhile, then lets the read answer; the held check's answer. */
  async function whileReadHeld<A> (check: () => Promise<A>, change: () => Promise<unknown>) {
    let release!: () => void
    const read = new Promise<void>((resolve) => {
      hold = { read: resolve, released: new Promise((resolve) => { release = resolve }) }
    })
    const answer = check()
    await read
    await change()
    release()
    return answer
  }
  const admin = (await services.auth.createAccount('the.admin', 'a long passphrase of mine', 'admin', meta)).user
  const actor = { id: admin.id, sid: '', roles: ['admin'], permissions: [], authTime: 0, amr: [] }
  return { services, whileReadHeld, actor, clock }
}

for (const store of stores) {
  t.test(`${store}: a session check read before a revocation here does not put the session back`, async (t) => {
    const { services: s, whileReadHeld, actor } = await heldServices(t, store)
    const changes: Array<[string, (userId: number, sid: string) => Promise<unknown>, string[] | null]> = [
      ['a logout', (id, sid) => s.sessions.revoke({ ...actor, id, sid }, sid, meta), null],
      ['every session ended', (id) => s.sessions.revokeAll(id, 'logout_all', meta), null],
      ['a demotion', (id) => s.admin.setRoles(actor, id, ['viewer'], meta), ['viewer']],
      ['a disable', (id) => s.admin.setDisabled(actor, id, true, meta), null]
    ]
    for (const [i, [what, change, after]] of changes.entries()) {
      const { user } = await s.auth.createAccount(`session.user${i}`, 'a long passphrase of mine', 'editor', meta)
      const { sid } = await s.sessions.start(user.id, ['editor'], meta, ['pwd'])
      const answer = await whileReadHeld(() => s.sessions.check(sid), () => change(user.id, sid))
      t.same(answer?.roles, ['editor'], `${what}: the check asked before it answers as the store was`)
      t.same((await s.sessions.check(sid))?.roles ?? null, after, `${what}: the next check sees it at once`)
    }
  })

  t.test(`${store}: a key check read before a revocation here does not put the key back`, async (t) => {
    const { services: s, whileReadHeld, actor } = await heldServices(t, store)
    const changes: Array<[string, (owner: number, id: number) => Promise<unknown>, string]> = [
      ['the key revoked', (owner, id) => s.apiKeys.revokeOf(owner, owner, id, meta), 'revoked'],
      ['every key revoked (the CLI)', (owner) => s.apiKeys.revokeAll(null, owner, meta), 'revoked'],
      ['the owner disabled', (owner) => s.admin.setDisabled(actor, owner, true, meta), 'disabled']
    ]
    for (const [i, [what, change, reason]] of changes.entries()) {
      const { user } = await s.auth.createAccount(`key.owner${i}`, 'a long passphrase of mine', 'editor', meta)
      const { key, id } = await s.apiKeys.create(user.id, ['products:read'],
        { name: 'k', permissions: ['products:read'], expires_in_days: 30 }, meta)
      const answer = await whileReadHeld(() => s.apiKeys.check(key, meta), () => change(user.id, id))
      t.match(answer, { ok: true }, `${what}: the check asked before it answers as the store was`)
      t.same(await s.apiKeys.check(key, meta), { ok: false, reason }, `${what}: the next check sees it at once`)
    }
  })
}
