import t from 'tap'
import { authApp } from '../auth/flow.js'

type Operation = { security?: Array<Record<string, string[]>>; 'x-permissions'?: string[]; operationId: string }

t.test("the OpenAPI document states each operation's permission", async (t) => {
  const { app } = await authApp(t, { store: 'sqlite' })
  const doc = app.swagger() as unknown as {
    paths: Record<string, Record<string, Operation & { description?: string; responses: Record<string, unknown> }>>
  }
  const create = doc.paths['/api/products']!.post!
  t.same(create['x-permissions'], ['products:write'])
  t.match(create.description, /Requires the permission `products:write`/)
  const list = doc.paths['/api/products']!.get!
  t.equal(
    list.description!.split('Requires the permission').length,
    2,
    'stated once, even with the automatic HEAD route'
  )
  t.same(create.security, [{ bearerAuth: [] }, { apiKeyAuth: [] }], 'an access token or an API key')
  t.ok(create.responses['401'] && create.responses['403'])
  t.same(doc.paths['/api/keys']!.post!.security, [{ bearerAuth: [] }], 'key management: an access token only')
  t.same(doc.paths['/auth/sessions']!.get!.security, [{ bearerAuth: [] }], '/auth/*: an access token only')
  t.match(doc.paths['/auth/sessions']!.get!.responses['403'], { description: /api_key_not_allowed/ })
})

t.test('the OpenAPI document: the permission sentence once, forbidden only where a permission is needed, 401s joined',
  async (t) => {
    const { app } = await authApp(t, { store: 'sqlite' })
    type Responses = Record<string, { description: string }>
    const doc = app.swagger() as unknown as {
      paths: Record<string, Record<string, Operation & { description?: string, responses: Responses }>>
    }
    const audit = doc.paths['/api/audit']!.get!
    t.equal(audit.description, 'Requires the permission `audit:read`.', 'no own description: the sentence alone')
    t.equal(audit.responses['403']!.description, '`forbidden`: Forbidden')
    const list = doc.paths['/api/products']!.get!
    t.match(list.description, /\.\n\nRequires the permission `products:read`\.$/, 'after the own description')
    const sessions = doc.paths['/auth/sessions']!.get!
    t.same(sessions.security, [{ bearerAuth: [] }], 'any live session: still a bearer token')
    t.notOk(sessions['x-permissions'], 'no permission to state')
    t.notMatch(sessions.responses['403']?.description ?? '', /forbidden/, 'no permission to be refused')
    t.equal(sessions.description, undefined)
    t.equal(sessions.responses['401']!.description,
      '`unauthenticated`: Authentication required; `invalid_token`: Invalid access token; ' +
      '`token_expired`: Access token expired')
    t.match(doc.paths['/auth/password']!.post!.responses['401']!.description,
      /^`invalid_credentials`: Invalid username or password; `invalid_code`: Invalid, expired or already used code; /,
      'the route\'s own 401s first')
    t.match(doc.paths['/auth/password']!.post!.responses['401']!.description,
      /; `unauthenticated`: Authentication required; `invalid_token`: Invalid access token; `token_expired`: /,
      'then the bearer ones')
    const login = doc.paths['/auth/login']!.post!
    t.notOk(login.security?.some((s) => 'bearerAuth' in s), 'a public route asks for no token')
    t.notOk(login.responses['401']?.description.includes('invalid_token'))
  })
