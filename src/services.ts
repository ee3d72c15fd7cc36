import type { Config } from './config.js'
import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import type { Driver } from './db/driver.js'
import type { Keys } from './tokens/keys.js'
import type { PasswordHasher } from './auth/passwords.js'
import { createAccessTokenSigner } from './tokens/access-token-signer.js'
import { createLoginThrottle } from './auth/login-throttle.js'
import { createSessionService } from './sessions/session-service.js'
import { createAuthService } from './auth/auth-service.js'
import { createAdminService } from './users/admin-service.js'
import { createProductService } from './products/products-service.js'
import { createAuditService } from './audit/audit-service.js'
import { createAuditRepository } from './audit/audit-repository.js'
import { createUserRepository } from './users/users-repository.js'
import { webauthnOrigins } from './config.js'
import { createSecondFactor } from './auth/second-factor.js'
import { createThrottledAttempt } from './auth/throttled-attempt.js'
import { createPasskeyService } from './passkeys/passkey-service.js'
import { createPasskeyLogin } from './passkeys/passkey-login.js'
import { createStepUpService } from './step-up/step-up-service.js'
import { createApiKeyService } from './api-keys/api-keys-service.js'

export interface ServiceDeps {
  db: Driver
  /** Milliseconds since the epoch: every time-dependent decision reads it (tests move it). */
  now: () => number
  config: Config
  keys: Pick<Keys, 'totp' | 'signing'>
  hasher: PasswordHasher
  /** Where work that no request waits for reports its failure (the app's log). */
  reportError: (err: unknown, message: string) => void
}

/**
 * The composition root: every service, built once from narrow dependencies. The app decorates
 * the result (plugins/app/services.ts); the command line builds it the same way (cli.ts).
 */
export function createServices ({ db, now, config, keys, hasher, reportError }: ServiceDeps) {
  const throttle = createLoginThrottle({ db, now, config })
  const sign = createAccessTokenSigner(keys.signing, {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL
  })
  const sessions = createSessionService({ db, now, config, sign, throttle })
  const audit = createAuditRepository(db)
  const users = createUserRepository(db)
  const record: Parameters<typeof createPasskeyService>[0]['audit'] = (event, meta, who) =>
    audit.record(event, now(), meta, who)
  const apiKeys = createApiKeyService({ db, now, config, reportError })
  const throttled = createThrottledAttempt({ db, now, throttle, pseudonymKey: keys.totp })
  const passkeys = createPasskeyService({
    db,
    now,
    config: {
      rpId: config.WEBAUTHN_RP_ID,
      rpName: config.WEBAUTHN_RP_NAME || config.TOTP_ISSUER,
      origins: webauthnOrigins(config)
    },
    audit: record
  })
  return {
    throttle,
    sessions,
    passkeys,
    passkeyLogin: createPasskeyLogin({
      passkeys,
      findUser: (id) => users.findById(id),
      throttled,
      completeLogin: async (user, meta) => {
        const { sid, tokens } = await sessions.start(user.id, await users.rolesOf(user.id), meta, ['hwk', 'user'])
        await record('login_succeeded', meta, { actor: user.id, target: user.id, sessionId: sid, details: 'passkey' })
        return tokens
      }
    }),
    stepUp: createStepUpService({
      db,
      findUser: (id) => users.findById(id),
      prove: createSecondFactor({ totpKey: keys.totp, now }).prove,
      throttled,
      renew: (user, amr) => sessions.renewAuthentication(user, amr),
      audit: record,
      passkeys: {
        has: (userId) => passkeys.has(userId),
        options: (userId) => passkeys.assertionOptions('step_up', userId),
        verify: async (userId, response, meta) => {
          await passkeys.verifyAssertion('step_up', userId, response as AuthenticationResponseJSON, meta)
        }
      }
    }),
    auth: createAuthService({ db, now, config, hasher, totpKey: keys.totp, sessions, throttle, passkeys }),
    // what the admin changes (roles, disabled) reaches this instance's cache of sessions and of API keys at once;
    // disabling stops every key of the user without revoking them
    admin: createAdminService({
      db,
      now,
      sessions: {
        forgetUser: (id) => {
          sessions.forgetUser(id)
          apiKeys.forgetUser(id)
        },
        revokeAll: sessions.revokeAll
      },
      throttle
    }),
    apiKeys,
    products: createProductService({ db, now }),
    audit: createAuditService({ db })
  }
}

export type Services = ReturnType<typeof createServices>
