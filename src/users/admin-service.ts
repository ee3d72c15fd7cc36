import type { Driver } from '../db/driver.js'
import { defineError } from '../errors.js'
import type { AuthUser } from '../sessions/auth-user.js'
import { createAuditRepository, type AuditEventName } from '../audit/audit-repository.js'
import { createAuthTokenRepository } from '../auth/auth-tokens-repository.js'
import type { LoginThrottle } from '../auth/login-throttle.js'
import type { SessionService } from '../sessions/session-service.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import { keysetPage } from '../db/keyset.js'
import { canonicalUsername } from '../auth/username.js'
import { createUserRepository, type UserRepository, type UserRow } from './users-repository.js'

export const AdminErrors = {
  userNotFound: defineError(404, 'user_not_found', 'No such user'),
  notOnYourself: defineError(
    409,
    'not_on_yourself',
    'Administrators cannot disable themselves or take away their own admin role'
  ),
  lastAdmin: defineError(409, 'last_admin', 'At least one enabled administrator must remain')
}

/** Who administers: an administrator's session, or null for the command line (audited with no actor). */
export type Operator = AuthUser | null

export interface AdminDeps {
  db: Driver
  now: () => number
  sessions: Pick<SessionService, 'forgetUser' | 'revokeAll'>
  throttle: Pick<LoginThrottle, 'unlock'>
}

/** Account administration. Each change reaches every instance through the session check. */
export function createAdminService ({ db, now, sessions, throttle }: AdminDeps) {
  const users = () => createUserRepository(db)

  async function view (u: UserRow) {
    return {
      id: u.id,
      username: u.username,
      roles: await users().rolesOf(u.id),
      two_factor_enabled: u.totp_confirmed_at !== null,
      disabled: u.disabled_at !== null,
      created_at: new Date(u.created_at).toISOString()
    }
  }

  async function existing (id: number) {
    const u = await users().findById(id)
    if (!u) throw AdminErrors.userNotFound(`No user ${id}`)
    return u
  }

  /**
   * A change to roles or to who is enabled, in one transaction that keeps at least one enabled
   * administrator: serialized with every other such change (two admins demoting or disabling
   * each other at once: one wins, the other gets 409 last_admin), on every instance.
   */
  async function changeAdministrators (change: (repo: UserRepository) => Promise<void>) {
    await db.transaction(async (tx) => {
      const repo = createUserRepository(tx)
      await repo.lockAdministrators()
      await change(repo)
      if ((await repo.enabledAdministrators()) === 0) {
        throw AdminErrors.lastAdmin('Make another account an administrator first')
      }
    })
  }

  const audit = (event: AuditEventName, actor: Operator, target: number, meta: ClientMeta, details?: string) =>
    createAuditRepository(db).record(event, now(), meta, { actor: actor?.id ?? null, target, details })

  return {
    /** True once any account holds the admin role (enabled or not). */
    hasAdministrator: () => users().anyWithRole('admin'),

    /** The account with this name (compared canonically), or undefined. */
    async findByUsername (username: string) {
      const canonical = canonicalUsername(username)
      return canonical === null ? undefined : users().findByUsername(canonical)
    },

    async list (limit: number, cursor?: string) {
      const rows = await users().list(cursor === undefined ? 0 : Number(cursor), limit + 1)
      const page = keysetPage(rows, limit, (last) => String(last.id))
      return { items: await Promise.all(page.rows.map(view)), next_cursor: page.next_cursor }
    },

    get: async (id: number) => view(await existing(id)),

    async setRoles (actor: AuthUser, id: number, roles: string[], meta: ClientMeta) {
      const target = await existing(id)
      if (id === actor.id && !roles.includes('admin')) throw AdminErrors.notOnYourself()
      const before = await users().rolesOf(id)
      await changeAdministrators((repo) => repo.setRoles(id, roles))
      sessions.forgetUser(id) // this instance sees the new roles at once; others within SESSION_CHECK_CACHE_MS
      await audit('role_changed', actor, id, meta, `${before.join(',')} -> ${[...roles].sort().join(',')}`)
      return view(target)
    },

    /** Disabling ends the user's sessions and one-time tokens; the session check refuses the rest at once. */
    async setDisabled (actor: AuthUser, id: number, disabled: boolean, meta: ClientMeta) {
      await existing(id)
      if (disabled && id === actor.id) throw AdminErrors.notOnYourself()
      await changeAdministrators(async (repo) => {
        await repo.setDisabled(id, disabled ? now() : null, now())
      })
      sessions.forgetUser(id)
      if (disabled) {
        await createAuthTokenRepository(db).revokeAll(id, now())
        await sessions.revokeAll(id, 'user_disabled', meta, { actor: actor.id }) // audits user_disabled
      } else {
        await audit('user_enabled', actor, id, meta)
      }
      return view(await existing(id))
    },

    /** Clears the account's failed-attempt records and locks, from every address. */
    async unlock (actor: Operator, id: number, meta: ClientMeta) {
      const u = await existing(id)
      await throttle.unlock(u.username_normalized)
      await audit('account_unlocked', actor, id, meta)
      return view(u)
    },

    async revokeSessions (actor: Operator, id: number, meta: ClientMeta) {
      await existing(id)
      await sessions.revokeAll(id, 'sessions_revoked_by_admin', meta, { actor: actor?.id ?? null })
    }
  }
}
