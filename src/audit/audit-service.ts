import type { Executor } from '../db/driver.js'
import { keysetPage } from '../db/keyset.js'
import { createAuditRepository, type AuditQuery } from './audit-repository.js'

/** The security audit log, read a page at a time, newest first. */
export function createAuditService ({ db }: { db: Executor }) {
  const repo = createAuditRepository(db)
  return {
    async list (query: AuditQuery) {
      const rows = await repo.list({ ...query, limit: query.limit + 1 })
      const page = keysetPage(rows, query.limit, (last) => String(last.id))
      const items = page.rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }))
      return { items, next_cursor: page.next_cursor }
    }
  }
}
