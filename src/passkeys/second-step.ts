import type { PasskeyService } from './passkey-service.js'

/**
 * What an `mfa_required` answer offers: the account's factors and, when it has passkeys,
 * request options whose challenge is bound to this account, this mfa_token and the second-step ceremony.
 */
export async function secondStepFactors (
  passkeys: Pick<PasskeyService, 'has' | 'assertionOptions'>, userId: number, mfaTokenHash: string
) {
  if (!await passkeys.has(userId)) return { factors: ['totp' as const, 'recovery_code' as const] }
  return {
    factors: ['totp' as const, 'webauthn' as const, 'recovery_code' as const],
    webauthn_options: await passkeys.assertionOptions('second_factor', userId, mfaTokenHash)
  }
}
