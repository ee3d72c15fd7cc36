import type { Driver, Executor } from '../db/driver.js'
import type { UserRow } from '../users/users-repository.js'
import type { AuditEventName, AuditWho } from '../audit/audit-repository.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import type { AuthUser } from '../sessions/auth-user.js'
import type { SecondFactor } from '../auth/second-factor.js'
import { AuthErrors } from '../auth/errors.js'
import type { Amr } from './auth-event.js'

/** One attempt under the login throttle (src/auth/throttled-attempt.ts). */
export type Throttled = <T>(
  name: string, userId: number | null, meta: ClientMeta, complete: boolean, fn: () => Promise<T>
) => Promise<T>

/** A passkey assertion for step-up: its options, and its check (the user's own passkey, user verified). */
export interface StepUpPasskeys {
  has: (userId: number) => Promise<boolean>
  options: (userId: number) => Promise<unknown>
  verify: (userId: number, response: unknown, meta: ClientMeta) => Promise<void>
}

export interface StepUpDeps {
  db: Pick<Driver, 'transaction'>
  findUser: (id: number) => Promise<UserRow | undefined>
  /** Proves a TOTP or recovery code inside a transaction (src/auth/second-factor.ts). */
  prove: (ex: Executor, user: UserRow, proof: SecondFactor, confirm: boolean) => Promise<unknown>
  throttled: Throttled
  renew: (user: AuthUser, amr: Amr[]) => Promise<{ access_token: string, token_type: 'Bearer', expires_in: number }>
  audit: (event: AuditEventName, meta: ClientMeta, who: AuditWho) => Promise<void>
  passkeys?: StepUpPasskeys
}

export interface StepUpProof extends SecondFactor {
  webauthn?: unknown
}

/**
 * Step-up (RFC 9470): a caller with a live session proves one factor again, under the same
 * throttle as a login, and gets an access token for the same session with a fresh auth_time.
 */
export function createStepUpService (deps: StepUpDeps) {
  async function userOf (caller: AuthUser) {
    const user = await deps.findUser(caller.id)
    if (!user) throw AuthErrors.invalidCredentials()
    if (user.disabled_at !== null) throw AuthErrors.accountDisabled()
    return user
  }

  return {
    async options (caller: AuthUser) {
      const hasPasskey = deps.passkeys ? await deps.passkeys.has(caller.id) : false
      return {
        factors: hasPasskey
          ? ['totp' as const, 'webauthn' as const, 'recovery_code' as const]
          : ['totp' as const, 'recovery_code' as const],
        ...(hasPasskey && deps.passkeys && { webauthn_options: await deps.passkeys.options(caller.id) })
      }
    },

    async stepUp (caller: AuthUser, proof: StepUpProof, meta: ClientMeta) {
      const given = [proof.code, proof.recovery_code, proof.webauthn].filter((v) => v !== undefined).length
      if (given > 1) throw AuthErrors.secondFactorConflict()
      if (given === 0) throw AuthErrors.secondFactorRequired()
      const user = await userOf(caller)
      const amr: Amr[] = await deps.throttled(user.username_normalized, user.id, meta, true, async () => {
        if (proof.webauthn !== undefined) {
          if (!deps.passkeys) throw AuthErrors.invalidCode()
          await deps.passkeys.verify(user.id, proof.webauthn, meta)
          return ['hwk', 'user']
        }
        await deps.db.transaction((tx) => deps.prove(tx, user, proof, false))
        return ['otp']
      })
      const token = await deps.renew(caller, amr)
      const who = { actor: user.id, target: user.id, sessionId: caller.sid }
      if (proof.recovery_code !== undefined) await deps.audit('recovery_code_used', meta, who)
      const factor = proof.webauthn !== undefined
        ? 'passkey'
        : proof.recovery_code !== undefined ? 'recovery code' : 'totp'
      await deps.audit('stepped_up', meta, { ...who, details: factor })
      return token
    }
  }
}

export type StepUpService = ReturnType<typeof createStepUpService>
