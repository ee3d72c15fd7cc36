import type { Executor } from '../db/driver.js'

export type AuditEventName = 'refresh_reuse_detected' | 'session_revoked' | 'logout' | 'logout_all' | 'password_changed' | 'two_factor_reset' |
  'role_changed' | 'user_disabled' | 'user_enabled' | 'sessions_revoked_by_admin'

export interface AuditEvent {
  event: AuditEventName
  at: number
  actorUserId?: number | null
  targetUserId?: number | null
  sessionId?: string | null
  ip?: string | null
  userAgent?: string | null
  requestId?: string | null
  /** Free text for context; callers never put a secret here. */
  details?: string | null
}

/** The security event log: append only. */
export function createAuditRepository (db: Executor) {
  return {
    async record (e: AuditEvent): Promise<void> {
      await db.execute(
        'INSERT INTO audit_events (at, event, actor_user_id, target_user_id, session_id, ip, user_agent, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [e.at, e.event, e.actorUserId ?? null, e.targetUserId ?? null, e.sessionId ?? null, e.ip ?? null, e.userAgent?.slice(0, 255) ?? null, e.requestId ?? null, e.details ?? null])
    }
  }
}
