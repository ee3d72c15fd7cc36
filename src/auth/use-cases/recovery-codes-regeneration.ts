import type { AuthUser } from '../../sessions/auth-user.js'
import type { ClientMeta } from '../../sessions/client-meta.js'
import type { AuthContext } from '../auth-context.js'
import type { SecondFactor } from '../second-factor.js'

/** New recovery codes (the old ones stop working), behind the password and a second factor. */
export function createRecoveryCodesRegeneration (ctx: AuthContext) {
  const { db, secondFactor, throttled } = ctx

  return {
    async regenerateRecoveryCodes (caller: AuthUser, body: { password: string } & SecondFactor, meta: ClientMeta) {
      const user = await ctx.userById(caller.id)
      const codes = await throttled(user.username_normalized, user.id, meta, true, async () => {
        await ctx.checkPassword(user, body.password)
        return db.transaction(async (tx) => {
          await secondFactor.prove(tx, user, body, false)
          return secondFactor.replaceRecoveryCodes(tx, user.id)
        })
      })
      await ctx.audit('recovery_codes_regenerated', meta, { actor: user.id, target: user.id })
      return codes
    }
  }
}
