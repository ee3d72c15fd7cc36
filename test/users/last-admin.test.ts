import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authApp, get, login, post, twoInstances, userWithRole, type Clock } from '../auth/flow.js'
import { stores } from '../helper.js'

const put = (app: FastifyInstance, url: string, payload: object, token: string) =>
  app.inject({ method: 'PUT', url, payload, headers: { authorization: `Bearer ${token}` } })

/** Two administrators, the only ones, each logged in. */
async function twoAdmins (app: FastifyInstance, clock: Clock) {
  const a = await userWithRole(app, clock, 'admin')
  const b = await userWithRole(app, clock, 'admin')
  return { a: { ...a, token: await login(app, clock, a) }, b: { ...b, token: await login(app, clock, b) } }
}

const enabledAdmins = async (app: FastifyInstance) =>
  Number(
    (
      await app.db.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id ' +
          "WHERE r.name = 'admin' AND u.disabled_at IS NULL"
      )
    )[0]!.n
  )

for (const store of stores) {
  t.test(`at least one enabled administrator remains (${store})`, async (t) => {
    // the longest cache allowed: what a stale session could do is what it would do across instances
    const { app, clock } = await authApp(t, { store, config: { SESSION_CHECK_CACHE_MS: 1000 } })

    t.test('a demoted admin loses admin rights on this instance at once, and cannot demote the other', async (t) => {
      await app.db.execute('DELETE FROM user_roles')
      const { a, b } = await twoAdmins(app, clock)
      t.equal((await get(app, '/api/users', b.token)).statusCode, 200, "B's session is cached as admin")
      t.equal((await put(app, `/api/users/${b.id}/roles`, { roles: ['viewer'] }, a.token)).statusCode, 200)
      t.equal(
        (await put(app, `/api/users/${a.id}/roles`, { roles: ['viewer'] }, b.token)).statusCode,
        403,
        'no longer an admin, at once'
      )
      t.equal((await get(app, '/api/users', b.token)).statusCode, 403)
      t.equal(await enabledAdmins(app), 1)
    })

    t.test(
      'concurrent changes on one instance: one wins, the other is refused (409, or 403/401 once it sees the change)',
      async (t) => {
        for (let round = 0; round < 6; round++) {
          await app.db.execute('DELETE FROM user_roles')
          const { a, b } = await twoAdmins(app, clock)
          const results = await Promise.all([
            round % 2
              ? post(app, `/api/users/${b.id}/disable`, {}, a.token)
              : put(app, `/api/users/${b.id}/roles`, { roles: ['editor'] }, a.token),
            round % 3
              ? post(app, `/api/users/${a.id}/disable`, {}, b.token)
              : put(app, `/api/users/${a.id}/roles`, { roles: ['viewer'] }, b.token)
          ])
          t.equal(results.filter((r) => r.statusCode === 200).length, 1, `round ${round}: one wins`)
          t.ok(results.every((r) => [200, 401, 403, 409].includes(r.statusCode)))
          t.equal(await enabledAdmins(app), 1, 'one administrator left')
        }
      }
    )

    t.test('with a third admin, both changes pass', async (t) => {
      await app.db.execute('DELETE FROM user_roles')
      const { a, b } = await twoAdmins(app, clock)
      const c = await userWithRole(app, clock, 'admin')
      t.equal((await put(app, `/api/users/${b.id}/roles`, { roles: ['editor'] }, a.token)).statusCode, 200)
      t.equal((await post(app, `/api/users/${a.id}/disable`, {}, await login(app, clock, c))).statusCode, 200)
      t.equal(await enabledAdmins(app), 1)
    })
  })
}

t.test(
  'races across two instances on MariaDB: demote-each-other and disable-each-other leave one administrator',
  async (t) => {
    // each instance trusts its cached view of a session for up to a second: both requests pass authorization
    const { a: one, b: two, sync } = await twoInstances(t, { SESSION_CHECK_CACHE_MS: 1000 })
    const actions = {
      demote: (app: FastifyInstance, id: number, token: string) =>
        put(app, `/api/users/${id}/roles`, { roles: ['viewer'] }, token),
      disable: (app: FastifyInstance, id: number, token: string) => post(app, `/api/users/${id}/disable`, {}, token)
    }
    for (const [first, second] of [
      ['demote', 'demote'],
      ['disable', 'disable'],
      ['demote', 'disable'],
      ['disable', 'demote']
    ] as const) {
      for (let round = 0; round < 3; round++) {
        await one.app.db.execute('DELETE FROM user_roles')
        const { a, b } = await twoAdmins(one.app, one.clock)
        sync()
        t.equal((await get(one.app, '/api/users', a.token)).statusCode, 200)
        t.equal((await get(two.app, '/api/users', b.token)).statusCode, 200, 'both sessions cached as admin')
        const results = await Promise.all([
          actions[first](one.app, b.id, a.token),
          actions[second](two.app, a.id, b.token)
        ])
        t.same(results.map((r) => r.statusCode).sort(), [200, 409], `${first} vs ${second}, round ${round}`)
        t.equal(results.find((r) => r.statusCode === 409)?.json().code, 'last_admin')
        t.equal(await enabledAdmins(one.app), 1, 'one administrator left')
      }
    }

    t.test('one after the other: the stale session on the other instance is refused 409 last_admin', async (t) => {
      await one.app.db.execute('DELETE FROM user_roles')
      const { a, b } = await twoAdmins(one.app, one.clock)
      sync()
      t.equal((await get(two.app, '/api/users', b.token)).statusCode, 200)
      t.equal((await actions.demote(one.app, b.id, a.token)).statusCode, 200)
      const late = await actions.demote(two.app, a.id, b.token)
      t.equal(late.statusCode, 409)
      t.equal(late.json().code, 'last_admin')
      t.equal(await enabledAdmins(one.app), 1)
    })
  }
)
