import t from 'tap'
import { authApp, code, enrolledUser, login, nextStep, post } from './flow.js'

t.test('account operations', async (t) => {
  const { app, clock } = await authApp(t)

  t.test('T7 (ASVS 6.5.1, 6.5.2, 6.5.4): recovery codes work once, are stored hashed, have ample entropy; regenerating ends the old set', async (t) => {
    const u = await enrolledUser(app, clock)
    t.equal(new Set(u.recoveryCodes).size, 10)
    for (const rc of u.recoveryCodes) t.match(rc, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/, '16 symbols of 31: about 79 bits')
    const stored = await app.db.query<{ code_hash: string }>('SELECT code_hash FROM recovery_codes WHERE user_id = ?', [u.id])
    t.equal(stored.length, 10)
    for (const row of stored) {
      t.match(row.code_hash, /^[0-9a-f]{64}$/)
      t.notOk(u.recoveryCodes.some((rc) => row.code_hash.includes(rc.replace(/-/g, ''))), 'no plaintext code stored')
    }

    const access = await login(app, clock, u)
    const regen = await post(app, '/auth/2fa/recovery-codes', { password: u.password, code: code(u.secret, clock) }, access)
    t.equal(regen.statusCode, 200)
    t.equal(regen.headers['cache-control'], 'no-store')
    const fresh = regen.json().recovery_codes as string[]
    t.equal(fresh.length, 10)
    nextStep(clock)
    t.equal((await post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: u.recoveryCodes[0]! })).json().code, 'invalid_code', 'the old set stopped working')
    t.equal((await post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: fresh[0]! })).statusCode, 200)
    t.equal((await post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: fresh[0]! })).statusCode, 401, 'once')
  })

  t.test('T9 (ASVS 7.5.1): changing 2FA or regenerating recovery codes requires the password and a current code', async (t) => {
    const u = await enrolledUser(app, clock)
    const access = await login(app, clock, u)
    for (const url of ['/auth/2fa/recovery-codes', '/auth/2fa/reset']) {
      t.equal((await post(app, url, { password: u.password, code: code(u.secret, clock) })).statusCode, 401, `${url}: needs the access token`)
      t.equal((await post(app, url, { password: 'wrong password', code: code(u.secret, clock) }, access)).json().code, 'invalid_credentials', `${url}: needs the password`)
      t.equal((await post(app, url, { password: u.password }, access)).json().code, 'second_factor_required', `${url}: needs a code`)
      t.equal((await post(app, url, { password: u.password, code: code(u.secret, clock, 5) }, access)).json().code, 'invalid_code', `${url}: needs a current code`)
    }
  })

  t.test('reset 2FA: a new secret, pending until confirmed; the old secret and recovery codes stop working', async (t) => {
    const u = await enrolledUser(app, clock)
    const access = await login(app, clock, u)
    const reset = await post(app, '/auth/2fa/reset', { password: u.password, code: code(u.secret, clock) }, access)
    t.equal(reset.statusCode, 200)
    const enrollment = reset.json()
    t.match(enrollment, { otpauth_uri: /^otpauth:/, secret: /^[A-Z2-7]{32}$/, enrollment_token: String })
    t.not(enrollment.secret, u.secret)
    nextStep(clock)

    t.equal((await app.inject({ url: `/auth/generate_qr/${u.username}`, headers: { authorization: `Bearer ${u.enrollmentToken}` } })).statusCode, 401, 'the old enrollment token is dead')
    t.match((await post(app, '/auth/login', { username: u.username, password: u.password })).json(), { enrollment_required: true })
    t.equal((await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) })).statusCode, 401, 'the old secret is dead')
    t.equal((await post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: u.recoveryCodes[0]! })).statusCode, 401, 'the old recovery codes are dead')

    const confirm = await post(app, '/auth/2fa/verify', { code: code(enrollment.secret, clock) }, enrollment.enrollment_token)
    t.equal(confirm.statusCode, 200)
    t.equal(confirm.json().recovery_codes.length, 10)
  })

  t.test('change password: needs the current password and a code; refuses weak passwords', async (t) => {
    const u = await enrolledUser(app, clock)
    const access = await login(app, clock, u)
    const weak = await post(app, '/auth/password', { current_password: u.password, new_password: 'password1', code: code(u.secret, clock) }, access)
    t.equal(weak.statusCode, 400)
    t.match(weak.json(), { code: 'weak_password', errors: [{ pointer: '/body/new_password' }] })
    t.equal((await post(app, '/auth/password', { current_password: 'not it at all', new_password: 'a brand new passphrase', code: code(u.secret, clock) }, access)).json().code, 'invalid_credentials')
    t.equal((await post(app, '/auth/password', { current_password: u.password, new_password: 'a brand new passphrase', code: code(u.secret, clock) }, access)).statusCode, 204)
    t.equal((await post(app, '/auth/login', { username: u.username, password: u.password })).statusCode, 401, 'the old password is dead')
    t.equal((await post(app, '/auth/login', { username: u.username, password: 'a brand new passphrase' })).statusCode, 200)
  })
})
