import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Jwks } from '../../schemas/sessions.js'
import { ref } from '../../schemas/ref.js'
import { problems } from '../http/problem-responses.js'

/** The public keys that verify access tokens (RFC 7517), for resource servers that verify on their own. */
const jwksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const body = {
    keys: app.keys.verification.map(({ kid, publicKey }) => {
      const { n, e } = publicKey.export({ format: 'jwk' })
      return { kty: 'RSA' as const, kid, use: 'sig' as const, alg: 'RS256' as const, n: n!, e: e! }
    })
  }
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['sessions'],
        operationId: 'getJwks',
        summary: 'Public keys that verify access tokens',
        security: [],
        response: { 200: ref(Jwks), ...problems() }
      }
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300')
      return body
    }
  )
}

export default jwksRoutes
