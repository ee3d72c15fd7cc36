import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import { Errors } from '../../errors.js'

/**
 * The bucket comes from the route the request matched, never from `request.url`: the raw
 * URL is still percent-encoded (`/%61uth/login` routes to `/auth/login`). Unmatched
 * requests (404) fall in the general bucket.
 */
const isAuth = (request: FastifyRequest) => request.routeOptions.url?.startsWith('/auth/') === true

/**
 * Per-IP limits: one for /auth/* (stricter) and one for everything else, per minute. Its
 * hook runs at onRequest, before authentication (preParsing), so requests that fail
 * authentication are counted too. With REDIS_URL the counters are shared by every instance.
 */
export default fp(
  async (app) => {
    const { RATE_LIMIT_MAX, RATE_LIMIT_AUTH_MAX, REDIS_URL } = app.config
    // Stryker disable all: the Redis store, availability, tested in test/plugins/rate-limit-redis.test.ts (slow)
    // ioredis is loaded only when a Redis is configured
    const redis = REDIS_URL
      ? new (await import('ioredis')).Redis(REDIS_URL, {
        connectTimeout: 1000,
        maxRetriesPerRequest: 1,
        lazyConnect: false
      })
      : undefined
    if (redis) {
      // @fastify/rate-limit lets requests through silently when its store fails (skipOnError):
      // say so once per outage, and when the limits are back
      let down = false
      redis.on('error', (err: Error & { code?: string }) => {
        if (down) return
        down = true
        app.log.error(
          { error_code: err.code, detail: err.message },
          'rate limits are off (failing open): Redis is unreachable'
        )
      })
      redis.on('ready', () => {
        if (!down) return
        down = false
        app.log.warn('rate limits are back: Redis is reachable again')
      })
      app.addHook('onClose', async () => {
        await redis.quit()
      })
    }
    // Stryker restore all
    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      timeWindow: 60_000,
      max: (request) => (isAuth(request) ? RATE_LIMIT_AUTH_MAX : RATE_LIMIT_MAX),
      keyGenerator: (request) => {
        // Stryker disable next-line StringLiteral: with either name '' the two buckets still differ (':ip', 'api:ip')
        const bucket = isAuth(request) ? 'auth' : 'api'
        return `${bucket}:${request.ip}`
      },
      // Stryker disable next-line StringLiteral: the prefix of Redis keys; the in-memory store ignores it
      nameSpace: 'secure-api-rl:',
      // Stryker disable all: the Redis store, availability, tested in test/plugins/rate-limit-redis.test.ts (slow)
      ...(redis && { redis }),
      // a Redis outage must not take the API down: fail open, and say so in the log
      skipOnError: true,
      // Stryker restore all
      errorResponseBuilder: (_request, context) =>
        Errors.rateLimited(`Limit of ${context.max} per minute reached; retry after ${context.after}`)
    })
  },
  // Stryker disable next-line ArrayDeclaration: with no dependencies Fastify checks none (the order is fixed anyway)
  { name: 'rate-limit', dependencies: ['config'] }
)
