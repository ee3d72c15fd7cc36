import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditPage, AuditQuery } from '../../schemas/audit.js'
import { rowId } from '../../schemas/ids.js'
import { ref, type Defaulted } from '../../schemas/ref.js'
import { ApiError, Errors } from '../errors.js'
import { problems } from '../http/problem-responses.js'

/**
 * A date-time the schema let through as text, as epoch ms. Some pass the format and still
 * name no instant JavaScript can hold (a leap second, 23:59:60): a 400, never NaN in SQL.
 */
function instant (text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined
  const ms = Date.parse(text)
  if (Number.isFinite(ms)) return ms
  throw new ApiError(400, Errors.validation.code, Errors.validation.title, '1 problem(s) in the request', {}, [
    { pointer: `/querystring/${name}`, message: 'is not an instant this service can represent (leap seconds are not)' }
  ])
}

/** The security audit log, newest first, for administrators. */
const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/audit',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['users'],
        operationId: 'listAuditEvents',
        summary: 'Security events, newest first (keyset pages), by user, event and time range',
        querystring: AuditQuery,
        response: { 200: ref(AuditPage), ...problems(Errors.validation) }
      }
    },
    async (request) => {
      const q = request.query as Defaulted<typeof request.query, 'limit'>
      return app.services.audit.list({
        limit: q.limit,
        beforeId: q.cursor === undefined ? undefined : Number(q.cursor),
        userId: q.user_id === undefined ? undefined : rowId(q.user_id),
        event: q.event,
        from: instant(q.from, 'from'),
        to: instant(q.to, 'to')
      })
    }
  )
}

export default auditRoutes
