import { channel } from 'node:diagnostics_channel'
import type { AuditEventName } from '../../schemas/audit.js'

/**
 * Each audit event written is published here (name only: who and details stay in the table), so
 * metrics count them without the repository knowing about metrics. Nothing is built when no one listens.
 */
export const auditWritten = channel('secure-api:audit-written')

export interface AuditWritten {
  event: AuditEventName
}
