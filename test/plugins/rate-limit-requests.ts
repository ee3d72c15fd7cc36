import type { FastifyInstance } from 'fastify'

/** What the per-IP limit tests share. */

export const LIMIT = 3
export const limits = { RATE_LIMIT_AUTH_MAX: LIMIT, RATE_LIMIT_MAX: LIMIT }

/** One request per bucket: /auth/* and the rest are counted apart. */
export const routes = [
  { method: 'POST' as const, url: '/auth/refresh', payload: { refresh_token: 'x' } },
  { method: 'GET' as const, url: '/health/live' }
]

export const send = (
  app: FastifyInstance,
  route: (typeof routes)[number],
  remoteAddress: string,
  headers: Record<string, string> = {}
) => app.inject({ ...route, remoteAddress, headers })
