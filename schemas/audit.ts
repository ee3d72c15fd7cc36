import { Type } from '@sinclair/typebox'
import { Id } from './ids.js'

/** Every event the audit log records: the repository's type, the API's enum and the README's list. */
export const AUDIT_EVENTS = [
  'registered', 'login_succeeded', 'login_failed', 'second_factor_failed', 'two_factor_confirmed',
  'recovery_code_used', 'recovery_codes_regenerated', 'account_locked', 'account_unlocked', 'refresh_reuse_detected',
  'session_revoked', 'logout', 'logout_all', 'password_changed', 'two_factor_reset', 'role_changed', 'user_disabled',
  'user_enabled', 'sessions_revoked_by_admin'
] as const
export type AuditEventName = typeof AUDIT_EVENTS[number]

const EventName = Type.Union(AUDIT_EVENTS.map((e) => Type.Literal(e)))
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()])

export const AuditEvent = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  event: EventName,
  actor_user_id: Nullable(Type.Integer()),
  target_user_id: Nullable(Type.Integer()),
  session_id: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  details: Nullable(Type.String())
}, { $id: 'AuditEvent', additionalProperties: false })

export const AuditPage = Type.Object({
  items: Type.Array(Type.Ref('AuditEvent')),
  next_cursor: Type.Union([Type.String(), Type.Null()])
}, { $id: 'AuditPage', additionalProperties: false })

export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$' })),
  user_id: Type.Optional(Type.String({ pattern: Id.pattern, maxLength: Id.maxLength, description: 'events where this user acted or was acted on (a user id)' })),
  event: Type.Optional(EventName),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'before' }))
}, { additionalProperties: false })
