import type { UserRow } from '../../users/users-repository.js'
import type { ClientMeta } from '../../sessions/client-meta.js'
import type { AuthContext } from '../auth-context.js'
import { AuthErrors } from '../errors.js'
import { sha256 } from '../opaque.js'
import { canonicalUsername } from '../username.js'
import { matchingStep, otpauthUri } from '../totp.js'

/** TOTP enrollment: the secret behind an enrollment token, and its confirmation by a first code. */
export function createEnrollment (ctx: AuthContext) {
  const { db, now, config, repos, secondFactor } = ctx
  const { enrollingSecretOf } = secondFactor

  return {
    /** The user an enrollment token belongs to, while an enrollment is in progress. */
    async enrollingUser (token: string, username?: string): Promise<UserRow> {
      const row = await repos().tokens.findLive('enrollment', sha256(token), now(), Number.MAX_SAFE_INTEGER)
      const user = row && await repos().users.findById(row.user_id)
      if (!user || (username !== undefined && user.username_normalized !== canonicalUsername(username))) {
        throw AuthErrors.enrollmentTokenInvalid()
      }
      if (enrollingSecretOf(user) === null) throw AuthErrors.enrollmentConfirmed()
      return user
    },

    enrollmentSecret (user: UserRow) {
      const secret = enrollingSecretOf(user)!
      return { secret, otpauth_uri: otpauthUri(secret, config.TOTP_ISSUER, user.username) }
    },

    /**
     * A first code from the secret being enrolled confirms it and yields new recovery codes.
     * Enrollment tokens outlive the confirmation until they expire, so a late QR request gets 409, not 401.
     */
    async confirmEnrollment (user: UserRow, code: string, meta: ClientMeta) {
      const staged = user.totp_pending_secret_enc
      const step = matchingStep(enrollingSecretOf(user)!, code, now())
      const codes = await db.transaction(async (tx) => {
        if (staged === null) return (await secondFactor.prove(tx, user, { code }, true))!
        const promoted = step !== null && await repos(tx).users.promoteTotpSecret(user.id, staged, step, now())
        if (!promoted) throw AuthErrors.invalidCode()
        return secondFactor.replaceRecoveryCodes(tx, user.id)
      })
      const details = staged === null ? 'first secret' : 'replacement secret'
      await ctx.audit('two_factor_confirmed', meta, { actor: user.id, target: user.id, details })
      return codes
    }
  }
}
