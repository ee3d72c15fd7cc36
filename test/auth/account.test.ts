import t from 'tap'
import { createHash } from 'node:crypto'
import { authApp, code, enrolledUser, login, nextStep, post } from './flow.js'

t.test('account operations', async (t) => {
  const { app, clock } = await authApp(t)

  t.test(
    'T7 (ASVS 6.5.1, 6.5.2, 6.5.4): recovery codes work once, are stored hashed, have ample entropy; regenerating ' +
      'ends the old set',
    async (t) => {
      const u = await enrolledUser(app, clock)
      t.equal(new Set(u.recoveryCodes).size, 10)
      for (const rc of u.recoveryCodes) {
        t.match(
          rc,
          /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/,
          '16 symbols of 31 (entropy: recovery-codes.test.ts)'
        )
      }
      const stored = await app.db.query<{ code_hash: string }>(
        'SELECT code_hash FROM recovery_codes WHERE user_id = ?',
        [u.id]
      )
      t.equal(stored.length, 10)
      const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')
      t.same(
        stored.map((r) => r.code_hash).sort(),
        u.recoveryCodes.map((rc) => sha256(rc.replace(/-/g, ''))).sort(),
        'stored as SHA-256 hashes of the codes, nothing else'
      )

      const access = await login(app, clock, u)
      const regen = await post(
        app,
        '/auth/2fa/recovery-codes',
        { password: u.password, code: code(u.secret, clock) },
        access
      )
      t.equal(regen.statusCode, 200)
      t.equal(regen.headers['cache-control'], 'no-store')
      const fresh = regen.json().recovery_codes as string[]
      t.equal(fresh.length, 10)
      nextStep(clock)
      t.equal(
        (
          await post(app, '/auth/login', {
            username: u.username,
            password: u.password,
            recovery_code: u.recoveryCodes[0]!
          })
        ).json().code,
        'invalid_code',
        'the old set stopped working'
      )
      t.equal(
        (await post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: fresh[0]! }))
          .statusCode,
        200
      )
      t.equal(
        (await post(app, '/auth/login', { username: u.username, password: u.password, recovery_code: fresh[0]! }))
          .statusCode,
        401,
        'once'
      )
    }
  )

  t.test(
    'T9 (ASVS 7.5.1): changing 2FA or regenerating recovery codes requires the password and a current code',
    async (t) => {
      const u = await enrolledUser(app, clock)
      const access = await login(app, clock, u)
      for (const url of ['/auth/2fa/recovery-codes', '/auth/2fa/reset']) {
        t.equal(
          (await post(app, url, { password: u.password, code: code(u.secret, clock) })).statusCode,
          401,
          `${url}: needs the access token`
        )
        t.equal(
          (await post(app, url, { password: 'wrong password', code: code(u.secret, clock) }, access)).json().code,
          'invalid_credentials',
          `${url}: needs the password`
        )
        t.equal(
          (await post(app, url, { password: u.password }, access)).json().code,
          'second_factor_required',
          `${url}: needs a code`
        )
        t.equal(
          (await post(app, url, { password: u.password, code: code(u.secret, clock, 5) }, access)).json().code,
          'invalid_code',
          `${url}: needs a current code`
        )
      }
    }
  )

  t.test(
    'reset 2FA: a new secret is staged; the old factor works until a code from the new one confirms it',
    async (t) => {
      const u = await enrolledUser(app, clock)
      const access = await login(app, clock, u)
      const reset = await post(app, '/auth/2fa/reset', { password: u.password, code: code(u.secret, clock) }, access)
      t.equal(reset.statusCode, 200)
      const enrollment = reset.json()
      t.match(enrollment, { otpauth_uri: /^otpauth:/, secret: /^[A-Z2-7]{32}$/, enrollment_token: String })
      t.not(enrollment.secret, u.secret)

      t.equal(
        (
          await app.inject({
            url: `/auth/generate_qr/${u.username}`,
            headers: { authorization: `Bearer ${u.enrollmentToken}` }
          })
        ).statusCode,
        401,
        'the old enrollment token is dead'
      )
      const qr = await app.inject({
        url: `/auth/generate_qr/${u.username}`,
        headers: { authorization: `Bearer ${enrollment.enrollment_token}`, accept: 'application/json' }
      })
      t.equal(qr.json().secret, enrollment.secret, 'the new enrollment token shows the staged secret')

      nextStep(clock)
      t.match(
        (await post(app, '/auth/login', { username: u.username, password: u.password })).json(),
        { mfa_required: true },
        'the password alone still leads to the code step'
      )
      t.equal(
        (
          await post(app, '/auth/login', {
            username: u.username,
            password: u.password,
            code: code(enrollment.secret, clock)
          })
        ).statusCode,
        401,
        'the staged secret does not log in'
      )
      t.equal(
        (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
          .statusCode,
        200,
        'the current secret still does'
      )

      const confirm = await post(
        app,
        '/auth/2fa/verify',
        { code: code(enrollment.secret, clock) },
        enrollment.enrollment_token
      )
      t.equal(confirm.statusCode, 200, 'a code from the new secret confirms it, even in the step the old one just used')
      t.equal(confirm.json().recovery_codes.length, 10)
      nextStep(clock)
      t.equal(
        (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
          .statusCode,
        401,
        'the old secret is dead'
      )
      t.equal(
        (
          await post(app, '/auth/login', {
            username: u.username,
            password: u.password,
            recovery_code: u.recoveryCodes[0]!
          })
        ).statusCode,
        401,
        'the old recovery codes are dead'
      )
      t.equal(
        (
          await post(app, '/auth/login', {
            username: u.username,
            password: u.password,
            code: code(enrollment.secret, clock)
          })
        ).statusCode,
        200,
        'the new secret logs in'
      )
      t.equal(
        (
          await app.inject({
            url: `/auth/generate_qr/${u.username}`,
            headers: { authorization: `Bearer ${enrollment.enrollment_token}` }
          })
        ).statusCode,
        409,
        'and is never shown again'
      )
    }
  )

  t.test('after a 2FA reset, the password alone cannot take over the second factor', async (t) => {
    const u = await enrolledUser(app, clock)
    const access = await login(app, clock, u)
    t.equal(
      (await post(app, '/auth/2fa/reset', { password: u.password, code: code(u.secret, clock) }, access)).statusCode,
      200
    )
    nextStep(clock)
    const attacker = await post(app, '/auth/login', { username: u.username, password: u.password })
    t.notOk(attacker.json().enrollment_token, 'no enrollment token for a password-only login')
    t.notMatch(attacker.body, /secret|otpauth/)
  })

  t.test('a password change or a 2FA reset ends outstanding mfa tokens', async (t) => {
    for (const change of ['password', 'reset'] as const) {
      const u = await enrolledUser(app, clock)
      const mfa = (await post(app, '/auth/login', { username: u.username, password: u.password })).json().mfa_token
      const access = await login(app, clock, u)
      const res =
        change === 'password'
          ? await post(
            app,
            '/auth/password',
            { current_password: u.password, new_password: 'yet another passphrase', code: code(u.secret, clock) },
            access
          )
          : await post(app, '/auth/2fa/reset', { password: u.password, code: code(u.secret, clock) }, access)
      t.ok(res.statusCode < 300, change)
      nextStep(clock)
      t.equal(
        (await post(app, '/auth/login/2fa', { mfa_token: mfa, code: code(u.secret, clock) })).json().code,
        'mfa_token_invalid',
        `after ${change}`
      )
    }
  })

  t.test('a password change ends the enrollment token of a 2FA reset in progress', async (t) => {
    const u = await enrolledUser(app, clock)
    const access = await login(app, clock, u)
    const enrollment = (
      await post(app, '/auth/2fa/reset', { password: u.password, code: code(u.secret, clock) }, access)
    ).json()
    nextStep(clock)
    const fresh = await login(app, clock, u) // the reset ended every session; the current secret still logs in
    nextStep(clock)
    t.equal(
      (
        await post(
          app,
          '/auth/password',
          { current_password: u.password, new_password: 'yet another passphrase', code: code(u.secret, clock) },
          fresh
        )
      ).statusCode,
      204
    )
    const qr = await app.inject({
      url: `/auth/generate_qr/${u.username}`,
      headers: { authorization: `Bearer ${enrollment.enrollment_token}` }
    })
    t.equal(qr.json().code, 'enrollment_token_invalid', 'the staged secret cannot be fetched any more')
    t.equal(
      (
        await post(app, '/auth/2fa/verify', { code: code(enrollment.secret, clock) }, enrollment.enrollment_token)
      ).json().code,
      'enrollment_token_invalid',
      'nor confirmed'
    )
  })

  t.test('change password: needs the current password and a code; refuses weak passwords', async (t) => {
    const u = await enrolledUser(app, clock)
    const access = await login(app, clock, u)
    const weak = await post(
      app,
      '/auth/password',
      { current_password: u.password, new_password: 'password1', code: code(u.secret, clock) },
      access
    )
    t.equal(weak.statusCode, 400)
    t.match(weak.json(), { code: 'weak_password', errors: [{ pointer: '/body/new_password' }] })
    t.equal(
      (
        await post(
          app,
          '/auth/password',
          { current_password: 'not it at all', new_password: 'a brand new passphrase', code: code(u.secret, clock) },
          access
        )
      ).json().code,
      'invalid_credentials'
    )
    t.equal(
      (
        await post(
          app,
          '/auth/password',
          { current_password: u.password, new_password: 'a brand new passphrase' },
          access
        )
      ).json().code,
      'second_factor_required'
    )
    t.equal(
      (
        await post(
          app,
          '/auth/password',
          { current_password: u.password, new_password: 'a brand new passphrase', code: code(u.secret, clock, 5) },
          access
        )
      ).json().code,
      'invalid_code'
    )
    t.equal(
      (
        await post(
          app,
          '/auth/password',
          { current_password: u.password, new_password: 'a brand new passphrase', code: code(u.secret, clock) },
          access
        )
      ).statusCode,
      204
    )
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: u.password })).statusCode,
      401,
      'the old password is dead'
    )
    t.equal(
      (await post(app, '/auth/login', { username: u.username, password: 'a brand new passphrase' })).statusCode,
      200
    )
  })
})
