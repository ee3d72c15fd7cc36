import { Type } from '@sinclair/typebox'
import { Int32, Text } from './common.js'
import { codeOrRecovery } from './auth.js'

/** The factors an account can prove in a second step or a step-up. */
export const FACTORS = ['totp', 'webauthn', 'recovery_code'] as const
export const Factor = Type.Union(FACTORS.map((f) => Type.Literal(f)))

export const StepUpRequest = Type.Object(
  { ...codeOrRecovery, webauthn: Type.Optional(Type.Ref('AuthenticationResponseJSON')) },
  {
    $id: 'StepUpRequest',
    additionalProperties: false,
    description: 'one factor: a current TOTP code, a recovery code or a passkey assertion',
    examples: [{ code: '123456' }]
  }
)

export const StepUpOptions = Type.Object(
  {
    factors: Type.Array(Factor, {
      maxItems: FACTORS.length,
      uniqueItems: true,
      description: 'what this account can step up with'
    }),
    webauthn_options: Type.Optional(
      Type.Ref('PublicKeyCredentialRequestOptionsJSON', {
        description: 'when the account has passkeys: for `webauthn`'
      })
    )
  },
  { $id: 'StepUpOptions', additionalProperties: false }
)

export const AccessTokenResponse = Type.Object(
  {
    access_token: Text(4096, {
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      description: 'JWT for the same session with a fresh `auth_time` and the `amr`/`acr` of what was just proven'
    }),
    token_type: Type.Literal('Bearer'),
    expires_in: Int32({ description: 'access token lifetime in seconds' })
  },
  {
    $id: 'AccessTokenResponse',
    additionalProperties: false,
    description: 'the refresh token is unchanged; refreshes keep the new auth_time'
  }
)
