import type { AuthUser } from '../../sessions/auth-user.js'
import type { ClientMeta } from '../../sessions/client-meta.js'
import type { AuthContext } from '../auth-context.js'
import type { SecondFactor } from '../second-factor.js'

/** Replacing the TOTP secret, behind the password and the current second factor. */
export function createTwoFactorReset (ctx: AuthContext) {
  const { db, now, repos, secondFactor, sessions, throttled } = ctx

  return {
    /**
     * Stages a new secret, returned only here (with an enrollment token) until a code from
     * it is confirmed; meanwhile the current secret and recovery codes keep working, so the
     * password alone never opens the account. Outstanding one-time tokens and every session end.
     */
    async resetTwoFactor (caller: AuthUser, body: { password: string } & SecondFactor, meta: ClientMeta) {
      const user = await ctx.userById(caller.id)
      await throttled(user.username_normalized, user.id, meta, true, async () => {
        await ctx.checkPassword(user, body.password)
        await db.transaction(async (tx) => {
          await secondFactor.prove(tx, user, body, false)
          await repos(tx).users.stageTotpSecret(user.id, secondFactor.sealFor(user), now())
          await repos(tx).tokens.revokeAll(user.id, now()) // mfa and enrollment tokens handed out before stop working
        })
      })
      await sessions.revokeAll(user.id, 'two_factor_reset', meta)
      return ctx.enrollmentOf(await ctx.userById(user.id))
    }
  }
}
