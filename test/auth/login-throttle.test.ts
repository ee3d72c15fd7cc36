import t from 'tap'
import { createLoginThrottle } from '../../src/auth/login-throttle.js'
import { ApiError } from '../../src/errors.js'
import { testClock } from '../helper.js'
import { memoryStore } from '../services.js'

type Config = Parameters<typeof createLoginThrottle>[0]['config']

async function throttleOn (t: Parameters<typeof memoryStore>[0], config: Partial<Config> = {}) {
  const clock = testClock()
  const db = await memoryStore(t)
  const throttle = createLoginThrottle({
    db,
    now: clock.now,
    config: { LOGIN_MAX_FAILURES: 4, LOGIN_ACCOUNT_MAX_FAILURES: 100, LOGIN_LOCK_SECONDS: 60, ...config }
  })
  /** One failed attempt; the 429 (with its Retry-After) when the attempt is refused. */
  const fail = async (name: string, ip: string) => {
    try {
      await throttle.take(name, ip)
    } catch (err) {
      if (err instanceof ApiError) return { refused: err.code, retryAfter: Number(err.headers['retry-after']) }
      throw err
    }
    return { locked: await throttle.failed(name, ip) }
  }
  return { clock, db, throttle, fail }
}

t.test('an address locks itself out of an account, delayed from half the limit; other addresses go on', async (t) => {
  const { clock, fail, throttle } = await throttleOn(t)
  t.same(await fail('alice', '192.0.2.1'), { locked: false })
  t.same(await fail('alice', '192.0.2.1'), { locked: false }, 'two failures: no delay yet (half of 4)')
  t.same(await fail('alice', '192.0.2.1'), { locked: false })
  t.same(await fail('alice', '192.0.2.1'), { refused: 'login_throttled', retryAfter: 1 },
    'the third failure delays the next try by 1 s')
  clock.advance(1000)
  t.same(await fail('alice', '192.0.2.1'), { locked: true }, 'the fourth failure locks')
  t.same(await fail('alice', '192.0.2.1'), { refused: 'login_throttled', retryAfter: 60 }, 'for LOGIN_LOCK_SECONDS')
  await throttle.take('alice', '198.51.100.7')
  await throttle.release('alice', '198.51.100.7')
  t.pass('another address still gets its attempts')
  await throttle.take('bob', '192.0.2.1')
  t.pass('and the locked address still reaches other accounts')
  clock.advance(60_000)
  await throttle.take('alice', '192.0.2.1')
  t.same(await throttle.failed('alice', '192.0.2.1'), false, 'after the lock: a fresh count')
  for (let i = 0; i < 2; i++) { await throttle.take('alice', '192.0.2.1'); await throttle.failed('alice', '192.0.2.1') }
  clock.advance(60_000) // past the delays
  t.same(await fail('alice', '192.0.2.1'), { locked: true })
  t.same(await fail('alice', '192.0.2.1'), { refused: 'login_throttled', retryAfter: 120 },
    'the second lock lasts twice as long')
})

t.test('addresses in one IPv6 /64 count as one source', async (t) => {
  const { clock, fail } = await throttleOn(t, { LOGIN_MAX_FAILURES: 2 })
  t.same(await fail('carol', '2001:db8:1:2::1'), { locked: false })
  clock.advance(5000)
  t.same(await fail('carol', '2001:db8:1:2:ffff::9'), { locked: true },
    'a neighbour in the /64 adds to the same record')
  t.match(await fail('carol', '2001:db8:1:2:abcd::1'), { refused: 'login_throttled' })
  t.same(await fail('carol', '2001:db8:1:3::1'), { locked: false }, 'the next /64 is another source')
})

t.test('the account-wide limit stops every address together', async (t) => {
  const { fail, throttle } = await throttleOn(t, { LOGIN_MAX_FAILURES: 100, LOGIN_ACCOUNT_MAX_FAILURES: 3 })
  t.same(await fail('dave', '192.0.2.1'), { locked: false })
  t.same(await fail('dave', '192.0.2.2'), { locked: false })
  t.same(await fail('dave', '192.0.2.3'), { locked: true }, 'three addresses, one failure each: the account locks')
  t.match(await fail('dave', '192.0.2.99'), { refused: 'login_throttled' }, 'for an address never seen before too')
  await throttle.unlock('dave')
  t.same(await fail('dave', '192.0.2.99'), { locked: false }, 'until an administrator unlocks it')
})

t.test('a password step that succeeds gives its slot back; a completed login clears the count', async (t) => {
  const { fail, throttle } = await throttleOn(t, { LOGIN_MAX_FAILURES: 2 })
  for (let i = 0; i < 10; i++) {
    await throttle.take('erin', '192.0.2.1')
    await throttle.release('erin', '192.0.2.1')
  }
  t.same(await fail('erin', '192.0.2.1'), { locked: false }, 'ten password steps counted as nothing')
  await throttle.take('erin', '192.0.2.1')
  await throttle.clear('erin', '192.0.2.1')
  t.same(await fail('erin', '192.0.2.1'), { locked: false }, 'after a full login the earlier failure is forgotten')
})

t.test('purge deletes records untouched since `before` unless they still block', async (t) => {
  const { clock, fail, throttle } = await throttleOn(t, { LOGIN_MAX_FAILURES: 2 })
  await fail('frank', '192.0.2.1')
  await fail('gina', '192.0.2.1')
  await fail('gina', '192.0.2.1')
  clock.advance(30_000)
  // frank's address and account records and gina's account record go; gina's address is locked until +60 s
  t.equal(await throttle.purge(clock.now()), 3, 'the idle records go, the locked one stays')
  t.match(await fail('gina', '192.0.2.1'), { refused: 'login_throttled' }, 'and still blocks')
  clock.advance(31_000)
  t.equal(await throttle.purge(clock.now()), 1, 'once the lock is over it goes too')
})

t.test('the 429 says what happened and how long to wait, in its detail as in Retry-After', async (t) => {
  const { fail, throttle } = await throttleOn(t, { LOGIN_MAX_FAILURES: 2 })
  await fail('hana', '192.0.2.1')
  await fail('hana', '192.0.2.1')
  const refused = await throttle.take('hana', '192.0.2.1').then(() => undefined, (err: unknown) => err)
  t.ok(refused instanceof ApiError)
  t.match(refused, {
    status: 429,
    title: 'Too many failed attempts for this account; wait before trying again',
    detail: 'Try again in 60 s',
    headers: { 'retry-after': '60' }
  })
})

t.test('a failure whose record was cleared meanwhile (an unlock, a full login) counts and locks nothing', async (t) => {
  const { fail, throttle } = await throttleOn(t, { LOGIN_MAX_FAILURES: 1, LOGIN_ACCOUNT_MAX_FAILURES: 1 })
  await throttle.take('ivan', '192.0.2.1')
  await throttle.unlock('ivan')
  t.equal(await throttle.failed('ivan', '192.0.2.1'), false, 'no record: nothing to lock, no error')
  t.same(await fail('ivan', '192.0.2.1'), { locked: true }, 'the next failure starts a fresh count (1 of 1)')
})
