import type { FastifyRequest } from 'fastify'
import { Errors } from '../errors.js'

/** The bearer token from the Authorization header, or a 401 that says what is missing. */
export function bearerToken (request: FastifyRequest): string {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(request.headers.authorization ?? '')
  if (!match) {
    throw Errors.unauthenticated('Send Authorization: Bearer <access_token>', { 'www-authenticate': 'Bearer' })
  }
  return match[1]!
}
