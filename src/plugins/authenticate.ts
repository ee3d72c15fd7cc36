import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { Errors } from '../errors.js'
import type { AccessClaims } from './jwt.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for routes that need an access token (preHandler, so rate limits see failed attempts). */
    authenticate: (request: FastifyRequest) => Promise<void>
  }
}

const challenge = (description: string) => ({ 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` })

/** The bearer token from the Authorization header, or a 401 that says what is missing. */
export function bearerToken (request: FastifyRequest): string {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(request.headers.authorization ?? '')
  if (!match) throw Errors.unauthenticated('Send Authorization: Bearer <access_token>', { 'www-authenticate': 'Bearer' })
  return match[1]!
}

export default fp(async (app) => {
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request)
    let decoded: { header: { typ?: string }, payload: AccessClaims & { exp: number, nbf?: number } }
    try {
      decoded = app.jwt.verify(token) as unknown as typeof decoded
    } catch {
      throw Errors.invalidToken('The access token is malformed, not signed by us, or not meant for this API', challenge('invalid token'))
    }
    const { header, payload } = decoded
    // RFC 8725 §3.11: only access tokens are bearer credentials here.
    if (header.typ !== 'at+jwt') throw Errors.invalidToken('This is not an access token', challenge('not an access token'))
    const now = app.now() / 1000
    if (payload.exp <= now) throw Errors.tokenExpired('The access token has expired; refresh it', challenge('token expired'))
    if (payload.nbf !== undefined && payload.nbf > now) throw Errors.invalidToken('The access token is not valid yet', challenge('token not yet valid'))
    request.user = { id: Number(payload.sub), roles: payload.roles, jti: payload.jti }
  })
}, { name: 'authenticate', dependencies: ['jwt'] })
