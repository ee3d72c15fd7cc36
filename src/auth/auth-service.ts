import { createAuthContext, type AuthDeps } from './auth-context.js'
import { createRegistration } from './use-cases/registration.js'
import { createEnrollment } from './use-cases/enrollment.js'
import { createLogin } from './use-cases/login.js'
import { createRecoveryCodesRegeneration } from './use-cases/recovery-codes-regeneration.js'
import { createTwoFactorReset } from './use-cases/two-factor-reset.js'
import { createPasswordChange } from './use-cases/password-change.js'

export type { AuthDeps }
export { MFA_TOKEN_MAX_ATTEMPTS } from './use-cases/login.js'

/**
 * Registration, enrollment, login and the account operations that need the second factor:
 * one use case per file (src/auth/use-cases/) over one shared context.
 */
export function createAuthService (deps: AuthDeps) {
  const ctx = createAuthContext(deps)
  return {
    ...createRegistration(ctx),
    ...createEnrollment(ctx),
    ...createLogin(ctx),
    ...createRecoveryCodesRegeneration(ctx),
    ...createTwoFactorReset(ctx),
    ...createPasswordChange(ctx)
  }
}

export type AuthService = ReturnType<typeof createAuthService>
