import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AdminUser, AdminUserPage, SetRolesRequest, UserListQuery, UserParams } from '../../schemas/users.js'
import { ref, type Defaulted } from '../../schemas/ref.js'
import { rowId } from '../../schemas/ids.js'
import { Errors } from '../errors.js'
import { BODY_ERRORS, problems } from '../http/problem-responses.js'
import { clientMeta } from '../http/client-meta.js'
import { AdminErrors } from './admin-service.js'

const tags = ['users']

/**
 * Account administration: roles, disable/enable, sessions. Changes reach every instance within the session check's
 * cache time.
 */
const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { admin } = app.services

  app.get(
    '/api/users',
    {
      config: { access: 'users:read' },
      schema: {
        tags,
        operationId: 'listUsers',
        summary: 'List accounts by id, a page at a time',
        querystring: UserListQuery,
        response: { 200: ref(AdminUserPage), ...problems(Errors.validation) }
      }
    },
    async (request) =>
      admin.list((request.query as Defaulted<typeof request.query, 'limit'>).limit, request.query.cursor)
  )

  app.get(
    '/api/users/:id',
    {
      config: { access: 'users:read' },
      schema: {
        tags,
        operationId: 'getUser',
        summary: 'Get an account',
        params: UserParams,
        response: { 200: ref(AdminUser), ...problems(Errors.validation, AdminErrors.userNotFound) }
      }
    },
    async (request) => admin.get(rowId(request.params.id))
  )

  app.put(
    '/api/users/:id/roles',
    {
      config: { access: 'users:write', recentAuth: true, apiKeys: false },
      schema: {
        tags,
        operationId: 'setUserRoles',
        summary: "Replace an account's roles (effective on every instance within a second)",
        params: UserParams,
        body: ref(SetRolesRequest),
        response: {
          200: ref(AdminUser),
          ...problems(...BODY_ERRORS, AdminErrors.userNotFound, AdminErrors.notOnYourself, AdminErrors.lastAdmin)
        }
      }
    },
    async (request) => admin.setRoles(request.user, rowId(request.params.id), request.body.roles, clientMeta(request))
  )

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false]
  ] as const) {
    app.post(
      `/api/users/:id/${action}`,
      {
        config: { access: 'users:write', recentAuth: true, apiKeys: false },
        schema: {
          tags,
          operationId: `${action}User`,
          summary: disabled ? 'Disable an account: its sessions end and it cannot log in' : 'Enable a disabled account',
          params: UserParams,
          response: {
            200: ref(AdminUser),
            ...problems(Errors.validation, AdminErrors.userNotFound, AdminErrors.notOnYourself, AdminErrors.lastAdmin)
          }
        }
      },
      async (request) => admin.setDisabled(request.user, rowId(request.params.id), disabled, clientMeta(request))
    )
  }

  app.post(
    '/api/users/:id/unlock',
    {
      config: { access: 'users:write', recentAuth: true, apiKeys: false },
      schema: {
        tags,
        operationId: 'unlockUser',
        summary: "Clear an account's failed login attempts and lock",
        params: UserParams,
        response: { 200: ref(AdminUser), ...problems(Errors.validation, AdminErrors.userNotFound) }
      }
    },
    async (request) => admin.unlock(request.user, rowId(request.params.id), clientMeta(request))
  )

  app.delete(
    '/api/users/:id/sessions',
    {
      config: { access: 'users:write', recentAuth: true, apiKeys: false },
      schema: {
        tags,
        operationId: 'revokeUserSessions',
        summary: "End all of an account's sessions",
        params: UserParams,
        response: { 204: Type.Null({ description: 'done' }), ...problems(Errors.validation, AdminErrors.userNotFound) }
      }
    },
    async (request, reply) => {
      await admin.revokeSessions(request.user, rowId(request.params.id), clientMeta(request))
      return reply.code(204).send(null)
    }
  )
}

export default adminRoutes
