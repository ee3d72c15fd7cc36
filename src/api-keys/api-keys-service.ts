import { isIP } from 'node:net'
import type { Driver } from '../db/driver.js'
import { keysetPage } from '../db/keyset.js'
import { sha256 } from '../auth/opaque.js'
import { createAuditRepository, type AuditEventName } from '../audit/audit-repository.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import { createCachedCheck } from '../sessions/cached-check.js'
import { API_KEY_DAYS, MAX_LIVE_API_KEYS } from '../../schemas/api-keys.js'
import { createApiKeyRepository, type ApiKeyRow, type ApiKeyState } from './api-keys-repository.js'
import { displayPrefix, isWellFormedApiKey, newApiKey } from './key-format.js'
import { ApiKeyErrors } from './errors.js'
import { createUserRepository } from '../users/users-repository.js'
import { AdminErrors } from '../users/admin-service.js'

const DAY_MS = 24 * 3600 * 1000
/** last_used_at / last_used_ip are written at most this often per key (across instances). */
export const TOUCH_INTERVAL_MS = 60_000

export interface ApiKeyDeps {
  db: Driver
  now: () => number
  config: { SESSION_CHECK_CACHE_MS: number }
  /** Where a write that no request waits for (a key's last use) reports its failure. */
  reportError: (err: unknown, message: string) => void
}

/** What a request made with a key may do: the key's permissions that its owner still holds. */
export interface KeyIdentity {
  userId: number
  keyId: number
  permissions: string[]
  /** Names the key in shared counters (the rate limit) without being the key or its stored hash. */
  limitKey: string
}

export type KeyRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'disabled'
export type KeyCheck = { ok: true; identity: KeyIdentity } | { ok: false; reason: KeyRefusal }

export interface NewKeyInput {
  name: string
  permissions: string[]
  expires_in_days: number
}

interface CachedKey {
  userId: number
  state: ApiKeyState
  effective: string[]
}

// sort: every stored list is written sorted (create, the only INSERT) and the owner's list only filters (includes);
// [] -> [text]: no key is stored without a permission (minItems 1), and an owner's null list filters out all the same
// Stryker disable next-line MethodExpression,ArrayDeclaration: see above
const list = (csv: string | null) => (csv ? csv.split(',').sort() : [])
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const view = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  permissions: list(k.permissions),
  created_at: iso(k.created_at)!,
  expires_at: iso(k.expires_at)!,
  last_used_at: iso(k.last_used_at),
  last_used_ip: k.last_used_ip,
  revoked_at: iso(k.revoked_at)
})

/** A client address as stored and audited: an IP address (a zone id dropped), or null for anything else. */
export function storedAddress (ip: string): string | null {
  const address = ip.split('%')[0]!
  if (isIP(address) === 0) return null
  return address.length <= 45 ? address : null
}

/** Bounded per-instance "last time" memo, so hot keys cost no write and no audit row per request. */
function everyMs (intervalMs: number, now: () => number, maxEntries = 50_000) {
  const last = new Map<number, number>()
  return (id: number) => {
    const at = last.get(id)
    if (at !== undefined && now() - at >= 0 && now() - at < intervalMs) return false
    if (last.size >= maxEntries) last.clear()
    last.set(id, now())
    return true
  }
}

/** API keys: creation, listing, revocation, and the per-request check (cached like the session check). */
export function createApiKeyService ({ db, now, config, reportError }: ApiKeyDeps) {
  const keys = () => createApiKeyRepository(db)
  const unsettled = new Set<Promise<void>>()
  /** A write the request does not wait for: its failure is reported, and `settled` waits for it. */
  function inBackground (write: Promise<unknown>, failed: string) {
    const settled: Promise<void> = write
      .then(() => undefined, (err: unknown) => reportError(err, failed))
      .finally(() => unsettled.delete(settled))
    unsettled.add(settled)
  }
  // unknown keys are not cached: anyone can mint well-formed ones, and a flood must not evict live entries
  const cache = createCachedCheck({
    ttlMs: config.SESSION_CHECK_CACHE_MS,
    now,
    fetch: (hashes) => keys().states(hashes),
    answer: (state): CachedKey | null => {
      if (!state) return null
      const owner = list(state.owner_permissions)
      return { userId: state.user_id, state, effective: list(state.permissions).filter((p) => owner.includes(p)) }
    },
    cacheUnknown: false
  })
  const touchDue = everyMs(TOUCH_INTERVAL_MS, now)
  const expiredAuditDue = everyMs(TOUCH_INTERVAL_MS, now)
  const audit = (
    event: AuditEventName,
    owner: number,
    meta: ClientMeta,
    details: string,
    actor: number | null = owner
  ) => createAuditRepository(db).record(event, now(), meta, { actor, target: owner, details })

  async function existingUser (id: number) {
    if (!(await createUserRepository(db).findById(id))) throw AdminErrors.userNotFound(`No user ${id}`)
  }

  async function revokeOne (actor: number | null, owner: number, id: number, meta: ClientMeta) {
    const hash = await keys().liveHash(owner, id)
    if (hash === undefined || !(await keys().revoke(owner, id, now()))) throw ApiKeyErrors.notFound()
    cache.evict(hash)
    await audit('api_key_revoked', owner, meta, `key ${id}`, actor)
  }

  return {
    /** A new key for `userId`, holding `permissions` (each one the user holds now). The key is in the result only. */
    async create (userId: number, held: string[], input: NewKeyInput, meta: ClientMeta) {
      const missing = input.permissions.filter((p) => !held.includes(p))
      if (missing.length > 0) throw ApiKeyErrors.permissionNotHeld(`You do not hold ${missing.join(', ')}`)
      const days = Math.min(Math.max(input.expires_in_days, API_KEY_DAYS.min), API_KEY_DAYS.max)
      const at = now()
      const key = newApiKey()
      const row = {
        user_id: userId,
        name: input.name.trim(),
        key_hash: sha256(key),
        prefix: displayPrefix(key),
        permissions: [...input.permissions].sort().join(','),
        created_at: at,
        expires_at: at + days * DAY_MS
      }
      const id = await db.transaction(async (tx) => {
        const repo = createApiKeyRepository(tx)
        await repo.lockOwner(userId)
        if ((await repo.countLive(userId, at)) >= MAX_LIVE_API_KEYS) {
          throw ApiKeyErrors.tooMany(`At most ${MAX_LIVE_API_KEYS} live keys per user`)
        }
        return repo.create(row)
      })
      await audit(
        'api_key_created',
        userId,
        meta,
        `key ${id} "${row.name}" (${row.prefix}…): ${row.permissions}, ${days} days`
      )
      const { name, prefix, permissions, expires_at: expiresAt } = row
      return { id, name, key, prefix, permissions: list(permissions), expires_at: iso(expiresAt)! }
    },

    async list (userId: number, limit: number, cursor?: string) {
      const rows = await keys().list(userId, cursor === undefined ? 0 : Number(cursor), limit + 1)
      const page = keysetPage(rows, limit, (last) => String(last.id))
      return { items: page.rows.map(view), next_cursor: page.next_cursor }
    },

    /** Revokes a key of `owner` (someone else's, or one already revoked, is "not found"); `actor` null is the CLI. */
    revoke: revokeOne,

    /** An administrator's view: 404 user_not_found for no such user. */
    async listOf (userId: number, limit: number, cursor?: string) {
      await existingUser(userId)
      return this.list(userId, limit, cursor)
    },

    async revokeOf (actor: number | null, owner: number, id: number, meta: ClientMeta) {
      await existingUser(owner)
      await revokeOne(actor, owner, id, meta)
    },

    /** Revokes every key of a user (the CLI); returns how many. */
    async revokeAll (actor: number | null, owner: number, meta: ClientMeta) {
      const n = await keys().revokeAll(owner, now())
      cache.evictUser(owner)
      if (n > 0) await audit('api_key_revoked', owner, meta, `all keys (${n})`, actor)
      return n
    },

    /**
     * The check of a bearer value that claims to be a key: the checksum first (a malformed key
     * never reaches the store), then a lookup by hash (indexed; read with the other keys of this event-loop
     * turn), cached for SESSION_CHECK_CACHE_MS.
     */
    async check (key: string, meta: ClientMeta): Promise<KeyCheck> {
      if (!isWellFormedApiKey(key)) return { ok: false, reason: 'malformed' }
      const hash = sha256(key)
      const found = await cache.check(hash)
      if (!found) return { ok: false, reason: 'unknown' }
      const { state } = found
      if (state.revoked_at !== null) return { ok: false, reason: 'revoked' }
      if (state.disabled_at !== null) return { ok: false, reason: 'disabled' }
      const at = now()
      if (state.expires_at <= at) {
        if (expiredAuditDue(state.id)) await audit('api_key_expired_used', state.user_id, meta, `key ${state.id}`, null)
        return { ok: false, reason: 'expired' }
      }
      const ip = storedAddress(meta.ip)
      const touch = touchDue(state.id) ? keys().touch(state.id, at, ip, TOUCH_INTERVAL_MS) : undefined
      // the address last seen: only the time moves, and the response does not wait for that write (a commit); a new
      // address is written and audited before the response, as a security record
      if (touch && state.last_used_ip === ip) inBackground(touch, 'recording an API key\'s last use failed')
      else if (touch && (await touch)) {
        const from = ip ?? 'an address that is not an IP'
        await audit(
          'api_key_new_ip',
          state.user_id,
          meta,
          `key ${state.id} from ${from}` +
            (state.last_used_ip === null ? ' (first use)' : ` (before: ${state.last_used_ip})`),
          null
        )
      }
      const identity = {
        userId: state.user_id,
        keyId: state.id,
        permissions: found.effective,
        limitKey: hash.slice(0, 32)
      }
      return { ok: true, identity }
    },

    /** Resolves when every last-use write started so far has ended (the app waits for it on close). */
    async settled (): Promise<void> {
      while (unsettled.size > 0) await Promise.all(unsettled)
    },

    /** Drops what this instance cached about a user's keys (their roles changed, or they were disabled or enabled). */
    forgetUser (userId: number) {
      cache.evictUser(userId)
    }
  }
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>
