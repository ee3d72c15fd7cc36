import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Health } from '../../schemas/health.js'
import { ref } from '../../schemas/ref.js'
import { Errors } from '../errors.js'
import { problems } from '../http/problem-responses.js'

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health/live', {
    schema: {
      tags: ['health'],
      operationId: 'getLiveness',
      summary: 'Liveness: 200 while the process serves requests',
      security: [],
      response: { 200: ref(Health), ...problems() }
    }
  }, async () => ({ status: 'ok' as const }))

  app.get('/health/ready', {
    schema: {
      tags: ['health'],
      operationId: 'getReadiness',
      summary: 'Readiness: 200 when the store answers and the instance is not overloaded, else 503',
      security: [],
      response: { 200: ref(Health), ...problems(Errors.storeUnavailable, Errors.overloaded) }
    }
  }, async (request) => {
    if (app.isUnderPressure()) throw Errors.overloaded('The instance is past an overload threshold')
    try {
      await app.db.ping()
    } catch (err) {
      request.log.warn({ err }, 'store ping failed')
      throw Errors.storeUnavailable()
    }
    return { status: 'ok' as const, store: app.db.dialect }
  })
}

export default healthRoutes
