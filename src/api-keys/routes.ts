import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  ApiKeyListQuery,
  ApiKeyPage,
  ApiKeyParams,
  CreateApiKeyRequest,
  CreatedApiKey,
  UserApiKeyParams
} from '../../schemas/api-keys.js'
import { UserParams } from '../../schemas/users.js'
import { ref, type Defaulted } from '../../schemas/ref.js'
import { rowId } from '../../schemas/ids.js'
import { Errors } from '../errors.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { clientMeta } from '../http/client-meta.js'
import { AdminErrors } from '../users/admin-service.js'
import { ApiKeyErrors } from './errors.js'

const noContent = { 204: Type.Null({ description: 'done' }) }

/**
 * Your own API keys (an interactive login only: a key never manages keys), and an
 * administrator's view of anyone's (`users:write`; a key holding it may list, never revoke).
 */
const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['api-keys']

  app.post(
    '/api/keys',
    {
      config: { access: 'authenticated', apiKeys: false, recentAuth: true },
      schema: {
        tags,
        operationId: 'createApiKey',
        summary: 'Create an API key (shown once) with some of your permissions, for 1 to 365 days',
        description:
          'The response is the only time the key is shown: only its SHA-256 is stored. At most 50 live keys per user.',
        body: ref(CreateApiKeyRequest),
        response: {
          201: ref(CreatedApiKey),
          ...problems(...BODY_ERRORS, ApiKeyErrors.permissionNotHeld, ApiKeyErrors.tooMany)
        }
      }
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const created = await app.services.apiKeys.create(
        request.user.id,
        request.user.permissions,
        request.body,
        clientMeta(request)
      )
      return reply.code(201).send(created)
    }
  )

  app.get(
    '/api/keys',
    {
      config: { access: 'authenticated', apiKeys: false },
      schema: {
        tags,
        operationId: 'listApiKeys',
        summary: 'Your API keys, by id, a page at a time (never the keys themselves)',
        querystring: ApiKeyListQuery,
        response: { 200: ref(ApiKeyPage), ...problems(Errors.validation) }
      }
    },
    async (request) =>
      app.services.apiKeys.list(
        request.user.id,
        (request.query as Defaulted<typeof request.query, 'limit'>).limit,
        request.query.cursor
      )
  )

  app.delete(
    '/api/keys/:id',
    {
      config: { access: 'authenticated', apiKeys: false },
      schema: {
        tags,
        operationId: 'revokeApiKey',
        summary: "Revoke one of your API keys (someone else's is 404); it stops working at once",
        params: ApiKeyParams,
        response: { ...noContent, ...problems(Errors.validation, ApiKeyErrors.notFound) }
      }
    },
    async (request, reply) => {
      await app.services.apiKeys.revoke(request.user.id, request.user.id, rowId(request.params.id), clientMeta(request))
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/api/users/:id/keys',
    {
      config: { access: 'users:write' },
      schema: {
        tags: ['users'],
        operationId: 'listUserApiKeys',
        summary: "An account's API keys, by id, a page at a time (never the keys themselves)",
        params: UserParams,
        querystring: ApiKeyListQuery,
        response: { 200: ref(ApiKeyPage), ...problems(Errors.validation, AdminErrors.userNotFound) }
      }
    },
    async (request) =>
      app.services.apiKeys.listOf(
        rowId(request.params.id),
        (request.query as Defaulted<typeof request.query, 'limit'>).limit,
        request.query.cursor
      )
  )

  app.delete(
    '/api/users/:id/keys/:keyId',
    {
      config: { access: 'users:write', recentAuth: true, apiKeys: false },
      schema: {
        tags: ['users'],
        operationId: 'revokeUserApiKey',
        summary: "Revoke one of an account's API keys",
        params: UserApiKeyParams,
        response: { ...noContent, ...problems(Errors.validation, AdminErrors.userNotFound, ApiKeyErrors.notFound) }
      }
    },
    async (request, reply) => {
      await app.services.apiKeys.revokeOf(
        request.user.id,
        rowId(request.params.id),
        rowId(request.params.keyId),
        clientMeta(request)
      )
      return reply.code(204).send(null)
    }
  )
}

export default apiKeyRoutes
