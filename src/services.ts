import type { Config } from './config.js'
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

export interface ServiceDeps {
  db: Driver
  /** Milliseconds since the epoch: every time-dependent decision reads it (tests move it). */
  now: () => number
  config: Config
  keys: Pick<Keys, 'totp' | 'signing'>
  hasher: PasswordHasher
}

/**
 * The composition root: every service, built once from narrow dependencies. The app decorates
 * the result (plugins/app/services.ts); the command line builds it the same way (cli.ts).
 */
export function createServices ({ db, now, config, keys, hasher }: ServiceDeps) {
  const throttle = createLoginThrottle({ db, now, config })
  const sign = createAccessTokenSigner(keys.signing,
    { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL })
  const sessions = createSessionService({ db, now, config, sign, throttle })
  return {
    throttle,
    sessions,
    auth: createAuthService({ db, now, config, hasher, totpKey: keys.totp, sessions, throttle }),
    admin: createAdminService({ db, now, sessions, throttle }),
    products: createProductService({ db, now }),
    audit: createAuditService({ db })
  }
}

export type Services = ReturnType<typeof createServices>
