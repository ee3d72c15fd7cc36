import type { Executor } from '../db/driver.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import type { AuditEventName } from '../../schemas/audit.js'
import { auditWritten, type AuditWritten } from './audit-channel.js'

export type { AuditEventName }

export interface AuditRow {
  id: number
  at: number
  event: AuditEventName
  actor_user_id: number | null
  target_user_id: number | null
  session_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  details: string | null
}

export interface AuditQuery {
  beforeId?: number
  limit: number
  userId?: number
  event?: AuditEventName
  from?: number
  to?: number
}

/** Who did it to whom; details are free text for context and never hold a secret. */
export interface AuditWho {
  actor?: number | null
  target?: number | null
  sessionId?: string | null
  details?: string | null
}

/** The security event log: append only, read newest first by admins. */
export function createAuditRepository (db: Executor) {
  return {
    async record (event: AuditEventName, at: number, meta: ClientMeta, who: AuditWho): Promise<void> {
      await db.execute(
        'INSERT INTO audit_events (at, event, actor_user_id, target_user_id, session_id, ip, user_agent, ' +
          'request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          at,
          event,
          who.actor ?? null,
          who.target ?? null,
          who.sessionId ?? null,
          meta.ip,
          meta.userAgent.slice(0, 255),
          meta.requestId,
          who.details?.slice(0, 1000) ?? null
        ]
      )
      if (auditWritten.hasSubscribers) auditWritten.publish({ event } satisfies AuditWritten)
    },

    /** Newest first, keyset on id. */
    async list (q: AuditQuery): Promise<AuditRow[]> {
      const where: string[] = []
      const params: Array<string | number> = []
      if (q.beforeId !== undefined) {
        where.push('id < ?')
        params.push(q.beforeId)
      }
      if (q.userId !== undefined) {
        where.push('(target_user_id = ? OR actor_user_id = ?)')
        params.push(q.userId, q.userId)
      }
      if (q.event !== undefined) {
        where.push('event = ?')
        params.push(q.event)
      }
      if (q.from !== undefined) {
        where.push('at >= ?')
        params.push(q.from)
      }
      if (q.to !== undefined) {
        where.push('at < ?')
        params.push(q.to)
      }
      params.push(q.limit)
      return db.query<AuditRow & Record<string, unknown>>(
        'SELECT id, at, event, actor_user_id, target_user_id, session_id, ip, user_agent, request_id, details ' +
          `FROM audit_events${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`,
        params
      )
    }
  }
}
