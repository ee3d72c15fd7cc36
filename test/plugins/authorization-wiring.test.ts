import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../helper.js'

/** A route of a test's own, declared like the app's: access in its config. */
function routes (app: FastifyInstance) {
  app.post('/api/probe', {
    config: { access: 'products:read' },
    preParsing: async (request, _reply, payload) => {
      request.headers['x-own-hook'] = 'ran'
      return payload
    },
    schema: { response: { 200: { type: 'object', properties: { own: { type: 'string' } } }, 401: { type: 'object' } } }
  }, async (request) => ({ own: String(request.headers['x-own-hook']) }))
}

t.test('a route\'s own preParsing hooks still run, after the auth checks; its own responses are merged', async (t) => {
  const app = await buildTestApp(t, { store: 'sqlite', before: routes })
  const meta = { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' }
  const { user } = await app.services.auth.createAccount(`probe${process.pid}`, 'a long passphrase of mine', 'viewer',
    meta)
  const { tokens } = await app.services.sessions.start(user.id, ['viewer'], meta, ['pwd', 'otp'])
  const headers = { authorization: `Bearer ${tokens.access_token}` }
  const res = await app.inject({ method: 'POST', url: '/api/probe', headers })
  t.same(res.json(), { own: 'ran' }, 'the route\'s own hook ran')
  t.equal((await app.inject({ method: 'POST', url: '/api/probe' })).statusCode, 401, 'and the check before it')
  const doc = app.swagger() as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>
  }
  t.equal(doc.paths['/api/probe']!.post!.responses['401']!.description,
    '`unauthenticated`: Authentication required; `invalid_token`: Invalid access token; `token_expired`: ' +
    'Access token expired',
    'a 401 of the route without a description takes the auth errors\' alone')
})
