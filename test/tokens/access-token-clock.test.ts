import t from 'tap'
import { AccessTokenInvalid, createAccessTokenVerifier } from '../../src/tokens/access-token-verifier.js'
import { forge, rsaKeyPair } from './forge.js'

const key = { ...rsaKeyPair(), kid: 'k' }
const verify = createAccessTokenVerifier([key], 'https://issuer.example', 'api')
const header = { alg: 'RS256', typ: 'at+jwt', kid: 'k' }
const wall = Math.floor(Date.now() / 1000)
const claims = { iss: 'https://issuer.example', aud: 'api', sub: '1', sid: 's', jti: 'j', iat: wall, exp: wall + 60 }

t.test('the verifier leaves exp and nbf to the app\'s clock, not the machine\'s', async (t) => {
  const day = 86400
  t.match(verify(forge(header, { ...claims, nbf: wall + day }, key.privateKey)), { nbf: wall + day },
    'nbf a day ahead of the machine clock: the app\'s clock decides')
  t.match(verify(forge(header, { ...claims, iat: wall - 2 * day, exp: wall - day }, key.privateKey)),
    { exp: wall - day }, 'exp a day behind the machine clock: the app\'s clock decides')
})

t.test('its refusals are AccessTokenInvalid errors, named so in logs', async (t) => {
  const err = (() => { try { verify('x.y.z') } catch (e) { return e } })()
  t.ok(err instanceof AccessTokenInvalid)
  t.equal((err as Error).name, 'AccessTokenInvalid')
})
