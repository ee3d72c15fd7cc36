import t from 'tap'
import { createSyncedSessionCache, type SessionChange } from '../../src/sessions/synced-session-cache.js'
import { testClock } from '../helper.js'

const session = (userId: number) => ({ userId, roles: ['viewer'], permissions: ['products:read'] })
const NEVER = Infinity

/** A cache over a store the test fills with changes; every look's `since` is recorded. */
function setup ({ ttlMs = 500, overlapMs = 5_000, maxAgeMs = 60_000, maxEntries = 50_000 } = {}) {
  const clock = testClock()
  const looks: number[] = []
  let changes: SessionChange[] = []
  let failure: Error | undefined
  const cache = createSyncedSessionCache({
    ttlMs,
    now: clock.now,
    overlapMs,
    maxAgeMs,
    maxEntries,
    changedSince: async (since) => {
      looks.push(since)
      if (failure) throw failure
      return changes
    }
  })
  /** Stores an answer as the session check does: fetched in the current generation. */
  const put = (sid: string, value: ReturnType<typeof session> | null, until = NEVER) =>
    cache.set(sid, value, until, cache.generation())
  return {
    clock,
    cache,
    looks,
    put,
    report: (c: SessionChange[]) => { changes = c },
    fail: (err: Error | undefined) => { failure = err }
  }
}

t.test('one look per ttl, shared by the requests that need it, reaching back overlapMs before the last', async (t) => {
  const { clock, cache, looks, put } = setup({ ttlMs: 500, overlapMs: 5_000 })
  const start = clock.now()
  put('a', session(1))
  put('b', session(2))
  t.same([(await cache.get('a'))?.userId, (await cache.get('b'))?.userId], [1, 2], 'cached')
  clock.advance(499)
  t.equal((await cache.get('a'))?.userId, 1)
  t.same(looks, [], 'no look within the ttl')
  clock.advance(1)
  const answers = await Promise.all(['a', 'b', 'a', 'b', 'nope'].map((sid) => cache.get(sid)))
  t.same(answers.map((a) => a?.userId), [1, 2, 1, 2, undefined], 'answers from the cache after the look')
  t.same(looks, [start - 5_000], 'five requests, one look, from 5 s before the cache was made')
  clock.advance(700)
  await cache.get('a')
  t.same(looks, [start - 5_000, start + 500 - 5_000], 'the next look reaches back from when the last one started')
})

t.test('a look forgets the sessions revoked and every session of the accounts changed', async (t) => {
  const { clock, cache, put, report } = setup({ ttlMs: 500 })
  for (const [sid, user] of [['a', 1], ['b', 1], ['c', 2], ['d', 3], ['e', 4]] as const) put(sid, session(user))
  put('dead', null)
  report([{ session_id: 'c', user_id: 2 }, { session_id: null, user_id: 1 }, { session_id: 'unknown', user_id: 9 }])
  clock.advance(500)
  const got = await Promise.all(['a', 'b', 'c', 'd', 'e', 'dead'].map((sid) => cache.get(sid)))
  t.same(got.map((g) => (g === null ? null : g?.userId)), [undefined, undefined, undefined, 3, 4, null],
    'user 1 (both sessions) and session c are asked again; d, e and the dead one stay')
})

t.test('an answer fetched while a look or an eviction ran is not kept', async (t) => {
  const { clock, cache, put, report } = setup({ ttlMs: 500 })
  put('keep', session(9))
  const before = cache.generation()
  clock.advance(500)
  report([])
  await cache.get('keep') // a look runs: nothing changed, but it may have been about this answer
  cache.set('a', session(1), NEVER, before)
  t.equal(await cache.get('a'), undefined, 'fetched before the look: dropped')

  const beforeEvict = cache.generation()
  cache.evict('x')
  cache.set('b', session(1), NEVER, beforeEvict)
  t.equal(await cache.get('b'), undefined, 'fetched before an eviction here: dropped')

  const beforeUser = cache.generation()
  cache.evictUser(5)
  cache.set('c', session(1), NEVER, beforeUser)
  t.equal(await cache.get('c'), undefined, 'fetched before a user eviction here: dropped')

  for (const [name, between] of [
    ['a look and an eviction', async () => { clock.advance(500); await cache.get('keep'); cache.evict('x') }],
    ['a look and a user eviction', async () => { clock.advance(500); await cache.get('keep'); cache.evictUser(5) }],
    ['an eviction and a user eviction', async () => { cache.evict('x'); cache.evictUser(5) }]
  ] as const) {
    const fetchedIn = cache.generation()
    await between()
    cache.set('e', session(1), NEVER, fetchedIn)
    t.equal(await cache.get('e'), undefined, `fetched before ${name}: dropped`)
  }

  put('d', session(1))
  t.equal((await cache.get('d'))?.userId, 1, 'fetched with nothing in between: kept')
  t.equal((await cache.get('keep'))?.userId, 9, 'and what was cached before stays')
})

t.test('this instance\'s own changes are forgotten at once, without a look', async (t) => {
  const { cache, looks, put } = setup({ ttlMs: 500 })
  put('a', session(1))
  put('b', session(1))
  put('c', session(2))
  put('dead', null)
  cache.evict('a')
  t.equal(await cache.get('a'), undefined, 'evicted by session')
  cache.evictUser(1)
  t.same([await cache.get('b'), (await cache.get('c'))?.userId, await cache.get('dead')], [undefined, 2, null],
    'evicted by user; other users and dead sessions kept')
  t.same(looks, [])
})

t.test('an answer ends with its session, after maxAgeMs, or when the clock goes back', async (t) => {
  const { clock, cache, put, looks } = setup({ ttlMs: 500, maxAgeMs: 2_000 })
  put('expiring', session(1), clock.now() + 300)
  put('old', session(2))
  clock.advance(299)
  t.equal((await cache.get('expiring'))?.userId, 1, 'before the session expires')
  clock.advance(1)
  t.equal(await cache.get('expiring'), undefined, 'not at its expiry')
  put('young', session(3))
  clock.advance(1_699) // 'old' is 1,999 ms old; a look runs
  t.equal((await cache.get('old'))?.userId, 2, 'still within maxAgeMs')
  clock.advance(1)
  t.equal(await cache.get('old'), undefined, 'asked again at maxAgeMs, whatever the looks said')
  t.equal((await cache.get('young'))?.userId, 3, 'a younger one stays')
  t.equal(looks.length, 1, 'the look did not evict it')

  put('z', session(4))
  clock.advance(-1)
  t.equal(await cache.get('z'), undefined, 'an answer from the future is not trusted')
  t.equal((await cache.get('young'))?.userId, 3, 'the others are, while the last look is not in the future')
  clock.advance(-10)
  t.equal(await cache.get('young'), undefined, 'a clock gone back before the last look: nothing cached is trusted')
  t.equal(looks.length, 1, 'and nothing asked (all of it was dropped)')
})

t.test('no look for maxAgeMs, or nothing cached: everything is dropped and nothing asked', async (t) => {
  const { clock, cache, put, looks } = setup({ ttlMs: 500, maxAgeMs: 10_000 })
  const start = clock.now()
  clock.advance(600)
  t.equal(await cache.get('a'), undefined)
  t.same(looks, [], 'an empty cache has nothing to ask about')
  put('a', session(1))
  clock.advance(9_999)
  t.equal((await cache.get('a'))?.userId, 1, 'a look 9,999 ms after the last one asks')
  t.same(looks, [start + 600 - 5_000])
  clock.advance(1)
  t.equal(await cache.get('a'), undefined, 'the answer\'s own age puts it out')
  clock.advance(100)
  put('b', session(1))
  clock.advance(9_899)
  t.equal(await cache.get('b'), undefined, 'no look for maxAgeMs (to the ms): dropped, though it is younger')
  t.equal(looks.length, 1, 'without asking')
})

t.test('a failed look fails the request, and the next one asks again from the same point', async (t) => {
  const { clock, cache, put, looks, fail } = setup({ ttlMs: 500 })
  const start = clock.now()
  put('a', session(1))
  clock.advance(500)
  fail(new Error('store down'))
  await t.rejects(Promise.all([cache.get('a'), cache.get('a')]), /store down/)
  t.equal(looks.length, 1, 'two requests, one look')
  fail(undefined)
  clock.advance(100)
  t.equal((await cache.get('a'))?.userId, 1)
  t.same(looks, [start - 5_000, start - 5_000], 'asked again from the last look that worked')
})

t.test('a ttl of 0 caches nothing and asks nothing; the cache holds at most maxEntries', async (t) => {
  const off = setup({ ttlMs: 0 })
  off.put('a', session(1))
  t.equal(await off.cache.get('a'), undefined)
  off.put('a', session(1))
  off.clock.advance(1_000)
  t.equal(await off.cache.get('a'), undefined)
  t.same(off.looks, [])

  const { cache, put } = setup({ maxEntries: 2 })
  put('a', session(1))
  put('b', session(2))
  put('c', session(3))
  t.same([await cache.get('a'), (await cache.get('b'))?.userId, (await cache.get('c'))?.userId], [undefined, 2, 3],
    'the oldest goes first')
  put('b', session(4))
  t.same([(await cache.get('b'))?.userId, (await cache.get('c'))?.userId], [4, 3],
    'overwriting one that is held pushes none out')
  put('d', session(5))
  t.same([await cache.get('c'), (await cache.get('b'))?.userId], [undefined, 4], 'and moves it to the back')
})
