/** Who is calling: the user behind a live session, with that session's current roles and permissions. */
export interface AuthUser {
  id: number
  sid: string
  /** Current roles and permissions, read through the session check (not the token's claims). */
  roles: string[]
  permissions: string[]
  /** From the token: when the session last proved a factor (seconds) and which ones (RFC 9470, RFC 8176). */
  authTime: number
  amr: string[]
  /** Set when the request authenticated with an API key (sid is then ''): its id, and its name in the rate limiter. */
  apiKey?: { id: number, limitKey: string }
}
