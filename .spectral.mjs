// Spectral with the OWASP API Security Top 10 (2023) ruleset, run by `npm test` (test/openapi-lint.test.ts).
// Exceptions only where a rule does not fit the design, one operation at a time, each with its reason.
import owasp from '@stoplight/spectral-owasp-ruleset'

const PUBLIC_WRITE = 'owasp:api2:2023-write-restricted'

/** [rule, path, method, reason] (Spectral loads this file as a bundle: a default export only) */
const exceptions = [
  [PUBLIC_WRITE, '/auth/register', 'post', 'creating an account cannot require one (REGISTRATION decides)'],
  [PUBLIC_WRITE, '/auth/login', 'post', 'the password (and code) in the body is the credential'],
  [PUBLIC_WRITE, '/auth/login/2fa', 'post', 'the mfa_token in the body is the credential'],
  [PUBLIC_WRITE, '/auth/refresh', 'post', 'the refresh_token in the body is the credential'],
  [PUBLIC_WRITE, '/auth/passkeys/authentication/options', 'post',
    'a usernameless login starts without a credential; it only stores a short-lived challenge'],
  [PUBLIC_WRITE, '/auth/passkeys/authentication/verify', 'post',
    'the signed passkey assertion in the body is the credential']
]

// a JSON pointer (RFC 6901) in URI fragment form: braces percent-encoded
const escaped = (path) => encodeURIComponent(path.replaceAll('~', '~0').replaceAll('/', '~1'))
const pointer = (path, method) => `openapi.yaml#/paths/${escaped(path)}/${method}`

export default {
  extends: [owasp],
  overrides: exceptions.map(([rule, path, method]) => ({ files: [pointer(path, method)], rules: { [rule]: 'off' } }))
}
