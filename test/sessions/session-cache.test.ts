import t from 'tap'
import { createSessionCache } from '../../src/sessions/session-cache.js'
import { testClock } from '../helper.js'

const session = (userId: number) => ({ userId, roles: ['viewer'], permissions: ['products:read'] })

t.test('the session cache holds at most maxEntries, dropping the oldest first', async (t) => {
  const cache = createSessionCache(3_600_000, testClock().now, 3)
  for (const sid of ['a', 'b', 'c']) cache.set(sid, session(1))
  t.same(['a', 'b', 'c'].map((sid) => cache.get(sid)?.value?.userId), [1, 1, 1], 'full: all three held')
  cache.set('d', session(2))
  t.equal(cache.get('a'), undefined, 'the fourth pushes out the oldest')
  t.same(['b', 'c', 'd'].map((sid) => cache.get(sid)?.value?.userId), [1, 1, 2])
  cache.set('e', null)
  t.equal(cache.get('b'), undefined, 'and the next one the next oldest')
  t.equal(cache.get('e')?.value, null, 'a negative answer is cached too')
  cache.set('c', session(3))
  t.equal(cache.get('d')?.value?.userId, 2, 'overwriting an entry that is held does not push another out')
})

t.test('the session cache forgets what it may no longer trust', async (t) => {
  const clock = testClock()
  const off = createSessionCache(0, clock.now)
  off.set('a', session(1))
  t.equal(off.get('a'), undefined, 'a ttl of 0 caches nothing')
  const cache = createSessionCache(500, clock.now)
  for (const sid of ['a', 'b']) cache.set(sid, session(1))
  cache.set('c', session(2))
  cache.evict('a')
  t.equal(cache.get('a'), undefined, 'evicted by session')
  cache.set('gone', null)
  cache.evictUser(1)
  t.same([cache.get('b'), cache.get('c')?.value?.userId], [undefined, 2], 'evicted by user, others kept')
  t.equal(cache.get('gone')?.value, null, 'negative answers belong to nobody and stay')
  clock.advance(499)
  t.equal(cache.get('c')?.value?.userId, 2, 'trusted until its ttl has passed')
  clock.advance(1)
  t.equal(cache.get('c'), undefined, 'not once it has')
  cache.set('d', session(4))
  clock.advance(-1)
  t.equal(cache.get('d'), undefined, 'a clock that went back ends the trust')
})

t.test('a new answer for a key held drops nothing and becomes the newest', async (t) => {
  const cache = createSessionCache(3_600_000, testClock().now, 3)
  for (const sid of ['a', 'b', 'c']) cache.set(sid, session(1))
  cache.set('b', session(2))
  t.same(['a', 'b', 'c'].map((sid) => cache.get(sid)?.value?.userId), [1, 2, 1], 'full, and all three still held')
  cache.set('d', session(4))
  t.same(['a', 'b', 'c', 'd'].map((sid) => cache.get(sid)?.value?.userId), [undefined, 2, 1, 4],
    'the next one pushes out a, the oldest: c is older than b, answered again')
  cache.set('e', session(5))
  t.same(['b', 'c', 'd', 'e'].map((sid) => cache.get(sid)?.value?.userId), [2, undefined, 4, 5], 'then c, not b')
})

t.test('an answer read before an eviction is not stored', async (t) => {
  const cache = createSessionCache(500, testClock().now)
  for (const evict of [() => cache.evict('x'), () => cache.evictUser(7)]) {
    const readSince = cache.evictions()
    evict()
    cache.set('a', session(1), readSince)
    t.equal(cache.get('a'), undefined, 'an eviction came while it was read: not stored')
    cache.set('a', session(1), cache.evictions())
    t.equal(cache.get('a')?.value?.userId, 1, 'none came: stored')
    cache.evict('a')
  }
})

t.test('due: the answers asked for since they were stored, at least so old and still trusted', async (t) => {
  const clock = testClock()
  const cache = createSessionCache(500, clock.now)
  for (const sid of ['a', 'b', 'c']) cache.set(sid, session(1))
  clock.advance(300)
  t.same(cache.due(250), [], 'none asked for since stored')
  t.equal(cache.get('a')?.age, 300, 'an answer says how old it is')
  cache.get('b')
  t.same(cache.due(250), ['a', 'b'], 'those asked for, at least 250 ms old')
  t.same(cache.due(301), [], 'not younger than asked')
  cache.set('a', session(1))
  t.same(cache.due(0), ['b'], 'stored again: not asked for since')
  clock.advance(200)
  t.same(cache.due(250), [], 'no longer trusted (500 ms old): not due, read on its next check instead')
})
