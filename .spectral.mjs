// Spectral with the OWASP API Security Top 10 (2023) ruleset, run by `npm test` (test/openapi-lint.test.ts).
// Exceptions only where a rule does not fit the design, one operation at a time, each with its reason.
import owasp from '@stoplight/spectral-owasp-ruleset'

const NUMERIC_IDS = 'owasp:api1:2023-no-numeric-ids'
const PUBLIC_WRITE = 'owasp:api2:2023-write-restricted'

const ids = 'ids are numeric by decision (docs/contract.md "Public ids"): every id route needs a permission, ' +
  'and guessing an id gives nothing the permission does not already grant'

/** [rule, path, method, reason] (Spectral loads this file as a bundle: a default export only) */
const exceptions = [
  [PUBLIC_WRITE, '/auth/register', 'post', 'creating an account cannot require one (REGISTRATION_OPEN decides)'],
  [PUBLIC_WRITE, '/auth/login', 'post', 'the password (and code) in the body is the credential'],
  [PUBLIC_WRITE, '/auth/login/2fa', 'post', 'the mfa_token in the body is the credential'],
  [PUBLIC_WRITE, '/auth/refresh', 'post', 'the refresh_token in the body is the credential'],
  ...['get', 'put', 'patch', 'delete'].map((m) => [NUMERIC_IDS, '/api/products/{id}', m, ids]),
  [NUMERIC_IDS, '/api/users/{id}', 'get', ids],
  ...['roles', 'disable', 'enable', 'unlock', 'sessions'].map((action) =>
    [NUMERIC_IDS, `/api/users/{id}/${action}`, action === 'roles' ? 'put' : action === 'sessions' ? 'delete' : 'post', ids]),
  [NUMERIC_IDS, '/api/audit', 'get', `user_id filters the audit log, which needs audit:read; ${ids}`]
]

// a JSON pointer (RFC 6901) in URI fragment form: braces percent-encoded
const pointer = (path, method) => `openapi.yaml#/paths/${encodeURIComponent(path.replaceAll('~', '~0').replaceAll('/', '~1'))}/${method}`

export default {
  extends: [owasp],
  overrides: exceptions.map(([rule, path, method]) => ({ files: [pointer(path, method)], rules: { [rule]: 'off' } }))
}
