import t from 'tap'
import { authApp, code, enrolledUser, nextStep, post, register } from './flow.js'

const qr = (app: Awaited<ReturnType<typeof authApp>>['app'], username: string, token?: string, accept?: string) =>
  app.inject({
    url: `/auth/generate_qr/${username}`,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(accept && { accept }) }
  })

t.test('enrollment', async (t) => {
  const { app, clock } = await authApp(t)

  t.test('the QR code is a PNG by default, JSON on request, and needs the enrollment token of that user', async (t) => {
    const u = await register(app)
    const png = await qr(app, u.username, u.enrollmentToken)
    t.equal(png.statusCode, 200)
    t.equal(png.headers['content-type'], 'image/png')
    t.equal(png.headers['cache-control'], 'no-store')
    t.same(
      png.rawPayload.subarray(0, 8),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      'PNG signature'
    )

    const json = await qr(app, u.username.toUpperCase(), u.enrollmentToken, 'application/json')
    t.equal(json.statusCode, 200)
    t.match(json.json(), {
      otpauth_uri: /^otpauth:\/\/totp\//,
      secret: u.secret,
      qr_png: /^data:image\/png;base64,/,
      qr_svg: /^<svg/
    })

    const missing = await qr(app, u.username)
    t.equal(missing.statusCode, 401)
    t.equal(missing.json().code, 'unauthenticated')
    t.equal((await qr(app, u.username, 'not-a-token')).json().code, 'enrollment_token_invalid')

    const other = await register(app)
    const foreign = await qr(app, u.username, other.enrollmentToken)
    t.equal(foreign.statusCode, 401, "another user's enrollment token does not open this QR code")
    t.equal(foreign.json().code, 'enrollment_token_invalid')
  })

  t.test('the enrollment token expires', async (t) => {
    const u = await register(app)
    clock.advance(901_000)
    t.equal((await qr(app, u.username, u.enrollmentToken)).statusCode, 401)
  })

  t.test(
    'T5: 2FA becomes active only after a valid code; the enrollment code cannot be reused as a login code',
    async (t) => {
      const u = await register(app)
      const pending = await post(app, '/auth/login', { username: u.username, password: u.password })
      t.match(pending.json(), { enrollment_required: true, enrollment_token: String }, 'still pending before any code')

      const wrong = await post(app, '/auth/2fa/verify', { code: code(u.secret, clock, 5) }, u.enrollmentToken)
      t.equal(wrong.statusCode, 401)
      t.equal(wrong.json().code, 'invalid_code')
      t.match(
        (await post(app, '/auth/login', { username: u.username, password: u.password })).json(),
        { enrollment_required: true },
        'a wrong code activates nothing'
      )

      const enrollmentCode = code(u.secret, clock)
      const ok = await post(app, '/auth/2fa/verify', { code: enrollmentCode }, u.enrollmentToken)
      t.equal(ok.statusCode, 200)
      t.equal(ok.json().recovery_codes.length, 10)

      const reuse = await post(app, '/auth/login', { username: u.username, password: u.password, code: enrollmentCode })
      t.equal(reuse.statusCode, 401, 'the enrollment code is spent')
      t.equal(reuse.json().code, 'invalid_code')
      t.match(
        (await post(app, '/auth/login', { username: u.username, password: u.password })).json(),
        { mfa_required: true },
        'now active'
      )
    }
  )

  t.test(
    'T4 (RFC 4226 §4 R6; ASVS 6.5.3): 160-bit secret, never returned once confirmed, not stored in plaintext',
    async (t) => {
      const u = await enrolledUser(app, clock)
      t.equal(Buffer.from(base32Decode(u.secret)).length, 20, '160 bits')
      const again = await qr(app, u.username, u.enrollmentToken, 'application/json')
      t.equal(again.statusCode, 409)
      t.equal(again.json().code, 'enrollment_already_confirmed')
      t.notMatch(again.body, u.secret)
      const login = await post(app, '/auth/login', { username: u.username, password: u.password })
      t.notMatch(login.body, u.secret, 'a password-only login does not show it either')
      const [row] = await app.db.query<{ totp_secret_enc: string }>('SELECT totp_secret_enc FROM users WHERE id = ?', [
        u.id
      ])
      t.match(row!.totp_secret_enc, /^v1:/)
      t.notMatch(row!.totp_secret_enc, u.secret)
      const secrets = new Set(await Promise.all(Array.from({ length: 5 }, async () => (await register(app)).secret)))
      t.equal(secrets.size, 5, 'each account gets its own random secret')
    }
  )

  t.test('verify after confirmation is 409; verify with a wrong-format code is 400', async (t) => {
    const u = await register(app)
    t.equal((await post(app, '/auth/2fa/verify', { code: '12345' }, u.enrollmentToken)).statusCode, 400)
    t.equal((await post(app, '/auth/2fa/verify', { code: code(u.secret, clock) }, u.enrollmentToken)).statusCode, 200)
    nextStep(clock)
    const twice = await post(app, '/auth/2fa/verify', { code: code(u.secret, clock) }, u.enrollmentToken)
    t.equal(twice.statusCode, 409)
  })
})

function base32Decode (s: string): number[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const ch of s) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0')
  return bits.match(/.{8}/g)!.map((b) => parseInt(b, 2))
}
