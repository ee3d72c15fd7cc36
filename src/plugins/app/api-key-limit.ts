import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { ApiKeyErrors } from '../../api-keys/errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a request made with an API key against API_KEY_RATE_LIMIT; 429 api_key_rate_limited beyond it. */
    apiKeyRateLimit: (request: FastifyRequest) => Promise<void>
  }
}

/**
 * The per-key limit of API keys (the key service itself is in app.services): a second counter of @fastify/rate-limit,
 * in the
 * same store as the per-IP one (Redis when REDIS_URL is set, so every instance shares it),
 * named by part of the key's hash (never the key).
 */
export default fp(
  async (app) => {
    const perKey = app.createRateLimit({
      max: app.config.API_KEY_RATE_LIMIT,
      timeWindow: 60_000,
      keyGenerator: (request) => `key:${request.user.apiKey?.limitKey ?? 'none'}`
    })
    app.decorate('apiKeyRateLimit', async (request: FastifyRequest) => {
      const r = await perKey(request)
      if (!r.isAllowed && r.isExceeded) {
        throw ApiKeyErrors.rateLimited(
          `Limit of ${r.max} requests per minute with this key reached; retry after ${r.ttlInSeconds} s`,
          { 'retry-after': String(r.ttlInSeconds) }
        )
      }
    })
  },
  { name: 'api-key-limit', dependencies: ['config', 'rate-limit'] }
)
