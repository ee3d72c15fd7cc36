import type { Config } from '../config.js'
import type { Driver, Executor } from '../db/driver.js'
import { ApiError } from '../errors.js'
import { createUserRepository, type UserRow } from '../users/users-repository.js'
import { createAuditRepository, type AuditEventName, type AuditWho } from '../audit/audit-repository.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import type { SessionService } from '../sessions/session-service.js'
import { AuthErrors } from './errors.js'
import { createAuthTokenRepository, type AuthTokenPurpose } from './auth-tokens-repository.js'
import type { LoginThrottle } from './login-throttle.js'
import { newOpaqueToken, sha256 } from './opaque.js'
import { passwordWeakness, type PasswordHasher } from './passwords.js'
import { createSecondFactor, type SecondFactor } from './second-factor.js'
import { createThrottledAttempt } from './throttled-attempt.js'
import { otpauthUri } from './totp.js'
import type { PasskeyService } from '../passkeys/passkey-service.js'

export interface AuthDeps {
  db: Driver
  now: () => number
  config: Pick<Config, 'REGISTRATION' | 'DEFAULT_ROLE' | 'ENROLLMENT_TOKEN_TTL' | 'MFA_TOKEN_TTL' | 'TOTP_ISSUER'>
  hasher: PasswordHasher
  /** Seals TOTP secrets and keys the audit pseudonyms. */
  totpKey: Buffer
  sessions: Pick<SessionService, 'start' | 'revokeAll'>
  throttle: LoginThrottle
  /** Passkeys as the second login step. */
  passkeys: Pick<PasskeyService, 'has' | 'assertionOptions' | 'verifyAssertion'>
}

/** What every account use case (src/auth/use-cases/) shares: its dependencies and the steps they have in common. */
export function createAuthContext (deps: AuthDeps) {
  const { db, now, config, hasher, totpKey, sessions, throttle } = deps
  const repos = (ex: Executor = db) => ({ users: createUserRepository(ex), tokens: createAuthTokenRepository(ex) })
  const audit = (event: AuditEventName, meta: ClientMeta, who: AuditWho) =>
    createAuditRepository(db).record(event, now(), meta, who)
  const secondFactor = createSecondFactor({ totpKey, now })

  function refuseWeak (password: string, username: string, pointer: string) {
    const weakness = passwordWeakness(password, username)
    if (weakness) {
      const { code, title } = AuthErrors.weakPassword
      throw new ApiError(400, code, title, `The password ${weakness}`, {}, [{ pointer, message: weakness }])
    }
  }

  async function issueOpaque (purpose: AuthTokenPurpose, userId: number, ttl: number) {
    const token = newOpaqueToken()
    await repos().tokens.create(purpose, sha256(token), userId, now() + ttl * 1000, now())
    return { token, expires_in: ttl }
  }

  /** The secret being enrolled, as a QR code's URI, with a new enrollment token. */
  async function enrollmentOf (user: UserRow) {
    const secret = secondFactor.enrollingSecretOf(user)!
    const issued = await issueOpaque('enrollment', user.id, config.ENROLLMENT_TOKEN_TTL)
    const uri = otpauthUri(secret, config.TOTP_ISSUER, user.username)
    return { otpauth_uri: uri, secret, enrollment_token: issued.token, expires_in: issued.expires_in }
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
    const passkey = proof.webauthn !== undefined
    const { sid, tokens } = await sessions.start(
      user.id,
      await repos().users.rolesOf(user.id),
      meta,
      passkey ? ['pwd', 'hwk', 'user'] : ['pwd', 'otp']
    )
    const who = { actor: user.id, target: user.id, sessionId: sid }
    if (recoveryCodes) await audit('two_factor_confirmed', meta, who)
    if (proof.recovery_code !== undefined) await audit('recovery_code_used', meta, who)
    const details = passkey ? 'passkey' : proof.recovery_code !== undefined ? 'recovery code' : 'totp'
    await audit('login_succeeded', meta, { ...who, details })
    return { ...tokens, ...(recoveryCodes && { recovery_codes: recoveryCodes }) }
  }

  async function userById (id: number): Promise<UserRow> {
    const user = await repos().users.findById(id)
    if (!user) throw AuthErrors.invalidCredentials()
    return user
  }

  return {
    ...deps,
    repos,
    audit,
    secondFactor,
    throttled: createThrottledAttempt({ db, now, throttle, pseudonymKey: totpKey }),
    refuseWeak,
    issueOpaque,
    enrollmentOf,
    checkPassword,
    tokensFor,
    userById
  }
}

export type AuthContext = ReturnType<typeof createAuthContext>
