import fp from 'fastify-plugin'
import helmet from 'helmet'
import cors from '@fastify/cors'

/**
 * helmet's middleware for an API's answers, built once (@fastify/helmet builds it again at every request: its options
 * read and its CSP written anew each time, about 7 µs of CPU per request in the bench's profile): nothing may be
 * framed, sniffed or loaded from our responses (CSP default-src 'none'). It sets its headers on the raw response, which
 * Fastify's own headers join when the reply is sent (Swagger UI at /docs replaces the CSP with its own, staticCSP).
 * The hook below runs it for every request; app.ts also runs it for the errors Fastify answers before any hook.
 */
export const setSecurityHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  hsts: { maxAge: 31536000, includeSubDomains: true }
})

/** The security headers on every answer; CORS only for the origins in CORS_ORIGINS, none by default. */
export default fp(async (app) => {
  app.addHook('onRequest', (request, reply, done) => {
    setSecurityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined))
  })
  const origins = app.config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
  await app.register(cors, {
    origin: origins.length > 0 ? origins : false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'x-request-id'],
    exposedHeaders: ['etag', 'location', 'retry-after', 'x-request-id'],
    maxAge: 600
  })
}, { name: 'security-headers', dependencies: ['config'] })
