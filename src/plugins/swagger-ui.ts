import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'

/** Swagger UI at /docs and the raw document at /openapi.json. */
export default fp(async (app) => {
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true, persistAuthorization: false } })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'swagger-ui', dependencies: ['swagger'] })
