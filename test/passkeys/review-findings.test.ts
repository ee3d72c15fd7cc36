import t from 'tap'
import { authApp, code, enrolledUser, login, loginTokens, nextStep, post, get, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'
import { claims, registerPasskey, soft } from './flow.js'
import { MAX_PASSKEYS } from '../../src/passkeys/passkey-service.js'

/** Fixes for the security review of the passkey and step-up branch (F1-F3, F6-F8, N1, N2, N6), on both stores. */
for (const store of stores) {
  t.test(`${store}: review findings`, async (t) => {
    const { app, clock } = await authApp(t, { store })

    t.test('F1: unknown or repeated transports are dropped, not stored (no 500 on MariaDB)', async (t) => {
      const u = await enrolledUser(app, clock)
      const access = await login(app, clock, u)
      const long = await registerPasskey(app, access, { transports: Array.from({ length: 8 }, () => 'a'.repeat(32)) })
      t.equal(long.res.statusCode, 201, long.res.body)
      t.same(long.res.json().transports, [])
      const mixed = await registerPasskey(app, access, {
        transports: ['usb', 'usb', 'hybrid', 'made-up', 'internal', 'internal', 'nfc', 'ble']
      })
      t.same(mixed.res.json().transports, ['usb', 'hybrid', 'internal', 'nfc', 'ble'])
    })

    t.test(
      'F2: a credential id that is not the response id, too long, or an oversized key is refused (400, no 500)',
      async (t) => {
        const u = await enrolledUser(app, clock)
        const access = await login(app, clock, u)
        for (const [name, o] of [
          ['another id in the JSON', { jsonId: 'AAAA' }],
          ['a 1024-byte id', { idBytes: 1024 }],
          ['an oversized public key', { coseExtraBytes: 1600 }]
        ] as const) {
          const { res } = await registerPasskey(app, access, o)
          t.equal(res.statusCode, 400, name)
          t.equal(res.json().code, 'passkey_registration_refused', name)
        }
        t.equal(
          (await registerPasskey(app, access, { idBytes: 1100 })).res.statusCode,
          400,
          'a 1100-byte id (the JSON id is bounded too)'
        )
        t.equal(
          (await registerPasskey(app, access, { idBytes: 1023 })).res.statusCode,
          201,
          'the WebAuthn maximum (1023 bytes) is accepted'
        )
        t.same((await get(app, '/auth/passkeys', access)).json().items.length, 1)
      }
    )

    t.test(`F3: at most ${MAX_PASSKEYS} passkeys per account (409), also under concurrent registrations`, async (t) => {
      const u = await enrolledUser(app, clock)
      const access = await login(app, clock, u)
      for (let i = 0; i < MAX_PASSKEYS - 4; i++) t.equal((await registerPasskey(app, access)).res.statusCode, 201)
      const racing = await Promise.all(Array.from({ length: 10 }, () => registerPasskey(app, access)))
      const codes = racing.map((r) => r.res.statusCode).sort()
      t.same(codes, [...Array(4).fill(201), ...Array(6).fill(409)], 'exactly up to the cap')
      t.equal(racing.find((r) => r.res.statusCode === 409)!.res.json().code, 'passkey_limit')
      t.equal((await get(app, '/auth/passkeys', access)).json().items.length, MAX_PASSKEYS)
      nextStep(clock)
      const mfa = await post(app, '/auth/login', { username: u.username, password: u.password })
      t.equal(mfa.statusCode, 200, mfa.body.slice(0, 300))
      t.equal(mfa.json().webauthn_options.allowCredentials.length, MAX_PASSKEYS)
    })

    t.test('F6: a second-step passkey challenge is bound to its mfa_token', async (t) => {
      const u = await enrolledUser(app, clock)
      const { credential } = await registerPasskey(app, await login(app, clock, u))
      const m1 = (await post(app, '/auth/login', { username: u.username, password: u.password })).json()
      const m2 = (await post(app, '/auth/login', { username: u.username, password: u.password })).json()
      const crossed = await post(app, '/auth/login/2fa', {
        mfa_token: m2.mfa_token,
        webauthn: soft.get(credential, m1.webauthn_options)
      })
      t.match(crossed.json(), { code: 'passkey_refused', detail: /challenge/ }, "m1's challenge does not complete m2")
      t.equal(
        (
          await post(app, '/auth/login/2fa', {
            mfa_token: m1.mfa_token,
            webauthn: soft.get(credential, m1.webauthn_options)
          })
        ).statusCode,
        200,
        'its own does'
      )
    })

    t.test('F7: a step-up adds to what the session proved: a code after password+code stays aal2', async (t) => {
      const u = await enrolledUser(app, clock)
      const tokens = await loginTokens(app, clock, u)
      const up = await post(app, '/auth/step-up', { code: code(u.secret, clock) }, tokens.access_token)
      t.match(claims(up.json().access_token), { amr: ['pwd', 'otp'], acr: 'aal2' })
      const refreshed = await post(app, '/auth/refresh', { refresh_token: tokens.refresh_token })
      t.match(claims(refreshed.json().access_token), { amr: ['pwd', 'otp'], acr: 'aal2' }, 'and so do its refreshes')
      nextStep(clock)
    })

    t.test('F8: unlocking an account and ending its sessions need a recent authentication', async (t) => {
      const admin = await userWithRole(app, clock, 'admin')
      const other = await enrolledUser(app, clock)
      const access = await login(app, clock, admin)
      clock.advance(301_000)
      t.equal(
        (await post(app, `/api/users/${other.id}/unlock`, {}, access)).json().code,
        'insufficient_user_authentication'
      )
      const del = await app.inject({
        method: 'DELETE',
        url: `/api/users/${other.id}/sessions`,
        headers: { authorization: `Bearer ${access}` }
      })
      t.equal(del.json().code, 'insufficient_user_authentication')
    })

    t.test('N1: passkey names must be visible text (no control, zero-width, bidi or lone surrogates)', async (t) => {
      const u = await enrolledUser(app, clock)
      const access = await login(app, clock, u)
      const { res } = await registerPasskey(app, access)
      const id = res.json().id
      const rename = (name: string) =>
        app.inject({
          method: 'PATCH',
          url: `/auth/passkeys/${id}`,
          payload: { name },
          headers: { authorization: `Bearer ${access}` }
        })
      for (const bad of ['   ', 'a\u0000b', 'a\u200bb', 'evil\u202egpj.exe', 'a\ud800', '\t']) {
        const r = await rename(bad)
        t.equal(r.statusCode, 400, `${JSON.stringify(bad)} ${r.body.slice(0, 200)}`)
      }
      for (const good of ['laptop', 'Clé de Zoë', '手机', 'a b']) {
        const r = await rename(good)
        t.equal(r.json().name, good, r.body.slice(0, 200))
      }
    })

    t.test(
      "N2: a token whose auth_time is in the future (another instance's clock ahead) gets no step-up window",
      async (t) => {
        const u = await enrolledUser(app, clock)
        const access = await login(app, clock, u)
        const issued = claims(access).auth_time * 1000
        clock.set(issued - 120_000)
        t.equal(
          (
            await post(app, '/auth/2fa/recovery-codes', { password: u.password, code: code(u.secret, clock) }, access)
          ).json().code,
          'insufficient_user_authentication'
        )
        clock.set(issued - 30_000)
        t.not(
          (
            await post(
              app,
              '/auth/2fa/recovery-codes',
              { password: u.password, recovery_code: u.recoveryCodes[0]! },
              access
            )
          ).statusCode,
          401,
          'a small skew passes'
        )
        clock.set(issued + 60_000)
      }
    )

    t.test(
      'N6: a step-up with a recovery code is audited as recovery_code_used; stepped_up names the factor',
      async (t) => {
        const u = await enrolledUser(app, clock)
        const access = await login(app, clock, u)
        t.equal((await post(app, '/auth/step-up', { recovery_code: u.recoveryCodes[0]! }, access)).statusCode, 200)
        const rows = await app.db.query<{ event: string; details: string | null }>(
          'SELECT event, details FROM audit_events WHERE target_user_id = ? ' +
            "AND event IN ('recovery_code_used', 'stepped_up') ORDER BY id",
          [u.id]
        )
        t.same(rows, [
          { event: 'recovery_code_used', details: null },
          { event: 'stepped_up', details: 'recovery code' }
        ])
      }
    )
  })
}
