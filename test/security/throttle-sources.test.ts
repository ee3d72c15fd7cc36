import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, EVERY_HASH_WAITS, code, enrolledUser, nextStep, PASSWORD } from '../auth/flow.js'
import { stores } from '../helper.js'
import { throttleSource } from '../../src/auth/throttle-source.js'

const from = (app: FastifyInstance, forwardedFor: string, payload: object) =>
  app.inject({ method: 'POST', url: '/auth/login', headers: { 'x-forwarded-for': forwardedFor }, payload })

t.test('the source of an attempt: IPv4 as is, IPv6 by its /64', async (t) => {
  t.equal(throttleSource('203.0.113.7'), '203.0.113.7')
  t.equal(throttleSource('::ffff:203.0.113.7'), '203.0.113.7')
  t.equal(throttleSource('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
  t.equal(throttleSource('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64')
  t.equal(throttleSource('2001:db8::1'), '2001:db8:0:0::/64')
  t.equal(throttleSource('fe80::1%eth0'), 'fe80:0:0:0::/64')
})

for (const store of stores) {
  t.test(`throttling tells sources apart (${store}, TRUST_PROXY)`, async (t) => {
    const { app, clock } = await authApp(t, {
      store,
      config: { TRUST_PROXY: true, LOGIN_MAX_FAILURES: 10, LOGIN_ACCOUNT_MAX_FAILURES: 25, ...EVERY_HASH_WAITS }
    })
    const hammer = async (u: { username: string }, address: string, times: number) => {
      const statuses = []
      for (let i = 0; i < times; i++) {
        statuses.push((await from(app, address, { username: u.username, password: 'not the password' })).statusCode)
        clock.advance(60_000) // past the delays, not past a lock
      }
      return statuses
    }

    t.test('one address locked out of an account; the owner elsewhere logs in with password and code', async (t) => {
      const u = await enrolledUser(app, clock)
      t.same(await hammer(u, '203.0.113.7', 10), Array(10).fill(401))
      const attacker = await from(app, '203.0.113.7', {
        username: u.username,
        password: PASSWORD,
        code: code(u.secret, clock)
      })
      t.equal(attacker.statusCode, 429, 'the hammering address is locked, even with the right password and code')
      t.equal(attacker.json().code, 'login_throttled')
      const owner = await from(app, '198.51.100.2, 203.0.113.7', {
        username: u.username,
        password: PASSWORD,
        code: code(u.secret, clock)
      })
      t.equal(owner.statusCode, 200, 'the owner from another address gets in (X-Forwarded-For names the client first)')
      nextStep(clock)
      t.equal(
        (await from(app, '203.0.113.7', { username: u.username, password: PASSWORD })).statusCode,
        429,
        "the owner's login does not unlock the attacker"
      )
      const recovery = await from(app, '198.51.100.2', {
        username: u.username,
        password: PASSWORD,
        recovery_code: u.recoveryCodes[0]
      })
      t.equal(recovery.statusCode, 200, 'and with a recovery code')
    })

    t.test('rotating addresses within one IPv6 /64 is one source', async (t) => {
      const u = await enrolledUser(app, clock)
      for (let i = 1; i <= 10; i++) {
        t.equal(
          (await from(app, `2001:db8:1:2::${i.toString(16)}`, { username: u.username, password: 'wrong one' }))
            .statusCode,
          401
        )
        clock.advance(60_000)
      }
      t.equal((await from(app, '2001:db8:1:2:ffff::1', { username: u.username, password: PASSWORD })).statusCode, 429)
      t.equal(
        (await from(app, '2001:db8:1:3::1', { username: u.username, password: PASSWORD })).json().mfa_required,
        true,
        'the next /64 is another source'
      )
    })

    t.test('the account-wide limit caps what many addresses together try', async (t) => {
      const u = await enrolledUser(app, clock)
      const statuses = [
        ...(await hammer(u, '192.0.2.1', 10)),
        ...(await hammer(u, '192.0.2.2', 10)),
        ...(await hammer(u, '192.0.2.3', 5))
      ]
      t.same(statuses, Array(25).fill(401))
      const owner = await from(app, '198.51.100.9', {
        username: u.username,
        password: PASSWORD,
        code: code(u.secret, clock)
      })
      t.equal(owner.statusCode, 429, 'at LOGIN_ACCOUNT_MAX_FAILURES the account is locked for everyone')
    })

    t.test('concurrent guesses cannot exceed either limit', async (t) => {
      const u = await enrolledUser(app, clock)
      const one = await Promise.all(
        Array.from({ length: 30 }, () => from(app, '192.0.2.50', { username: u.username, password: 'guess guess' }))
      )
      t.ok(one.filter((r) => r.statusCode === 401).length <= 10, 'one address: at most LOGIN_MAX_FAILURES checked')
      const v = await enrolledUser(app, clock)
      const many = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          from(app, `192.0.2.${100 + (i % 6)}`, { username: v.username, password: 'guess guess' })
        )
      )
      const checked = many.filter((r) => r.statusCode === 401).length
      t.ok(checked <= 25, `six addresses: ${checked} checked, at most LOGIN_ACCOUNT_MAX_FAILURES`)
      t.equal(many.filter((r) => r.statusCode === 429).length, 60 - checked)
    })
  })
}

t.test(
  'without TRUST_PROXY, X-Forwarded-For is ignored: every attempt counts against the socket address',
  async (t) => {
    const { app, clock } = await authApp(t, { store: 'sqlite', config: { LOGIN_MAX_FAILURES: 4 } })
    const u = await enrolledUser(app, clock)
    for (let i = 0; i < 4; i++) {
      await from(app, `192.0.2.${i}`, { username: u.username, password: 'wrong wrong' })
      clock.advance(60_000)
    }
    t.equal((await from(app, '198.51.100.2', { username: u.username, password: PASSWORD })).statusCode, 429)
  }
)
