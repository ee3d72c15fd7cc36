import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { createAccessTokenSigner } from '../../src/tokens/access-token-signer.js'
import { AccessTokenInvalid, createAccessTokenVerifier } from '../../src/tokens/access-token-verifier.js'
import { decode, forge, pem, rsaKeyPair } from './forge.js'

const ISSUER = 'https://issuer.example'
const AUDIENCE = 'secure-api-test'
const current = { ...rsaKeyPair(), kid: 'current-key' }
const previous = { ...rsaKeyPair(), kid: 'previous-key' }
const attacker = rsaKeyPair()

const verify = createAccessTokenVerifier([current, previous], ISSUER, AUDIENCE)
const sign = createAccessTokenSigner(current, { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 60 })
const iat = Math.floor(Date.UTC(2026, 0, 1) / 1000)
const real = sign({ sub: '7', sid: 'session-7', roles: ['editor'], jti: 'jti-1', iat })
const [header, claims] = decode(real) as [Record<string, unknown>, Record<string, unknown>]

/** Why the verifier refused a token, or 'accepted'. */
function outcome (token: string): string {
  try {
    verify(token)
    return 'accepted'
  } catch (err) {
    if (err instanceof AccessTokenInvalid) return err.message
    throw err
  }
}

t.test('a token we signed verifies, with its claims; expiry and nbf are left to the caller\'s clock', async (t) => {
  t.same(header, { alg: 'RS256', typ: 'at+jwt', kid: 'current-key' })
  t.match(verify(real), { sub: '7', sid: 'session-7', roles: ['editor'], jti: 'jti-1', iat, exp: iat + 60 })
  t.match(verify(real), { sid: 'session-7' }, 'and again (from the verifier\'s cache)')
  const old = forge({ ...header, kid: 'previous-key' }, claims, previous.privateKey)
  t.equal(outcome(old), 'accepted', 'a listed previous key, chosen by kid')
  t.equal(outcome(forge(header, { ...claims, exp: 1 }, current.privateKey)), 'accepted', 'long expired')
  t.equal(outcome(forge(header, { ...claims, nbf: iat + 3600 }, current.privateKey)), 'accepted', 'nbf ahead')
})

t.test('only at+jwt tokens are bearer credentials', async (t) => {
  const { typ, ...noTyp } = header
  t.equal(typ, 'at+jwt')
  for (const h of [noTyp, { ...header, typ: 'JWT' }, { ...header, typ: 'AT+JWT' }, { ...header, typ: ['at+jwt'] }]) {
    t.equal(outcome(forge(h, claims, current.privateKey)), 'not an access token', JSON.stringify(h))
  }
  t.equal(outcome('not-json.' + real.split('.').slice(1).join('.')), 'not an access token', 'a header that is no JSON')
  t.equal(outcome('opaque-refresh-token'), 'not an access token', 'an opaque token')
})

t.test('the key comes from our list by kid, never from the token', async (t) => {
  const { kid, ...noKid } = header
  t.equal(kid, 'current-key')
  t.equal(outcome(forge(noKid, claims, current.privateKey)), 'unknown signing key', 'no kid')
  t.equal(outcome(forge({ ...header, kid: 'attacker' }, claims, attacker.privateKey)), 'unknown signing key')
  t.equal(outcome(forge({ ...header, kid: 7 }, claims, current.privateKey)), 'unknown signing key', 'a number')
  t.equal(outcome(forge({ ...header, kid: 'constructor' }, claims, current.privateKey)), 'unknown signing key')
  const jwk = attacker.publicKey.export({ format: 'jwk' })
  t.equal(outcome(forge({ ...header, jwk }, claims, attacker.privateKey)), 'bad signature or claims',
    'an embedded jwk is ignored: our key checks the signature')
  t.equal(outcome(forge({ ...header, kid: 'previous-key' }, claims, current.privateKey)), 'bad signature or claims',
    'each kid verifies with its own key only')
})

t.test('signature, algorithm, issuer, audience and every required claim are checked', async (t) => {
  const bad = (h: Record<string, unknown>, c: Record<string, unknown>, key?: Parameters<typeof forge>[2]) =>
    outcome(forge(h, c, key))
  t.equal(bad(header, claims, attacker.privateKey), 'bad signature or claims', 'another key under our kid')
  t.equal(bad({ ...header, alg: 'none' }, claims), 'bad signature or claims', 'alg none')
  t.equal(bad({ ...header, alg: 'HS256' }, claims, pem(current.publicKey)), 'bad signature or claims', 'HS256')
  t.equal(bad({ ...header, alg: 'RS384' }, claims, current.privateKey), 'bad signature or claims', 'RS384')
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  t.equal(bad({ ...header, alg: 'ES256' }, claims, ec.privateKey), 'bad signature or claims', 'ES256')
  t.equal(bad(header, { ...claims, iss: 'https://evil.example' }, current.privateKey), 'bad signature or claims')
  t.equal(bad(header, { ...claims, aud: 'another-api' }, current.privateKey), 'bad signature or claims')
  for (const claim of ['iss', 'aud', 'sub', 'sid', 'iat', 'exp', 'jti']) {
    const { [claim]: _dropped, ...without } = claims
    t.equal(bad(header, without, current.privateKey), 'bad signature or claims', `without ${claim}`)
  }
  const tampered = real.split('.')
  tampered[1] = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')
  t.equal(outcome(tampered.join('.')), 'bad signature or claims', 'claims changed after signing')
})

t.test('a header that is not a JSON object is refused as not an access token, never thrown as something else',
  async (t) => {
    const segment = (text: string) => Buffer.from(text).toString('base64url')
    const [, body, signature] = real.split('.')
    for (const text of ['null', 'true', 'false', '1', '0', '"at+jwt"', '[]', '["at+jwt"]', '{', '', 'nul']) {
      t.equal(outcome(`${segment(text)}.${body}.${signature}`), 'not an access token', `header ${text || '(empty)'}`)
    }
    for (const token of ['', '.', '..', 'no-dots', 'bnVsbA', '%%%.e30.x']) {
      t.equal(outcome(token), 'not an access token', `token ${token || '(empty)'}`)
    }
  })

t.test('tokens that verified are kept by their exact text, bounded; refused ones never are', async (t) => {
  const small = createAccessTokenVerifier([current], ISSUER, AUDIENCE, 2)
  const tokens = ['a', 'b', 'c'].map((jti) => sign({ sub: '7', sid: 'session-7', roles: [], jti, iat }))
  const first = small(tokens[0]!)
  t.equal(small(tokens[0]!), first, 'a second request with the token gets the kept claims')
  t.ok(Object.isFrozen(first) && Object.isFrozen(first.roles), 'frozen: every request with the token shares them')
  t.throws(() => { (first.roles as string[]).push('admin') }, TypeError, 'so no request can change another\'s')
  small(tokens[1]!)
  small(tokens[2]!)
  t.not(small(tokens[0]!), first, 'past the bound, the oldest went first and verifies afresh')
  t.same(small(tokens[0]!), first)
  // a kept token's text, changed in any part, is another token: verified afresh, and refused
  const [h, c, s] = tokens[0]!.split('.') as [string, string, string]
  const flip = (part: string) => part.slice(0, -2) + (part.at(-2) === 'A' ? 'B' : 'A') + part.at(-1)
  const tampered = [`${h}.${c}.${flip(s)}`, `${h}.${flip(c)}.${s}`, `${flip(h)}.${c}.${s}`, `${h}.${c}.${s}x`]
  for (const token of tampered) {
    const small2 = () => { try { small(token); return 'accepted' } catch (err) { return (err as Error).message } }
    t.not(small2(), 'accepted', `refused: ${token.slice(-12)}`)
    t.not(small2(), 'accepted', 'and refused again (a refusal is not kept as an answer)')
  }
  const kept = small(tokens[0]!)
  t.throws(() => small(`${h}.${flip(c)}.${s}`), AccessTokenInvalid, 'the same signature (the cache\'s key), other text')
  t.equal(small(tokens[0]!), kept, 'leaves the kept token in place')
  const forged = forge(header, { ...claims, jti: 'forged' }, attacker.privateKey)
  t.equal(outcome(forged), 'bad signature or claims')
  t.equal(outcome(forged), 'bad signature or claims', 'still refused the second time')
})
