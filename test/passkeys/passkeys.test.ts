import t from 'tap'
import { authApp, code, enrolledUser, login, loginTokens, nextStep, post, get, userWithRole } from '../auth/flow.js'
import { stores } from '../helper.js'
import { claims, passkeyLogin, registerPasskey, sha256, soft } from './flow.js'

const auditOf = async (app: Awaited<ReturnType<typeof authApp>>['app'], userId: number, event: string) =>
  (
    await app.db.query<{ details: string | null }>(
      'SELECT details FROM audit_events WHERE target_user_id = ? AND event = ? ORDER BY id',
      [userId, event]
    )
  ).map((r) => r.details)

for (const store of stores) {
  t.test(`${store}: passkeys`, async (t) => {
    const { app, clock } = await authApp(t, { store, config: { LOGIN_MAX_FAILURES: 6 } })

    t.test(
      'registration options: discoverable, user-verified, no attestation, ES256/RS256/Ed25519, a random stable handle',
      async (t) => {
        const u = await enrolledUser(app, clock)
        const access = await login(app, clock, u)
        const a = (await post(app, '/auth/passkeys/registration/options', {}, access)).json()
        const b = (await post(app, '/auth/passkeys/registration/options', {}, access)).json()
        t.match(a, {
          rp: { id: 'localhost', name: 'secure-api' },
          user: { name: u.username },
          attestation: 'none',
          authenticatorSelection: { residentKey: 'required', userVerification: 'required' }
        })
        t.same(
          a.pubKeyCredParams.map((p: { alg: number }) => p.alg),
          [-8, -7, -257],
          'Ed25519, ES256, RS256'
        )
        t.equal(a.user.id, b.user.id, 'the handle is stable')
        t.equal(Buffer.from(a.user.id, 'base64url').length, 32, 'and random: 32 bytes')
        t.not(Buffer.from(a.user.id, 'base64url').toString(), String(u.id))
        t.notMatch(Buffer.from(a.user.id, 'base64url').toString('latin1'), u.username)
        t.not(a.challenge, b.challenge)
        t.ok(Buffer.from(a.challenge, 'base64url').length >= 16, 'at least 128 bits')
        const stored = await app.db.query<{ challenge_hash: string; ceremony: string; user_id: number }>(
          'SELECT challenge_hash, ceremony, user_id FROM webauthn_challenges WHERE user_id = ?',
          [u.id]
        )
        t.same(
          stored.map((r) => r.challenge_hash).sort(),
          [sha256(a.challenge), sha256(b.challenge)].sort(),
          'stored as hashes only'
        )
        t.same([...new Set(stored.map((r) => r.ceremony))], ['registration'])

        const { credential, res } = await registerPasskey(app, access)
        t.equal(res.statusCode, 201, res.body)
        t.match(res.json(), {
          id: Number,
          name: 'soft key',
          created_at: String,
          last_used_at: null,
          backed_up: false,
          transports: ['internal']
        })
        const again = (await post(app, '/auth/passkeys/registration/options', {}, access)).json()
        t.same(
          again.excludeCredentials.map((c: { id: string }) => c.id),
          [credential.id.toString('base64url')],
          'excludeCredentials lists it'
        )
        t.same(await auditOf(app, u.id, 'passkey_registered'), [`passkey ${res.json().id}`])
        const list = await get(app, '/auth/passkeys', access)
        t.equal(list.json().items.length, 1)
      }
    )

    t.test('W4: usernameless login: tokens with amr hwk+user (aal2), audited; UV is required', async (t) => {
      const u = await enrolledUser(app, clock)
      const { credential } = await registerPasskey(app, await login(app, clock, u))
      const options = (await post(app, '/auth/passkeys/authentication/options', {})).json()
      t.match(options, { userVerification: 'required', rpId: 'localhost' })
      t.same(options.allowCredentials, [])
      const res = await post(app, '/auth/passkeys/authentication/verify', { response: soft.get(credential, options) })
      t.equal(res.statusCode, 200, res.body)
      t.match(claims(res.json().access_token), { sub: String(u.id), amr: ['hwk', 'user'], acr: 'aal2' })
      t.ok(res.json().refresh_token)
      t.same((await auditOf(app, u.id, 'login_succeeded')).at(-1), 'passkey')
      for (const uvLess of [{ uv: false }]) {
        const refused = await passkeyLogin(app, credential, uvLess)
        t.equal(refused.statusCode, 401)
        t.match(refused.json(), { code: 'passkey_refused', detail: /user not verified/ })
      }
      const noUvRegistration = await registerPasskey(app, await login(app, clock, u), { uv: false })
      t.match(noUvRegistration.res.json(), { code: 'passkey_registration_refused', detail: /user not verified/ })
    })

    t.test('W2: challenges: single use, 5 minutes, one ceremony, one user', async (t) => {
      const u = await enrolledUser(app, clock)
      const access = await login(app, clock, u)
      const { credential } = await registerPasskey(app, access)
      const options = (await post(app, '/auth/passkeys/authentication/options', {})).json()
      t.equal(
        (await post(app, '/auth/passkeys/authentication/verify', { response: soft.get(credential, options) }))
          .statusCode,
        200
      )
      const replay = await post(app, '/auth/passkeys/authentication/verify', {
        response: soft.get(credential, options)
      })
      t.match(replay.json(), { code: 'passkey_refused', detail: /challenge/ }, 'replayed')

      const late = (await post(app, '/auth/passkeys/authentication/options', {})).json()
      clock.advance(5 * 60 * 1000 + 1)
      t.match(
        (await post(app, '/auth/passkeys/authentication/verify', { response: soft.get(credential, late) })).json(),
        { code: 'passkey_refused', detail: /challenge/ },
        'expired'
      )

      const fresh = await login(app, clock, u)
      const registration = (await post(app, '/auth/passkeys/registration/options', {}, fresh)).json()
      t.match(
        (
          await post(app, '/auth/passkeys/authentication/verify', { response: soft.get(credential, registration) })
        ).json(),
        { code: 'passkey_refused', detail: /challenge/ },
        'a registration challenge does not log in'
      )
      const stepUp = (await post(app, '/auth/step-up/options', {}, fresh)).json().webauthn_options
      t.match(
        (await post(app, '/auth/passkeys/authentication/verify', { response: soft.get(credential, stepUp) })).json(),
        { code: 'passkey_refused', detail: /challenge/ },
        'a step-up challenge does not log in'
      )
      const login2 = (await post(app, '/auth/passkeys/authentication/options', {})).json()
      t.match(
        (await post(app, '/auth/step-up', { webauthn: soft.get(credential, login2) }, fresh)).json(),
        { code: 'passkey_refused', detail: /challenge/ },
        'a login challenge does not step up'
      )
      const made = soft.create(registration)
      t.equal(
        (
          await post(
            app,
            '/auth/passkeys/registration/verify',
            { response: soft.get(credential, registration, { type: 'webauthn.create' }) },
            fresh
          )
        ).statusCode,
        400,
        'an assertion is not a registration'
      )
      t.ok(made)
    })

    t.test('W3: phishing resistance: another origin or RP id is refused', async (t) => {
      const u = await enrolledUser(app, clock)
      const { credential } = await registerPasskey(app, await login(app, clock, u))
      for (const origin of [
        'http://127.0.0.1:3000',
        'https://localhost:3000',
        'http://localhost:3001',
        'https://secure-api.example.evil'
      ]) {
        t.match(
          (await passkeyLogin(app, credential, { origin })).json(),
          { code: 'passkey_refused', detail: /origin/ },
          origin
        )
        clock.advance(10_000) // past the throttle's growing delays
      }
      t.match((await passkeyLogin(app, credential, { rpId: 'evil.example' })).json(), {
        code: 'passkey_refused',
        detail: /RP ID/
      })
      clock.advance(10_000)
      const other = await registerPasskey(app, await login(app, clock, u), { origin: 'http://evil.example' })
      t.match(other.res.json(), { code: 'passkey_registration_refused', detail: /origin/ })
      t.equal((await passkeyLogin(app, credential)).statusCode, 200, 'the right origin still works')
    })

    t.test('W5: a counter that does not increase is refused and audited as a possible clone', async (t) => {
      const u = await enrolledUser(app, clock)
      const { credential } = await registerPasskey(app, await login(app, clock, u), { counter: 1 })
      t.equal((await passkeyLogin(app, credential, { counter: 5 })).statusCode, 200)
      for (const counter of [5, 3]) {
        const res = await passkeyLogin(app, credential, { counter })
        t.match(res.json(), { code: 'passkey_refused', detail: /counter/ }, `counter ${counter} after 5`)
      }
      t.match(await auditOf(app, u.id, 'passkey_counter_anomaly'), [
        /counter 5 after 5, possibly cloned/,
        /counter 3 after 5/
      ])
      t.equal((await passkeyLogin(app, credential, { counter: 6 })).statusCode, 200)
    })

    t.test('W6: a credential only logs in its own account', async (t) => {
      const a = await enrolledUser(app, clock)
      const b = await enrolledUser(app, clock)
      const { credential } = await registerPasskey(app, await login(app, clock, a))
      const bHandle = (await post(app, '/auth/passkeys/registration/options', {}, await login(app, clock, b))).json()
        .user.id
      t.match(
        (await passkeyLogin(app, credential, { userHandle: bHandle })).json(),
        { code: 'passkey_refused', detail: /user handle/ },
        "another account's handle"
      )
      t.match(
        (await passkeyLogin(app, credential, { userHandle: null })).json(),
        { code: 'passkey_refused', detail: /user handle/ },
        'no handle'
      )
      const bAccess = await login(app, clock, b)
      const options = (await post(app, '/auth/step-up/options', {}, bAccess)).json()
      t.same(options.factors, ['totp', 'recovery_code'], 'b has no passkey')
      t.equal(
        (
          await post(
            app,
            '/auth/step-up',
            { webauthn: soft.get(credential, (await post(app, '/auth/passkeys/authentication/options', {})).json()) },
            bAccess
          )
        ).json().code,
        'passkey_refused',
        "a's passkey does not step b up"
      )
      const aAccess = await login(app, clock, a)
      await registerPasskey(app, await login(app, clock, b))
      const bStepUp = (await post(app, '/auth/step-up/options', {}, await login(app, clock, b))).json().webauthn_options
      const forA = (await post(app, '/auth/step-up/options', {}, aAccess)).json().webauthn_options
      const stolen = await post(
        app,
        '/auth/step-up',
        { webauthn: soft.get(credential, { challenge: bStepUp.challenge }) },
        aAccess
      )
      t.match(
        stolen.json(),
        { code: 'passkey_refused', detail: /challenge/ },
        'a step-up challenge made for b does not step a up'
      )
      t.equal(
        (await post(app, '/auth/step-up', { webauthn: soft.get(credential, forA) }, aAccess)).statusCode,
        200,
        'one made for a does'
      )
      nextStep(clock)
      const mfa = (await post(app, '/auth/login', { username: b.username, password: b.password })).json()
      const anyOptions = (await post(app, '/auth/passkeys/authentication/options', {})).json()
      const res = await post(app, '/auth/login/2fa', {
        mfa_token: mfa.mfa_token,
        webauthn: soft.get(credential, anyOptions)
      })
      t.match(res.json(), { code: 'passkey_refused', detail: /another account/ }, "nor completes b's login")
    })

    t.test('the second login step: mfa_required lists the factors and options; a passkey completes it', async (t) => {
      const u = await enrolledUser(app, clock)
      t.same((await post(app, '/auth/login', { username: u.username, password: u.password })).json().factors, [
        'totp',
        'recovery_code'
      ])
      const { credential } = await registerPasskey(app, await login(app, clock, u))
      const mfa = (await post(app, '/auth/login', { username: u.username, password: u.password })).json()
      t.same(mfa.factors, ['totp', 'webauthn', 'recovery_code'])
      t.same(
        mfa.webauthn_options.allowCredentials.map((c: { id: string }) => c.id),
        [credential.id.toString('base64url')]
      )
      t.equal(
        (
          await post(app, '/auth/login/2fa', {
            mfa_token: mfa.mfa_token,
            code: code(u.secret, clock),
            webauthn: soft.get(credential, mfa.webauthn_options)
          })
        ).json().code,
        'second_factor_conflict'
      )
      const res = await post(app, '/auth/login/2fa', {
        mfa_token: mfa.mfa_token,
        webauthn: soft.get(credential, mfa.webauthn_options)
      })
      t.equal(res.statusCode, 200, res.body)
      t.match(claims(res.json().access_token), { amr: ['pwd', 'hwk', 'user'], acr: 'aal2' })
      t.equal(
        (
          await post(app, '/auth/login/2fa', {
            mfa_token: mfa.mfa_token,
            webauthn: soft.get(credential, mfa.webauthn_options)
          })
        ).statusCode,
        401,
        'once'
      )
    })

    t.test('U2, U3: step-up with a passkey; registration and removal need a recent authentication', async (t) => {
      const u = await enrolledUser(app, clock)
      const tokens = await loginTokens(app, clock, u)
      const { credential, res } = await registerPasskey(app, tokens.access_token)
      clock.advance(301_000)
      const tooOld = await post(app, '/auth/passkeys/registration/options', {}, tokens.access_token)
      t.equal(tooOld.json().code, 'insufficient_user_authentication')
      t.equal(
        (
          await app.inject({
            method: 'DELETE',
            url: `/auth/passkeys/${res.json().id}`,
            headers: { authorization: `Bearer ${tokens.access_token}` }
          })
        ).json().code,
        'insufficient_user_authentication'
      )
      const options = (await post(app, '/auth/step-up/options', {}, tokens.access_token)).json()
      t.same(options.factors, ['totp', 'webauthn', 'recovery_code'])
      const up = await post(
        app,
        '/auth/step-up',
        { webauthn: soft.get(credential, options.webauthn_options) },
        tokens.access_token
      )
      t.equal(up.statusCode, 200, up.body)
      t.match(claims(up.json().access_token), {
        amr: ['pwd', 'otp', 'hwk', 'user'],
        acr: 'aal2',
        auth_time: Math.floor(clock.now() / 1000)
      })
      t.equal(
        (
          await app.inject({
            method: 'DELETE',
            url: `/auth/passkeys/${res.json().id}`,
            headers: { authorization: `Bearer ${up.json().access_token}` }
          })
        ).statusCode,
        204
      )
      t.same(await auditOf(app, u.id, 'passkey_removed'), [`passkey ${res.json().id}`])
      t.equal(
        (await passkeyLogin(app, credential)).json().code,
        'passkey_refused',
        'a removed passkey no longer logs in'
      )
    })

    t.test(
      "W6: password change and 2FA reset keep passkeys; someone else's passkey is 404; disabled accounts cannot log in",
      async (t) => {
        const u = await enrolledUser(app, clock)
        const other = await enrolledUser(app, clock)
        const { credential, res } = await registerPasskey(app, await login(app, clock, u))
        const id = res.json().id
        const otherAccess = await login(app, clock, other)
        t.equal(
          (
            await app.inject({
              method: 'PATCH',
              url: `/auth/passkeys/${id}`,
              payload: { name: 'mine' },
              headers: { authorization: `Bearer ${otherAccess}` }
            })
          ).statusCode,
          404
        )
        t.equal(
          (
            await app.inject({
              method: 'DELETE',
              url: `/auth/passkeys/${id}`,
              headers: { authorization: `Bearer ${otherAccess}` }
            })
          ).statusCode,
          404
        )
        const access = await login(app, clock, u)
        const renamed = await app.inject({
          method: 'PATCH',
          url: `/auth/passkeys/${id}`,
          payload: { name: 'laptop' },
          headers: { authorization: `Bearer ${access}` }
        })
        t.equal(renamed.json().name, 'laptop')
        t.equal(
          (
            await post(
              app,
              '/auth/password',
              { current_password: u.password, new_password: 'a new long passphrase', code: code(u.secret, clock) },
              access
            )
          ).statusCode,
          204
        )
        nextStep(clock)
        t.equal((await passkeyLogin(app, credential)).statusCode, 200, 'after a password change')
        const access2 = await login(app, clock, { ...u, password: 'a new long passphrase' })
        t.equal(
          (
            await post(
              app,
              '/auth/2fa/reset',
              { password: 'a new long passphrase', code: code(u.secret, clock) },
              access2
            )
          ).statusCode,
          200
        )
        nextStep(clock)
        t.equal((await passkeyLogin(app, credential)).statusCode, 200, 'after a 2FA reset')

        const admin = await userWithRole(app, clock, 'admin')
        t.equal((await post(app, `/api/users/${u.id}/disable`, {}, await login(app, clock, admin))).statusCode, 200)
        t.equal((await passkeyLogin(app, credential)).json().code, 'account_disabled')
      }
    )

    t.test('W7: passkey logins go through the per-account throttle', async (t) => {
      const u = await enrolledUser(app, clock)
      const { credential } = await registerPasskey(app, await login(app, clock, u))
      const statuses: number[] = []
      for (let i = 0; i < 7; i++) {
        statuses.push((await passkeyLogin(app, credential, { uv: false })).statusCode)
        clock.advance(10_000)
      }
      t.same(statuses, [401, 401, 401, 401, 401, 401, 429])
      t.equal((await passkeyLogin(app, credential)).statusCode, 429, 'even a good assertion while locked')
      t.equal(
        (await post(app, '/auth/login', { username: u.username, password: u.password, code: code(u.secret, clock) }))
          .statusCode,
        429,
        'the same throttle as passwords'
      )
      t.equal((await auditOf(app, u.id, 'passkey_failed')).length, 6)
      t.equal((await auditOf(app, u.id, 'account_locked')).length, 1)
    })
  })
}
