import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { authApp, enrolledUser, get, loginTokens, post } from '../auth/flow.js'
import { createTestDatabase, sharedKeys } from '../helper.js'
import { decode, forge, pem, rsaKeyPair } from './forge.js'

const server = rsaKeyPair()
const attacker = rsaKeyPair()

t.test('access token verification', async (t) => {
  const { app, clock } = await authApp(t, { config: { JWT_PRIVATE_KEY: pem(server.privateKey) } })
  const u = await enrolledUser(app, clock)
  const real = await loginTokens(app, clock, u)
  const [header, claims] = decode(real.access_token) as [Record<string, unknown>, Record<string, any>]
  const sessions = (token: string) => get(app, '/auth/sessions', token)
  const refused = async (t: Test, token: string, what: string, code = 'invalid_token') => {
    const res = await sessions(token)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, `${what}: ${code}`)
    t.match(res.headers['www-authenticate'], /^Bearer error="invalid_token", error_description="/)
  }

  t.test('control: a token signed with the server key and the right claims is accepted', async (t) => {
    t.equal((await sessions(forge(header, claims, server.privateKey))).statusCode, 200)
  })

  t.test(
    'J1 (RFC 8725 §3.1-3.2): alg none, HS256 with the public key, algorithms outside the allowlist: 401',
    async (t) => {
      await refused(t, forge({ ...header, alg: 'none' }, claims), 'alg none')
      await refused(
        t,
        forge({ ...header, alg: 'none' }, claims).replace(/\.$/, '.AAAA'),
        'alg none with junk signature'
      )
      await refused(
        t,
        forge({ ...header, alg: 'HS256' }, claims, pem(server.publicKey)),
        'HS256 keyed with the public key PEM'
      )
      await refused(t, forge({ ...header, alg: 'RS384' }, claims, server.privateKey), 'RS384 with the real key')
      await refused(t, forge({ ...header, alg: 'PS256' }, claims, server.privateKey), 'PS256 with the real key')
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      await refused(t, forge({ ...header, alg: 'ES256' }, claims, ec.privateKey), 'ES256')
    }
  )

  t.test('J2: bad signature, expired exp, future nbf: 401', async (t) => {
    await refused(t, forge(header, claims, attacker.privateKey), 'signed by another key under our kid')
    const tampered = real.access_token.split('.')
    tampered[1] = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')
    await refused(t, tampered.join('.'), 'payload changed after signing')
    const now = Math.floor(clock.now() / 1000)
    await refused(t, forge(header, { ...claims, exp: now - 1 }, server.privateKey), 'expired', 'token_expired')
    await refused(t, forge(header, { ...claims, nbf: now + 60 }, server.privateKey), 'not yet valid')
  })

  t.test('S8: an expired access token gets 401 token_expired with WWW-Authenticate invalid_token', async (t) => {
    clock.advance(901_000)
    const res = await sessions(real.access_token)
    t.equal(res.statusCode, 401)
    t.match(res.json(), { code: 'token_expired', status: 401 })
    t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="token expired"')
    const fresh = (await post(app, '/auth/refresh', { refresh_token: real.refresh_token })).json()
    t.equal((await sessions(fresh.access_token)).statusCode, 200, 'refreshing gets a working token')
    Object.assign(claims, decode(fresh.access_token)[1])
  })

  t.test('J3 (RFC 8725 §3.8-3.9): wrong iss or aud: 401', async (t) => {
    await refused(t, forge(header, { ...claims, iss: 'https://evil.example' }, server.privateKey), 'wrong iss')
    await refused(t, forge(header, { ...claims, aud: 'another-api' }, server.privateKey), 'wrong aud')
    const { iss, ...noIss } = claims
    t.ok(iss)
    await refused(t, forge(header, noIss, server.privateKey), 'no iss')
  })

  t.test(
    'J4 (RFC 8725 §3.11-3.12): access tokens carry typ at+jwt; other typ, and refresh, enrollment or mfa tokens ' +
      'as bearer: 401',
    async (t) => {
      t.equal(header.typ, 'at+jwt')
      await refused(t, forge({ ...header, typ: 'JWT' }, claims, server.privateKey), 'typ JWT')
      const { typ, ...noTyp } = header
      t.ok(typ)
      await refused(t, forge(noTyp, claims, server.privateKey), 'no typ')
      const tokens = (
        await post(app, '/auth/refresh', { refresh_token: (await loginTokens(app, clock, u)).refresh_token })
      ).json()
      await refused(t, tokens.refresh_token, 'refresh token')
      const mfa = (await post(app, '/auth/login', { username: u.username, password: u.password })).json().mfa_token
      await refused(t, mfa, 'mfa token')
      const pending = (
        await post(app, '/auth/register', { username: `j4${process.pid}`, password: 'securepassword' })
      ).json().enrollment.enrollment_token
      await refused(t, pending, 'enrollment token')
    }
  )

  t.test('J5 (RFC 8725 §3.10): jku, x5u and jwk headers are ignored; nothing is fetched', async (t) => {
    let fetched = 0
    const trap = createServer((_req, res) => {
      fetched++
      res.end('{"keys":[]}')
    })
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve))
    t.teardown(() => trap.close())
    const url = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/jwks.json`
    const jwk = attacker.publicKey.export({ format: 'jwk' })
    await refused(t, forge({ ...header, jku: url }, claims, attacker.privateKey), 'jku to an attacker key set')
    await refused(t, forge({ ...header, x5u: url }, claims, attacker.privateKey), 'x5u')
    await refused(t, forge({ ...header, jwk }, claims, attacker.privateKey), 'embedded jwk')
    await refused(
      t,
      forge({ ...header, kid: 'attacker', jwk }, claims, attacker.privateKey),
      'unknown kid with embedded jwk'
    )
    t.equal(fetched, 0, 'no outbound fetch')
    t.equal(
      (await sessions(forge({ ...header, jku: url }, claims, server.privateKey))).statusCode,
      200,
      'with our own signature the header is merely ignored'
    )
    t.equal(fetched, 0)
  })

  t.test('J6 (RFC 8725 §3.5): asymmetric signing with a published JWKS', async (t) => {
    const res = await app.inject({ url: '/.well-known/jwks.json' })
    t.equal(res.statusCode, 200)
    const { keys } = res.json()
    t.equal(keys.length, 1)
    t.match(keys[0], { kty: 'RSA', kid: header.kid, use: 'sig', alg: 'RS256', n: String, e: 'AQAB' })
    t.notOk('d' in keys[0], 'no private part')
    t.equal(header.alg, 'RS256', 'no HMAC key anywhere: tokens are RSA-signed')
  })
})

t.test(
  'J6 rotation: a token signed with the previous key verifies while that key is listed, and fails once it is removed',
  async (t) => {
    const url = await createTestDatabase(t)
    const [oldKey, newKey] = [rsaKeyPair(), rsaKeyPair()]
    const base = { DATABASE_URL: url, TOTP_ENCRYPTION_KEY: sharedKeys().TOTP_ENCRYPTION_KEY }
    const before = await authApp(t, { config: { ...base, JWT_PRIVATE_KEY: pem(oldKey.privateKey) } })
    const u = await enrolledUser(before.app, before.clock)
    const oldToken = (await loginTokens(before.app, before.clock, u)).access_token

    const rotated = await authApp(t, {
      config: { ...base, JWT_PRIVATE_KEY: pem(newKey.privateKey), JWT_PREVIOUS_PUBLIC_KEYS: pem(oldKey.publicKey) }
    })
    rotated.clock.set(before.clock.now())
    t.equal(
      (await get(rotated.app, '/auth/sessions', oldToken)).statusCode,
      200,
      'old-key token accepted while the old key is listed'
    )
    const jwks = (await rotated.app.inject({ url: '/.well-known/jwks.json' })).json().keys
    t.equal(jwks.length, 2, 'both keys published, newest first')
    const newToken = (await loginTokens(rotated.app, rotated.clock, u)).access_token
    t.equal(decode(newToken)[0].kid, jwks[0].kid, 'the newest key signs')

    const after = await authApp(t, { config: { ...base, JWT_PRIVATE_KEY: pem(newKey.privateKey) } })
    after.clock.set(rotated.clock.now())
    t.equal((await get(after.app, '/auth/sessions', oldToken)).statusCode, 401, 'refused once the old key is removed')
    t.equal((await get(after.app, '/auth/sessions', newToken)).statusCode, 200)
  }
)
