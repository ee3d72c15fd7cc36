import { randomBytes, randomUUID } from 'node:crypto'
import type { Config } from '../config.js'
import type { Driver, Executor } from '../db/driver.js'
import { createAuditRepository, type AuditEventName } from '../audit/audit-repository.js'
import { newOpaqueToken, sha256 } from '../auth/opaque.js'
import { createAuthTokenRepository } from '../auth/auth-tokens-repository.js'
import type { LoginThrottle } from '../auth/login-throttle.js'
import type { AccessTokenSigner } from '../tokens/access-token-signer.js'
import type { AuthUser } from './auth-user.js'
import type { ClientMeta } from './client-meta.js'
import { createRefreshTokenRepository } from './refresh-tokens-repository.js'
import type { LiveSession } from './session-cache.js'
import { createCachedCheck } from './cached-check.js'
import { createSessionRepository, type SessionState } from './sessions-repository.js'
import { SessionErrors } from './errors.js'
import { Errors } from '../errors.js'
import { MAX_SESSIONS_LISTED } from '../../schemas/sessions.js'
import { amrFromText, amrToText, authClaims, type AuthEvent } from '../step-up/auth-event.js'

export type { ClientMeta }

const PURGE_BATCH = 500
const KEEP_REVOKED_MS = 24 * 3600 * 1000

const isLive = (s: SessionState, now: number) =>
  s.revoked_at === null && s.disabled_at === null && s.idle_expires_at > now && s.absolute_expires_at > now
const list = (csv: string | null) => (csv ? csv.split(',').sort() : [])
/** A refresh is not a new authentication: the tokens keep what the session last proved. */
const authOf = (s: SessionState): AuthEvent => ({ at: s.auth_time, amr: amrFromText(s.amr) })

export interface SessionDeps {
  db: Driver
  now: () => number
  config: Pick<Config, 'SESSION_CHECK_CACHE_MS' | 'REFRESH_IDLE_TTL' | 'REFRESH_ABSOLUTE_TTL' | 'ACCESS_TOKEN_TTL'>
  sign: AccessTokenSigner
  /** Its expired records go with the purge. */
  throttle: Pick<LoginThrottle, 'purge'>
}

/** Sessions, rotating refresh tokens with reuse detection, and the per-request session check. */
export function createSessionService ({ db, now: clock, config, sign, throttle }: SessionDeps) {
  const repos = (ex: Executor = db) => ({
    sessions: createSessionRepository(ex),
    refresh: createRefreshTokenRepository(ex),
    audit: createAuditRepository(ex)
  })
  const cache = createCachedCheck({
    ttlMs: config.SESSION_CHECK_CACHE_MS,
    now: clock,
    fetch: (sids) => repos().sessions.states(sids),
    answer: (state): LiveSession | null =>
      state && isLive(state, clock())
        ? { userId: state.user_id, roles: list(state.roles), permissions: list(state.permissions) }
        : null,
    cacheUnknown: true
  })
  const idleMs = config.REFRESH_IDLE_TTL * 1000

  /**
   * An event on `userId`'s sessions; the actor is the user unless someone else acted (an administrator, or null for the
   * CLI).
   */
  const audit = (
    ex: Executor,
    event: AuditEventName,
    userId: number,
    sid: string | null,
    meta: ClientMeta,
    actor: number | null = userId
  ) => repos(ex).audit.record(event, clock(), meta, { actor, target: userId, sessionId: sid })

  const accessToken = (userId: number, sid: string, roles: string[], auth: AuthEvent) => ({
    access_token: sign({
      sub: String(userId),
      sid,
      roles,
      jti: randomUUID(),
      iat: Math.floor(clock() / 1000),
      ...authClaims(auth)
    }),
    token_type: 'Bearer' as const,
    expires_in: config.ACCESS_TOKEN_TTL
  })
  const tokens = (userId: number, sid: string, roles: string[], refreshToken: string, auth: AuthEvent) => ({
    ...accessToken(userId, sid, roles, auth),
    refresh_token: refreshToken
  })

  return {
    /**
     * A new session for a completed login (`amr`: the factors it proved): its id (for the audit log) and its tokens.
     */
    async start (userId: number, roles: string[], meta: ClientMeta, amr: AuthEvent['amr']) {
      const now = clock()
      const sid = randomBytes(16).toString('base64url')
      const refreshToken = newOpaqueToken()
      await db.transaction(async (tx) => {
        await repos(tx).sessions.create({
          id: sid,
          user_id: userId,
          created_at: now,
          last_used_at: now,
          idle_expires_at: Math.min(now + idleMs, now + config.REFRESH_ABSOLUTE_TTL * 1000),
          absolute_expires_at: now + config.REFRESH_ABSOLUTE_TTL * 1000,
          user_agent: meta.userAgent,
          ip: meta.ip,
          auth_time: now,
          amr: amrToText(amr)
        })
        await repos(tx).refresh.create(sha256(refreshToken), sid, now)
      })
      return { sid, tokens: tokens(userId, sid, roles, refreshToken, { at: now, amr }) }
    },

    /**
     * Rotation. A token already spent, or spent by a concurrent request first, is reuse:
     * the whole session is revoked (its newest token too) and the event audited. The conditional
     * UPDATE of `spend` decides both cases alone: it refuses a token already spent too.
     */
    async refresh (refreshToken: string, meta: ClientMeta) {
      const hash = sha256(refreshToken)
      const now = clock()
      const outcome = await db.transaction(async (tx) => {
        const r = repos(tx)
        const row = await r.refresh.find(hash)
        const state = row && (await r.sessions.state(row.session_id))
        if (!row || !state || !isLive(state, now)) return { kind: 'invalid' as const }
        if (!(await r.refresh.spend(hash, now))) {
          // one theft, one event: of a burst of replays only the one that ends the session audits it
          // Stryker disable next-line StringLiteral: revoked_reason is kept for the database only (no API, CLI, audit)
          if (await r.sessions.revoke(state.user_id, row.session_id, now, 'refresh_reuse')) {
            await audit(tx, 'refresh_reuse_detected', state.user_id, row.session_id, meta)
          }
          return { kind: 'reused' as const, sid: row.session_id }
        }
        const next = newOpaqueToken()
        await r.refresh.create(sha256(next), row.session_id, now)
        await r.sessions.touch(row.session_id, now, idleMs, meta.ip, meta.userAgent)
        return {
          kind: 'ok' as const,
          tokens: tokens(state.user_id, row.session_id, list(state.roles), next, authOf(state))
        }
      })
      if (outcome.kind === 'reused') {
        cache.evict(outcome.sid)
        throw SessionErrors.refreshTokenReused()
      }
      if (outcome.kind === 'invalid') throw SessionErrors.refreshTokenInvalid()
      return outcome.tokens
    },

    /**
     * The live session behind an access token (user enabled), with the user's current roles and permissions; cached
     * briefly.
     */
    check (sid: string): Promise<LiveSession | null> {
      return cache.check(sid)
    },

    /**
     * Step-up: the factors just proven join the session's, with a fresh auth_time (so later
     * refreshes keep them), and a new access token carries them; the refresh token is unchanged.
     */
    async renewAuthentication (user: AuthUser, proven: AuthEvent['amr']) {
      const at = clock()
      // what the session has proven: the factors of its login and of its step-ups (a step-up never lowers acr)
      const amr = amrFromText([...new Set([...user.amr, ...proven])].join(','))
      if (!(await repos().sessions.renewAuth(user.id, user.sid, { auth_time: at, amr: amrToText(amr) }))) {
        throw Errors.invalidToken('The session of this token has ended; log in again')
      }
      return accessToken(user.id, user.sid, user.roles, { at, amr })
    },

    /** Drops what this instance cached about a user's sessions (their roles changed, or they were enabled). */
    forgetUser (userId: number) {
      cache.evictUser(userId)
    },

    async list (user: AuthUser) {
      return (await repos().sessions.listLive(user.id, clock(), MAX_SESSIONS_LISTED)).map((s) => ({
        id: s.id,
        created_at: new Date(s.created_at).toISOString(),
        last_used_at: new Date(s.last_used_at).toISOString(),
        idle_expires_at: new Date(s.idle_expires_at).toISOString(),
        absolute_expires_at: new Date(s.absolute_expires_at).toISOString(),
        user_agent: s.user_agent,
        ip: s.ip,
        current: s.id === user.sid
      }))
    },

    /** Ends one of the user's own sessions; someone else's is "not found". */
    async revoke (user: AuthUser, sid: string, meta: ClientMeta, event: AuditEventName = 'session_revoked') {
      if (!(await repos().sessions.revoke(user.id, sid, clock(), event))) throw SessionErrors.sessionNotFound()
      cache.evict(sid)
      await audit(db, event, user.id, sid, meta)
    },

    /**
     * Ends all of a user's sessions, or all but one, and audits it once: `actor` is who did it
     * (the user, an administrator, or null for the command line).
     */
    async revokeAll (
      userId: number,
      reason: AuditEventName,
      meta: ClientMeta,
      { actor = userId, exceptSid }: { actor?: number | null; exceptSid?: string } = {}
    ) {
      await repos().sessions.revokeAll(userId, clock(), reason, exceptSid)
      cache.evictUser(userId)
      await audit(db, reason, userId, exceptSid ?? null, meta, actor)
    },

    /** Deletes ended sessions and expired one-time tokens in small batches, yielding between them. */
    async purge () {
      let deleted = 0
      for (let n = PURGE_BATCH; n === PURGE_BATCH;) {
        const now = clock()
        n = await repos().sessions.purge(now, now - KEEP_REVOKED_MS, PURGE_BATCH)
        deleted += n
        await new Promise((resolve) => setImmediate(resolve))
      }
      return (
        deleted +
        (await createAuthTokenRepository(db).purgeExpired(clock())) +
        (await throttle.purge(clock() - KEEP_REVOKED_MS))
      )
    }
  }
}

export type SessionService = ReturnType<typeof createSessionService>
