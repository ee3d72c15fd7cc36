import type { Executor } from '../db/driver.js'
import { createUserRepository, type UserRow } from '../users/users-repository.js'
import { AuthErrors } from './errors.js'
import { createRecoveryCodeRepository } from './recovery-codes-repository.js'
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js'
import { open, seal } from './secret-box.js'
import { matchingStep, newTotpSecret } from './totp.js'

/**
 * What a caller offers as the second factor: a TOTP code, a recovery code or (second login step) a passkey, only one.
 */
export interface SecondFactor {
  code?: string
  recovery_code?: string
  webauthn?: unknown
}

/**
 * TOTP secrets (sealed, bound to their owner's normalized name, which never changes) and the proof of the second
 * factor.
 */
export function createSecondFactor ({ totpKey, now }: { totpKey: Buffer; now: () => number }) {
  const aad = (normalized: string) => `totp:${normalized}`
  const secretOf = (user: UserRow) => open(totpKey, user.totp_secret_enc, aad(user.username_normalized))

  async function replaceRecoveryCodes (ex: Executor, userId: number) {
    const codes = newRecoveryCodes()
    await createRecoveryCodeRepository(ex).replace(userId, codes.map(hashRecoveryCode), now())
    return codes
  }

  return {
    replaceRecoveryCodes,

    /** A new secret, sealed for this owner. */
    sealFor: (user: { username_normalized: string }) => seal(totpKey, newTotpSecret(), aad(user.username_normalized)),

    /** The secret being enrolled: a staged one (2FA reset), or the first one while unconfirmed; null when none is. */
    enrollingSecretOf: (user: UserRow) =>
      user.totp_pending_secret_enc !== null
        ? open(totpKey, user.totp_pending_secret_enc, aad(user.username_normalized))
        : user.totp_confirmed_at === null
          ? secretOf(user)
          : null,

    /**
     * Proves the second factor inside the caller's transaction: a TOTP code claims its
     * time step (once, ever), a recovery code is spent. With `confirm`, a code for a
     * pending enrollment activates 2FA and yields the first recovery codes.
     */
    async prove (ex: Executor, user: UserRow, proof: SecondFactor, confirm: boolean): Promise<string[] | undefined> {
      if (proof.code !== undefined && proof.recovery_code !== undefined) throw AuthErrors.secondFactorConflict()
      const pending = user.totp_confirmed_at === null
      // cannot happen: only confirmed accounts get mfa or access tokens
      if (pending && !confirm) throw AuthErrors.invalidCode()
      if (proof.recovery_code !== undefined) {
        if (
          pending ||
          !(await createRecoveryCodeRepository(ex).consume(user.id, hashRecoveryCode(proof.recovery_code), now()))
        ) { throw AuthErrors.invalidCode() }
        return undefined
      }
      if (proof.code === undefined) throw AuthErrors.secondFactorRequired()
      const step = matchingStep(secretOf(user), proof.code, now())
      if (step === null || !(await createUserRepository(ex).claimTotpStep(user.id, step, now(), pending))) {
        throw AuthErrors.invalidCode()
      }
      return pending ? replaceRecoveryCodes(ex, user.id) : undefined
    }
  }
}
