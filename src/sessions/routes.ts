import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TokenResponse } from '../../schemas/auth.js'
import { RefreshRequest, SessionList, SessionParams } from '../../schemas/sessions.js'
import { ref } from '../../schemas/ref.js'
import { Errors } from '../errors.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { clientMeta } from '../http/client-meta.js'
import { SessionErrors } from './errors.js'

const noContent = { 204: Type.Null({ description: 'done' }) }

const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/auth/refresh',
    {
      schema: {
        tags: ['sessions'],
        operationId: 'refreshTokens',
        summary: 'Rotate: a new access token and a new refresh token; the old refresh token is spent',
        description:
          'A refresh token works once. Presenting a spent one (or losing a race with a concurrent use of the same ' +
          'one) is treated as theft: the whole session is revoked, its newest refresh token included (401 ' +
            '`refresh_token_reused`).',
        security: [],
        body: ref(RefreshRequest),
        response: {
          200: ref(TokenResponse),
          ...problems(...BODY_ERRORS, SessionErrors.refreshTokenInvalid, SessionErrors.refreshTokenReused)
        }
      }
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return app.services.sessions.refresh(request.body.refresh_token, clientMeta(request))
    }
  )

  app.post(
    '/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['sessions'],
        operationId: 'logout',
        summary: 'End this session: its refresh token and access tokens stop working',
        response: { ...noContent, ...problems() }
      }
    },
    async (request, reply) => {
      await app.services.sessions.revoke(request.user, request.user.sid, clientMeta(request), 'logout')
      return reply.code(204).send(null)
    }
  )

  app.post(
    '/auth/logout-all',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['sessions'],
        operationId: 'logoutAll',
        summary: 'End all of your sessions, this one included',
        response: { ...noContent, ...problems() }
      }
    },
    async (request, reply) => {
      await app.services.sessions.revokeAll(request.user.id, 'logout_all', clientMeta(request))
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/auth/sessions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['sessions'],
        operationId: 'listSessions',
        summary: 'Your live sessions, the current one flagged',
        response: { 200: ref(SessionList), ...problems() }
      }
    },
    async (request) => ({ items: await app.services.sessions.list(request.user) })
  )

  app.delete(
    '/auth/sessions/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['sessions'],
        operationId: 'revokeSession',
        summary: "End one of your sessions (another user's is 404)",
        params: SessionParams,
        response: { ...noContent, ...problems(Errors.validation, SessionErrors.sessionNotFound) }
      }
    },
    async (request, reply) => {
      await app.services.sessions.revoke(request.user, request.params.id, clientMeta(request))
      return reply.code(204).send(null)
    }
  )
}

export default sessionRoutes
