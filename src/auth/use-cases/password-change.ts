import type { AuthUser } from '../../sessions/auth-user.js'
import type { ClientMeta } from '../../sessions/client-meta.js'
import type { AuthContext } from '../auth-context.js'
import type { SecondFactor } from '../second-factor.js'

type PasswordChange = { current_password: string, new_password: string } & SecondFactor

/** A new password, behind the current one and a second factor. */
export function createPasswordChange (ctx: AuthContext) {
  const { db, now, hasher, repos, secondFactor, sessions, throttled } = ctx

  return {
    /** Needs the current password and a code; ends every other session (ASVS 7.4.3). */
    async changePassword (caller: AuthUser, body: PasswordChange, meta: ClientMeta) {
      const user = await ctx.userById(caller.id)
      ctx.refuseWeak(body.new_password, user.username, '/body/new_password')
      await throttled(user.username_normalized, user.id, meta, true, async () => {
        await ctx.checkPassword(user, body.current_password)
        const passwordHash = await hasher.hash(body.new_password)
        await db.transaction(async (tx) => {
          await secondFactor.prove(tx, user, body, false)
          await repos(tx).users.setPasswordHash(user.id, passwordHash, now())
          await repos(tx).tokens.revokeAll(user.id, now()) // mfa and enrollment tokens handed out before stop working
        })
      })
      await sessions.revokeAll(user.id, 'password_changed', meta, { exceptSid: caller.sid })
    }
  }
}
