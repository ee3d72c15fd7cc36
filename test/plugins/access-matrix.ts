/**
 * Who may call what: the expected answer of every route to each kind of caller, written by hand.
 * This is reviewed data, not derived from the code (route config, OpenAPI or the role grants):
 * change a row only when the access policy itself changes, and say so in review.
 *
 * Each request is the least a caller can send: ids 999999, username `nobody`, an empty JSON body for
 * POST/PUT/PATCH (or the
 * well-formed body in BODIES where the check under test comes after validation). So a caller who passes the access
 * check gets 400 (body), 404 (no such id) or 2xx;
 * 401 means authentication refused them, 403 the permission check. Every logged-in request uses a
 * fresh session. HEAD is checked against its GET row.
 */
export const CALLERS = ['anonymous', 'viewer', 'editor', 'admin'] as const
export type Caller = (typeof CALLERS)[number]
type Row = readonly [anonymous: number, viewer: number, editor: number, admin: number]

/** Well-formed bodies, where an empty one would be refused (400) before the access check is reached. */
export const BODIES: Record<string, object> = {
  'POST /auth/2fa/verify': { code: '123456' }
}

export const ACCESS_MATRIX: Record<string, Row> = {
  // public
  'GET /health/live': [200, 200, 200, 200],
  'GET /health/ready': [200, 200, 200, 200],
  'GET /.well-known/jwks.json': [200, 200, 200, 200],
  'GET /openapi.json': [200, 200, 200, 200],
  'GET /docs': [200, 200, 200, 200],
  'GET /docs/': [200, 200, 200, 200],
  'GET /docs/json': [200, 200, 200, 200],
  'GET /docs/yaml': [200, 200, 200, 200],
  'GET /docs/static/index.html': [302, 302, 302, 302],
  'GET /docs/static/swagger-initializer.js': [200, 200, 200, 200],
  'GET /docs/*': [404, 404, 404, 404],
  'OPTIONS *': [404, 404, 404, 404],
  'POST /auth/register': [400, 400, 400, 400],
  'POST /auth/login': [400, 400, 400, 400],
  'POST /auth/login/2fa': [400, 400, 400, 400],
  'POST /auth/refresh': [400, 400, 400, 400],
  'POST /auth/passkeys/authentication/options': [200, 200, 200, 200],
  'POST /auth/passkeys/authentication/verify': [400, 400, 400, 400],

  // the enrollment token, never an access token
  'GET /auth/generate_qr/:username': [401, 401, 401, 401],
  'POST /auth/2fa/verify': [401, 401, 401, 401],

  // any live session
  'POST /auth/2fa/recovery-codes': [401, 400, 400, 400],
  'POST /auth/2fa/reset': [401, 400, 400, 400],
  'POST /auth/password': [401, 400, 400, 400],
  'POST /auth/step-up/options': [401, 200, 200, 200],
  'POST /auth/step-up': [401, 400, 400, 400],
  'GET /auth/passkeys': [401, 200, 200, 200],
  'POST /auth/passkeys/registration/options': [401, 200, 200, 200],
  'POST /auth/passkeys/registration/verify': [401, 400, 400, 400],
  'PATCH /auth/passkeys/:id': [401, 400, 400, 400],
  'DELETE /auth/passkeys/:id': [401, 404, 404, 404],
  'POST /auth/logout': [401, 204, 204, 204],
  'POST /auth/logout-all': [401, 204, 204, 204],
  'GET /auth/sessions': [401, 200, 200, 200],
  'DELETE /auth/sessions/:id': [401, 404, 404, 404],

  // products: viewers read, editors also write and delete
  'GET /api/products': [401, 200, 200, 200],
  'GET /api/products/:id': [401, 404, 404, 404],
  'POST /api/products': [401, 403, 400, 400],
  'PUT /api/products/:id': [401, 403, 400, 400],
  'PATCH /api/products/:id': [401, 403, 400, 400],
  'DELETE /api/products/:id': [401, 403, 404, 404],

  // administration: admins only
  'GET /api/users': [401, 403, 403, 200],
  'GET /api/users/:id': [401, 403, 403, 404],
  'PUT /api/users/:id/roles': [401, 403, 403, 400],
  'POST /api/users/:id/disable': [401, 403, 403, 404],
  'POST /api/users/:id/enable': [401, 403, 403, 404],
  'POST /api/users/:id/unlock': [401, 403, 403, 404],
  'DELETE /api/users/:id/sessions': [401, 403, 403, 404],
  'GET /api/audit': [401, 403, 403, 200],

  // API keys: your own with any live session (never with a key); anyone's with users:write
  'POST /api/keys': [401, 400, 400, 400],
  'GET /api/keys': [401, 200, 200, 200],
  'DELETE /api/keys/:id': [401, 404, 404, 404],
  'GET /api/users/:id/keys': [401, 403, 403, 404],
  'DELETE /api/users/:id/keys/:keyId': [401, 403, 403, 404]
}
