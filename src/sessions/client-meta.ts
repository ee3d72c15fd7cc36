/** Who is calling, for the session record and the audit log. */
export interface ClientMeta {
  ip: string
  userAgent: string
  requestId: string
}
