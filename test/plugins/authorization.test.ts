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
