import t from 'tap'
import { authApp, code, enrolledUser, loginTokens, post, PASSWORD } from '../auth/flow.js'
import { stores } from '../helper.js'

interface EventRow {
  event: string
  target_user_id: number | null
  session_id: string | null
  details: string | null
}

const sidOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).sid as string

for (const store of stores) {
  t.test(`audit events (${store})`, async (t) => {
    const { app, clock } = await authApp(t, { store })
    const events = (event: string) =>
      app.db.query<EventRow & Record<string, unknown>>(
        'SELECT event, target_user_id, session_id, details FROM audit_events WHERE event = ? ORDER BY id',
        [event]
      )
    const allText = async () => JSON.stringify(await app.db.query('SELECT * FROM audit_events'))

    t.test('an unknown username is never stored as typed, only as a keyed digest', async (t) => {
      const typed = ['correct.horse.battery', 'Hunter2-Secret', 'ｓｅｃｒｅｔ．ｐａｓｓ']
      for (const name of [...typed, typed[0]!]) {
        t.equal((await post(app, '/auth/login', { username: name, password: 'whatever it is' })).statusCode, 401)
      }
      const failed = (await events('login_failed')).filter((e) => e.target_user_id === null)
      t.equal(failed.length, 4)
      const digests = failed.map((e) => /^unknown username \((hmac:[0-9a-f]{16})\)$/.exec(e.details ?? '')?.[1])
      t.ok(digests.every(Boolean), 'each carries a digest')
      t.equal(digests[0], digests[3], 'the same name twice: the same digest, so attempts can be correlated')
      t.equal(new Set(digests).size, 3)
      const text = (await allText()).toLowerCase()
      for (const name of ['correct.horse.battery', 'hunter2-secret', 'secret.pass', 'horse', 'hunter2']) {
        t.notOk(text.includes(name), `"${name}" is nowhere in the log`)
      }
    })

    t.test('a failure on a known account names it; lock events of unknown names carry the digest only', async (t) => {
      const u = await enrolledUser(app, clock)
      await post(app, '/auth/login', { username: u.username, password: 'not the password' })
      t.match((await events('login_failed')).at(-1), {
        target_user_id: u.id,
        details: `wrong password (${u.username.toLowerCase()})`
      })
      for (let i = 0; i < 10; i++) {
        await post(app, '/auth/login', { username: 'typed.secret.word', password: 'x' })
        clock.advance(600_000)
      }
      const locked = await events('account_locked')
      t.ok(locked.length >= 1)
      t.ok(
        locked.every((e) => /^hmac:[0-9a-f]{16}$/.test(e.details ?? '')),
        'the lock names the digest'
      )
      t.notOk((await allText()).includes('typed.secret.word'))
    })

    t.test('login_succeeded carries its session id (TOTP, recovery code, two-step login)', async (t) => {
      const u = await enrolledUser(app, clock)
      const direct = await loginTokens(app, clock, u)
      const mfa = (await post(app, '/auth/login', { username: u.username, password: PASSWORD })).json().mfa_token
      const twoStep = (await post(app, '/auth/login/2fa', { mfa_token: mfa, code: code(u.secret, clock) })).json()
      const recovery = (
        await post(app, '/auth/login', { username: u.username, password: PASSWORD, recovery_code: u.recoveryCodes[0] })
      ).json()
      const mine = (await events('login_succeeded')).filter((e) => e.target_user_id === u.id)
      t.same(
        mine.map((e) => e.session_id),
        [direct, twoStep, recovery].map((tokens) => sidOf(tokens.access_token))
      )
      const used = (await events('recovery_code_used')).filter((e) => e.target_user_id === u.id)
      t.same(
        used.map((e) => e.session_id),
        [sidOf(recovery.access_token)]
      )
    })

    t.test('one theft, one refresh_reuse_detected, whatever the burst', async (t) => {
      for (let round = 0; round < 3; round++) {
        const u = await enrolledUser(app, clock)
        const first = await loginTokens(app, clock, u)
        const burst = await Promise.all(
          Array.from({ length: 10 }, () => post(app, '/auth/refresh', { refresh_token: first.refresh_token }))
        )
        t.equal(burst.filter((r) => r.statusCode === 200).length, 1, 'one refresh wins')
        const replays = await Promise.all(
          Array.from({ length: 10 }, () => post(app, '/auth/refresh', { refresh_token: first.refresh_token }))
        )
        t.ok(replays.every((r) => r.statusCode === 401))
        const reuse = (await events('refresh_reuse_detected')).filter((e) => e.target_user_id === u.id)
        t.equal(reuse.length, 1, `round ${round}: one event`)
        t.equal(reuse[0]!.session_id, sidOf(first.access_token))
      }
    })
  })
}
