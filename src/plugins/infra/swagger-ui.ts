import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'

/** Swagger UI at /docs and the raw document at /openapi.json. */
export default fp(async (app) => {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, persistAuthorization: false },
    staticCSP: true,
    // Swagger UI sets style attributes, and "Try it out" must reach this server over plain
    // HTTP in development: allow inline styles (not scripts) and do not upgrade requests.
    transformStaticCSP: (header) => header
      .replace(/style-src 'self' https:/, "style-src 'self' 'unsafe-inline'")
      .replace(/\s*upgrade-insecure-requests;/, '')
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'swagger-ui', dependencies: ['swagger'] })
