import { Value } from '@sinclair/typebox/value'
import { NewPassword, Username } from '../../../schemas/auth.js'
import type { Role } from '../../../schemas/access.js'
import { isUniqueViolation } from '../../db/errors.js'
import { ApiError, Errors } from '../../errors.js'
import type { UserRow } from '../../users/users-repository.js'
import type { ClientMeta } from '../../sessions/client-meta.js'
import type { AuthContext } from '../auth-context.js'
import { AuthErrors } from '../errors.js'
import { canonicalUsername, invalidUsername } from '../username.js'

/** Self-registration, and accounts an operator creates (CLI, ADMIN_USERNAME). */
export function createRegistration (ctx: AuthContext) {
  const { db, now, config, hasher, repos } = ctx

  async function publicUser (user: UserRow) {
    const roles = await repos().users.rolesOf(user.id)
    return { id: user.id, username: user.username, roles, created_at: new Date(user.created_at).toISOString() }
  }

  /**
   * A new account with a pending TOTP enrollment: self-registration, or an administrator from
   * the CLI or ADMIN_USERNAME, whose name and password get the registration body's checks here.
   */
  async function createAccount (username: string, password: string, role: Role, meta: ClientMeta) {
    const fields = [['username', Username, username], ['password', NewPassword, password]] as const
    for (const [field, schema, value] of fields) {
      const error = Value.Errors(schema, value).First()
      if (error) {
        const { code, title } = Errors.validation
        throw new ApiError(400, code, title, `Invalid ${field}: ${error.message}`, {},
          [{ pointer: `/body/${field}`, message: error.message }])
      }
    }
    ctx.refuseWeak(password, username, '/body/password')
    const normalized = canonicalUsername(username)
    if (normalized === null) throw invalidUsername('/body/username')
    if (await repos().users.findByUsername(normalized)) throw AuthErrors.usernameTaken()
    const passwordHash = await hasher.hash(password)
    const totpSecretEnc = ctx.secondFactor.sealFor({ username_normalized: normalized })
    let id: number
    try {
      id = await db.transaction((tx) => repos(tx).users.create({
        username, usernameNormalized: normalized, passwordHash, totpSecretEnc, role, now: now()
      }))
    } catch (err) {
      if (isUniqueViolation(err)) throw AuthErrors.usernameTaken()
      throw err
    }
    const user = await ctx.userById(id)
    await ctx.audit('registered', meta, { target: id, details: `role ${role}` })
    return { user: await publicUser(user), enrollment: await ctx.enrollmentOf(user) }
  }

  return {
    createAccount,

    async register (username: string, password: string, meta: ClientMeta) {
      if (config.REGISTRATION === 'closed') throw AuthErrors.registrationClosed('Ask an administrator for an account')
      // admitted whole: past the hash gate's bound it is refused at once, before any query
      return hasher.admit(() => createAccount(username, password, config.DEFAULT_ROLE, meta))
    }
  }
}
