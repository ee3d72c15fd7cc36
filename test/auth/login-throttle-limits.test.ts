import t from 'tap'
import { createLoginThrottle } from '../../src/auth/login-throttle.js'
import { ApiError } from '../../src/errors.js'
import { testClock } from '../helper.js'
import { memoryStore } from '../services.js'

type Config = Parameters<typeof createLoginThrottle>[0]['config']

async function throttleOn (t: Parameters<typeof memoryStore>[0], config: Partial<Config> = {}) {
  const clock = testClock()
  const throttle = createLoginThrottle({
    db: await memoryStore(t),
    now: clock.now,
    config: { LOGIN_MAX_FAILURES: 8, LOGIN_ACCOUNT_MAX_FAILURES: 1000, LOGIN_LOCK_SECONDS: 60, ...config }
  })
  /** One failed attempt: whether it locked; or the Retry-After of the 429 that refused it. */
  const fail = async (name: string, ip: string) => {
    try {
      await throttle.take(name, ip)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'login_throttled') return { retryAfter: err.headers['retry-after'] }
      throw err
    }
    return { locked: await throttle.failed(name, ip) }
  }
  return { clock, throttle, fail }
}

t.test('the delays double from half the limit on: 1 s, 2 s, 4 s, then the lock', async (t) => {
  const { clock, fail } = await throttleOn(t)
  for (let i = 0; i < 5; i++) t.same(await fail('amy', '192.0.2.1'), { locked: false }, `failure ${i + 1}`)
  for (const seconds of [1, 2, 4]) {
    t.same(await fail('amy', '192.0.2.1'), { retryAfter: String(seconds) }, `then ${seconds} s`)
    clock.advance(seconds * 1000 - 1)
    t.same(await fail('amy', '192.0.2.1'), { retryAfter: '1' }, 'a millisecond early: still waiting (rounded up)')
    clock.advance(1)
    t.same(await fail('amy', '192.0.2.1'), { locked: seconds === 4 }, `after ${seconds} s: another try`)
  }
  clock.advance(500)
  t.same(await fail('amy', '192.0.2.1'), { retryAfter: '60' }, '59.5 s left: Retry-After rounds up')
})

t.test('each lock doubles, up to 1024 times the first', async (t) => {
  const { clock, fail } = await throttleOn(t, { LOGIN_MAX_FAILURES: 2, LOGIN_LOCK_SECONDS: 1 })
  for (let lock = 0; lock < 13; lock++) {
    t.same(await fail('bea', '192.0.2.1'), { locked: false })
    t.same(await fail('bea', '192.0.2.1'), { locked: true })
    const seconds = 2 ** Math.min(lock, 10)
    t.same(await fail('bea', '192.0.2.1'), { retryAfter: String(seconds) }, `lock ${lock + 1}: ${seconds} s`)
    clock.advance(seconds * 1000)
  }
})

t.test('an attempt the account-wide lock refuses does not count against its address', async (t) => {
  const { clock, fail } = await throttleOn(t, { LOGIN_MAX_FAILURES: 3, LOGIN_ACCOUNT_MAX_FAILURES: 3 })
  t.same(await fail('cleo', '192.0.2.1'), { locked: false })
  t.same(await fail('cleo', '192.0.2.2'), { locked: false })
  t.same(await fail('cleo', '192.0.2.3'), { locked: true }, 'the account locks')
  for (let i = 0; i < 5; i++) t.same(await fail('cleo', '192.0.2.1'), { retryAfter: '60' })
  clock.advance(60_000)
  t.same(await fail('cleo', '192.0.2.1'), { locked: false }, 'the address has its second failure, not its seventh')
})

t.test('a lock ends exactly when it says, and the count starts afresh', async (t) => {
  const { clock, fail } = await throttleOn(t, { LOGIN_MAX_FAILURES: 2 })
  await fail('dora', '192.0.2.1')
  t.same(await fail('dora', '192.0.2.1'), { locked: true })
  clock.advance(59_999)
  t.same(await fail('dora', '192.0.2.1'), { retryAfter: '1' })
  clock.advance(1)
  t.same(await fail('dora', '192.0.2.1'), { locked: false }, 'at the end of the lock')
  t.same(await fail('dora', '192.0.2.1'), { locked: true })
  t.same(await fail('dora', '192.0.2.1'), { retryAfter: '120' }, 'the second lock: twice as long')
})

t.test('concurrent attempts on a fresh record: exactly LOGIN_MAX_FAILURES get through', async (t) => {
  const { throttle } = await throttleOn(t, { LOGIN_MAX_FAILURES: 4 })
  const outcomes = await Promise.all(Array.from({ length: 10 }, () =>
    throttle.take('erin', '192.0.2.1').then(() => 'taken', (err: ApiError) => err.code)))
  t.equal(outcomes.filter((o) => o === 'taken').length, 4, String(outcomes))
  t.equal(outcomes.filter((o) => o === 'login_throttled').length, 6)
})

t.test('refused while the last slot is in flight: 1 s at once, whatever that attempt then does', async (t) => {
  const { fail, throttle } = await throttleOn(t, { LOGIN_MAX_FAILURES: 2 })
  await throttle.take('finn', '192.0.2.1')
  await throttle.take('finn', '192.0.2.1')
  // both slots in flight; one more attempt arrives as the second fails and locks (statements on the one
  // SQLite connection run in the order they are issued: the refusal is decided before the lock)
  const [late, locked] = await Promise.all([fail('finn', '192.0.2.1'), throttle.failed('finn', '192.0.2.1')])
  t.same(late, { retryAfter: '1' }, 'the record was full, not locked, when it looked')
  t.equal(locked, true)
  t.same(await fail('finn', '192.0.2.1'), { retryAfter: '60' }, 'the next one sees the lock')
})
