import t from 'tap'
import { Writable } from 'node:stream'
import { authApp, code, enrolledUser, login, post } from './flow.js'
import { stores } from '../helper.js'

for (const store of stores) {
  t.test(`no plaintext secret, recovery code, token or password in the ${store} store or in the logs`, async (t) => {
    let logs = ''
    const logStream = new Writable({
      write (chunk, _enc, done) {
        logs += chunk
        done()
      }
    })
    const { app, clock } = await authApp(t, { store, logStream, config: { LOG_LEVEL: 'trace' } })

    const u = await enrolledUser(app, clock)
    const mfa = (await post(app, '/auth/login', { username: u.username, password: u.password })).json()
      .mfa_token as string
    const access = await login(app, clock, u)
    const regen = (
      await post(app, '/auth/2fa/recovery-codes', { password: u.password, code: code(u.secret, clock) }, access)
    ).json().recovery_codes as string[]

    const secrets = [u.password, u.secret, u.enrollmentToken, mfa, access, ...u.recoveryCodes, ...regen]
    const strip = (s: string) => s.replace(/-/g, '')
    let dump = ''
    for (const table of ['users', 'recovery_codes', 'auth_tokens']) {
      dump += JSON.stringify(await app.db.query(`SELECT * FROM ${table}`))
    }
    for (const s of secrets) {
      t.notOk(dump.includes(s) || dump.includes(strip(s)), `store does not hold ${s.slice(0, 6)}…`)
      t.notOk(logs.includes(s) || logs.includes(strip(s)), `logs do not hold ${s.slice(0, 6)}…`)
    }
    t.ok(logs.length > 1000, 'there were logs to look at')
  })
}

t.test(
  'the account flow on the embedded SQLite store: N concurrent uses of one code or recovery code, one success',
  async (t) => {
    const { app, clock } = await authApp(t, { store: 'sqlite' })
    const u = await enrolledUser(app, clock)
    const c = code(u.secret, clock)
    const results = await Promise.all(
      Array.from({ length: 6 }, () => post(app, '/auth/login', { username: u.username, password: u.password, code: c }))
    )
    t.same(
      results.map((r) => r.statusCode).sort(),
      [200, 401, 401, 401, 401, 401],
      'exactly one of N concurrent logins with one code'
    )
    const rc = u.recoveryCodes[0]!
    const rcs = await Promise.all(
      Array.from({ length: 4 }, () =>
        post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: rc })
      )
    )
    t.same(rcs.map((r) => r.statusCode).sort(), [200, 401, 401, 401], 'exactly one use of a recovery code')
  }
)
