/** Who is calling: the user behind a live session, with that session's current roles and permissions. */
export interface AuthUser {
  id: number
  sid: string
  /** Current roles and permissions, read through the session check (not the token's claims). */
  roles: string[]
  permissions: string[]
}
