import { Type } from '@sinclair/typebox'
import { Id } from './ids.js'

/** Every event the audit log records: the repository's type, the API's enum and the README's list. */
export const AUDIT_EVENTS = [
  'registered',
  'login_succeeded',
  'login_failed',
  'second_factor_failed',
  'two_factor_confirmed',
  'recovery_code_used',
  'recovery_codes_regenerated',
  'account_locked',
  'account_unlocked',
  'refresh_reuse_detected',
  'session_revoked',
  'logout',
  'logout_all',
  'password_changed',
  'two_factor_reset',
  'role_changed',
  'user_disabled',
  'user_enabled',
  'sessions_revoked_by_admin',
  'stepped_up',
  'passkey_registered',
  'passkey_removed',
  'passkey_failed',
  'passkey_counter_anomaly',
  'api_key_created',
  'api_key_revoked',
  'api_key_expired_used',
  'api_key_new_ip'
] as const
export type AuditEventName = (typeof AUDIT_EVENTS)[number]
import { IdCursor, Int32, MAX_PAGE, Nullable, Page, RowId, Text, Timestamp } from './common.js'

const EventName = Type.Union(AUDIT_EVENTS.map((e) => Type.Literal(e)))

export const AuditEvent = Type.Object(
  {
    id: RowId(),
    at: Timestamp(),
    event: EventName,
    actor_user_id: Nullable(RowId()),
    target_user_id: Nullable(RowId()),
    session_id: Nullable(Text(32)),
    ip: Nullable(Text(45)),
    user_agent: Nullable(Text(255)),
    request_id: Nullable(Text(128)),
    details: Nullable(Text(1000))
  },
  { $id: 'AuditEvent', additionalProperties: false }
)

export const AuditPage = Type.Object(
  {
    items: Page(Type.Ref('AuditEvent')),
    next_cursor: Nullable(IdCursor())
  },
  { $id: 'AuditPage', additionalProperties: false }
)

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Int32({ minimum: 1, maximum: MAX_PAGE, default: 50 })),
    cursor: Type.Optional(IdCursor()),
    user_id: Type.Optional(
      Type.String({
        pattern: Id.pattern,
        maxLength: Id.maxLength,
        description: 'events where this user acted or was acted on (a user id)'
      })
    ),
    event: Type.Optional(EventName),
    from: Type.Optional(Timestamp({ description: 'at or after' })),
    to: Type.Optional(Timestamp({ description: 'before' }))
  },
  { additionalProperties: false }
)
