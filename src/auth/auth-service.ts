import type { FastifyInstance } from 'fastify'
import { Value } from '@sinclair/typebox/value'
import { NewPassword, Username } from '../../schemas/auth.js'
import type { Role } from '../../schemas/access.js'
import type { Executor } from '../db/driver.js'
import { isUniqueViolation } from '../db/errors.js'
import { ApiError, Errors } from '../errors.js'
import { createUserRepository, type UserRow } from '../users/users-repository.js'
import { AuthErrors } from './errors.js'
import { createAuthTokenRepository, type AuthTokenPurpose } from './auth-tokens-repository.js'
import { newOpaqueToken, sha256 } from './opaque.js'
import { passwordWeakness, type PasswordHasher } from './passwords.js'
import { createSecondFactor, type SecondFactor } from './second-factor.js'
import { createThrottledAttempt } from './throttled-attempt.js'
import { canonicalUsername, invalidUsername } from './username.js'
import { matchingStep, otpauthUri } from './totp.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import { createAuditRepository, type AuditEventName, type AuditWho } from '../audit/audit-repository.js'
import type { AuthUser } from '../plugins/jwt.js'

/** Tries an mfa_token allows before the password step must be redone. */
export const MFA_TOKEN_MAX_ATTEMPTS = 5

/** Registration, enrollment, login and the account operations that need the second factor. */
export function createAuthService (app: FastifyInstance, hasher: PasswordHasher) {
  const { db, config } = app
  const repos = (ex: Executor = db) => ({ users: createUserRepository(ex), tokens: createAuthTokenRepository(ex) })
  const audit = (event: AuditEventName, meta: ClientMeta, who: AuditWho) => createAuditRepository(db).record(event, app.now(), meta, who)
  const throttled = createThrottledAttempt(app)
  const secondFactor = createSecondFactor(app)
  const { enrollingSecretOf, replaceRecoveryCodes, sealFor } = secondFactor

  function refuseWeak (password: string, username: string, pointer: string) {
    const weakness = passwordWeakness(password, username)
    if (weakness) {
      throw new ApiError(400, AuthErrors.weakPassword.code, AuthErrors.weakPassword.title, `The password ${weakness}`, {}, [{ pointer, message: weakness }])
    }
  }

  async function issueOpaque (purpose: AuthTokenPurpose, userId: number, ttl: number) {
    const token = newOpaqueToken()
    await repos().tokens.create(purpose, sha256(token), userId, app.now() + ttl * 1000, app.now())
    return { token, expires_in: ttl }
  }

  async function enrollmentOf (user: UserRow) {
    const secret = enrollingSecretOf(user)!
    const { token, expires_in } = await issueOpaque('enrollment', user.id, config.ENROLLMENT_TOKEN_TTL)
    return { otpauth_uri: otpauthUri(secret, config.TOTP_ISSUER, user.username), secret, enrollment_token: token, expires_in }
  }

  async function publicUser (user: UserRow) {
    return { id: user.id, username: user.username, roles: await repos().users.rolesOf(user.id), created_at: new Date(user.created_at).toISOString() }
  }

  /**
   * The user behind a username and password; unknown users cost one argon2 verification too.
   * A disabled account is told so only to whoever knows its password.
   */
  async function checkPassword (user: UserRow | undefined, password: string): Promise<UserRow> {
    const ok = await hasher.verify(user?.password_hash, password)
    if (!ok || !user) throw AuthErrors.invalidCredentials()
    if (user.disabled_at !== null) throw AuthErrors.accountDisabled()
    return user
  }

  /** A completed login: a new session with its tokens. */
  async function tokensFor (user: UserRow, meta: ClientMeta, proof: SecondFactor, recoveryCodes?: string[]) {
    const { sid, tokens } = await app.sessions.start(user.id, await repos().users.rolesOf(user.id), meta, ['pwd', 'otp'])
    const who = { actor: user.id, target: user.id, sessionId: sid }
    if (recoveryCodes) await audit('two_factor_confirmed', meta, who)
    if (proof.recovery_code !== undefined) await audit('recovery_code_used', meta, who)
    await audit('login_succeeded', meta, { ...who, details: proof.recovery_code !== undefined ? 'recovery code' : 'totp' })
    return { ...tokens, ...(recoveryCodes && { recovery_codes: recoveryCodes }) }
  }

  async function userById (id: number): Promise<UserRow> {
    const user = await repos().users.findById(id)
    if (!user) throw AuthErrors.invalidCredentials()
    return user
  }

  /**
   * A new account with a pending TOTP enrollment: self-registration, or an administrator from
   * the CLI or ADMIN_USERNAME, whose name and password get the registration body's checks here.
   */
  async function createAccount (username: string, password: string, role: Role, meta: ClientMeta) {
    for (const [field, schema, value] of [['username', Username, username], ['password', NewPassword, password]] as const) {
      const error = Value.Errors(schema, value).First()
      if (error) throw new ApiError(400, Errors.validation.code, Errors.validation.title, `Invalid ${field}: ${error.message}`, {}, [{ pointer: `/body/${field}`, message: error.message }])
    }
    refuseWeak(password, username, '/body/password')
    const normalized = canonicalUsername(username)
    if (normalized === null) throw invalidUsername('/body/username')
    if (await repos().users.findByUsername(normalized)) throw AuthErrors.usernameTaken()
    const passwordHash = await hasher.hash(password)
    let id: number
    try {
      id = await db.transaction((tx) => repos(tx).users.create({
        username, usernameNormalized: normalized, passwordHash, totpSecretEnc: sealFor({ username_normalized: normalized }), role, now: app.now()
      }))
    } catch (err) {
      if (isUniqueViolation(err)) throw AuthErrors.usernameTaken()
      throw err
    }
    const user = await userById(id)
    await audit('registered', meta, { target: id, details: `role ${role}` })
    return { user: await publicUser(user), enrollment: await enrollmentOf(user) }
  }

  return {
    createAccount,

    async register (username: string, password: string, meta: ClientMeta) {
      if (config.REGISTRATION === 'closed') throw AuthErrors.registrationClosed('Ask an administrator for an account')
      return createAccount(username, password, config.DEFAULT_ROLE, meta)
    },

    /** The user an enrollment token belongs to, while an enrollment is in progress. */
    async enrollingUser (token: string, username?: string): Promise<UserRow> {
      const row = await repos().tokens.findLive('enrollment', sha256(token), app.now(), Number.MAX_SAFE_INTEGER)
      const user = row && await repos().users.findById(row.user_id)
      if (!user || (username !== undefined && user.username_normalized !== canonicalUsername(username))) throw AuthErrors.enrollmentTokenInvalid()
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
      const step = matchingStep(enrollingSecretOf(user)!, code, app.now())
      const codes = await db.transaction(async (tx) => {
        if (staged === null) return (await secondFactor.prove(tx, user, { code }, true))!
        if (step === null || !await repos(tx).users.promoteTotpSecret(user.id, staged, step, app.now())) throw AuthErrors.invalidCode()
        return replaceRecoveryCodes(tx, user.id)
      })
      await audit('two_factor_confirmed', meta, { actor: user.id, target: user.id, details: staged === null ? 'first secret' : 'replacement secret' })
      return codes
    },

    async login (body: { username: string, password: string } & SecondFactor, meta: ClientMeta) {
      const name = canonicalUsername(body.username)
      if (name === null) throw invalidUsername('/body/username')
      const found = await repos().users.findByUsername(name)
      const passwordOnly = body.code === undefined && body.recovery_code === undefined
      return throttled(name, found?.id ?? null, meta, !passwordOnly, async () => {
        const user = await checkPassword(found, body.password)
        if (passwordOnly) {
          if (user.totp_confirmed_at === null) {
            const { token, expires_in } = await issueOpaque('enrollment', user.id, config.ENROLLMENT_TOKEN_TTL)
            return { enrollment_required: true as const, enrollment_token: token, expires_in }
          }
          const { token, expires_in } = await issueOpaque('mfa', user.id, config.MFA_TOKEN_TTL)
          return { mfa_required: true as const, mfa_token: token, expires_in }
        }
        const codes = await db.transaction((tx) => secondFactor.prove(tx, user, body, true))
        return tokensFor(user, meta, body, codes)
      })
    },

    /**
     * Second step. Each try first takes one of the token's attempts in a single conditional
     * UPDATE, so concurrent guesses cannot exceed the cap; the token is spent in the same
     * transaction that accepts the code.
     */
    async loginWithMfaToken (body: { mfa_token: string } & SecondFactor, meta: ClientMeta) {
      const hash = sha256(body.mfa_token)
      const row = await repos().tokens.findLive('mfa', hash, app.now(), MFA_TOKEN_MAX_ATTEMPTS)
      if (!row || !await repos().tokens.takeAttempt('mfa', hash, app.now(), MFA_TOKEN_MAX_ATTEMPTS)) throw AuthErrors.mfaTokenInvalid()
      const user = await userById(row.user_id)
      if (user.disabled_at !== null) throw AuthErrors.accountDisabled()
      return throttled(user.username_normalized, user.id, meta, true, async () => {
        await db.transaction(async (tx) => {
          if (!await repos(tx).tokens.consume(hash, app.now())) throw AuthErrors.mfaTokenInvalid()
          await secondFactor.prove(tx, user, body, false)
        })
        return tokensFor(user, meta, body)
      })
    },

    async regenerateRecoveryCodes (caller: AuthUser, body: { password: string } & SecondFactor, meta: ClientMeta) {
      const user = await userById(caller.id)
      const codes = await throttled(user.username_normalized, user.id, meta, true, async () => {
        await checkPassword(user, body.password)
        return db.transaction(async (tx) => {
          await secondFactor.prove(tx, user, body, false)
          return replaceRecoveryCodes(tx, user.id)
        })
      })
      await audit('recovery_codes_regenerated', meta, { actor: user.id, target: user.id })
      return codes
    },

    /**
     * Stages a new secret, returned only here (with an enrollment token) until a code from
     * it is confirmed; meanwhile the current secret and recovery codes keep working, so the
     * password alone never opens the account. Outstanding one-time tokens and every session end.
     */
    async resetTwoFactor (caller: AuthUser, body: { password: string } & SecondFactor, meta: ClientMeta) {
      const user = await userById(caller.id)
      await throttled(user.username_normalized, user.id, meta, true, async () => {
        await checkPassword(user, body.password)
        await db.transaction(async (tx) => {
          await secondFactor.prove(tx, user, body, false)
          await repos(tx).users.stageTotpSecret(user.id, sealFor(user), app.now())
          await repos(tx).tokens.revokeAll(user.id, app.now()) // mfa and enrollment tokens handed out before stop working
        })
      })
      await app.sessions.revokeAll(user.id, 'two_factor_reset', meta)
      return enrollmentOf(await userById(user.id))
    },

    /** Needs the current password and a code; ends every other session (ASVS 7.4.3). */
    async changePassword (caller: AuthUser, body: { current_password: string, new_password: string } & SecondFactor, meta: ClientMeta) {
      const user = await userById(caller.id)
      refuseWeak(body.new_password, user.username, '/body/new_password')
      await throttled(user.username_normalized, user.id, meta, true, async () => {
        await checkPassword(user, body.current_password)
        const passwordHash = await hasher.hash(body.new_password)
        await db.transaction(async (tx) => {
          await secondFactor.prove(tx, user, body, false)
          await repos(tx).users.setPasswordHash(user.id, passwordHash, app.now())
          await repos(tx).tokens.revokeAll(user.id, app.now()) // mfa and enrollment tokens handed out before stop working
        })
      })
      await app.sessions.revokeAll(user.id, 'password_changed', meta, { exceptSid: caller.sid })
    }
  }
}

export type AuthService = ReturnType<typeof createAuthService>
