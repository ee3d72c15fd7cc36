import type { FastifyRequest } from 'fastify'
import type { ClientMeta } from '../sessions/client-meta.js'

/** The caller's address, user agent (bounded) and request id, for sessions and the audit log. */
export const clientMeta = (request: FastifyRequest): ClientMeta => ({
  ip: request.ip.slice(0, 45),
  userAgent: (request.headers['user-agent'] ?? '').slice(0, 255),
  requestId: request.id
})
