import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import type { UserRow } from '../users/users-repository.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import type { Throttled } from '../step-up/step-up-service.js'
import { AuthErrors } from '../auth/errors.js'
import type { PasskeyService } from './passkey-service.js'

export interface Tokens { access_token: string, refresh_token: string, token_type: 'Bearer', expires_in: number }

export interface PasskeyLoginDeps {
  passkeys: Pick<PasskeyService, 'ownerOf' | 'verifyAssertion' | 'assertionOptions'>
  findUser: (id: number) => Promise<UserRow | undefined>
  throttled: Throttled
  /** A completed login: a new session proven by a user-verified passkey (amr hwk, user). */
  completeLogin: (user: UserRow, meta: ClientMeta) => Promise<Tokens>
}

/**
 * Usernameless login: the discoverable credential names its account, whose login throttle the
 * attempt goes through like a password; a disabled account is refused after the assertion checks.
 */
export function createPasskeyLogin (deps: PasskeyLoginDeps) {
  return {
    options: () => deps.passkeys.assertionOptions('login', null),

    async login (response: AuthenticationResponseJSON, meta: ClientMeta) {
      const ownerId = await deps.passkeys.ownerOf(response.id)
      const user = ownerId === null ? undefined : await deps.findUser(ownerId)
      if (!user) {
        await deps.passkeys.verifyAssertion('login', null, response, meta) // refuses and audits the unknown credential
        throw AuthErrors.invalidCredentials()
      }
      return deps.throttled(user.username_normalized, user.id, meta, true, async () => {
        await deps.passkeys.verifyAssertion('login', null, response, meta)
        if (user.disabled_at !== null) throw AuthErrors.accountDisabled()
        return deps.completeLogin(user, meta)
      })
    }
  }
}

export type PasskeyLogin = ReturnType<typeof createPasskeyLogin>
