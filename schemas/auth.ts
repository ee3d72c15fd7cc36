import { Type } from '@sinclair/typebox'
import { RowId, Int32, Text, Timestamp } from './common.js'
import { RoleNames } from './users.js'

export const Username = Type.String({
  minLength: 3,
  maxLength: 50,
  pattern: '^[A-Za-z0-9._-]+$',
  description:
    '3 to 50 letters, digits, `.`, `_` or `-`; unique by its canonical form (case and width folded, RFC 8265)',
  examples: ['testuser']
})
export const NewPassword = Type.String({
  minLength: 8,
  maxLength: 128,
  description:
    '8 to 128 characters, any characters, no composition rules; common passwords and ones containing the username ' +
      'are refused',
  examples: ['securepassword']
})
const Password = Type.String({ minLength: 1, maxLength: 128, examples: ['securepassword'] })
const TotpCode = Type.String({
  pattern: '^[0-9]{6}$',
  maxLength: 6,
  description: 'the 6-digit code from the authenticator app',
  examples: ['123456']
})
const RecoveryCodeText = { minLength: 16, maxLength: 64 }
const RecoveryCode = Type.String({
  ...RecoveryCodeText,
  description: 'one of the recovery codes, instead of `code`; each works once',
  examples: ['abcd-efgh-jkmn-pqrs']
})
const Seconds = Int32({ description: 'lifetime in seconds' })
/** Tokens the service issues: 32 random bytes, base64url. */
const IssuedToken = (description: string) => Text(100, { description })
/** A QR code of the longest otpauth URI (issuer and username at their maximum) stays well below this. */
export const QR_MAX = 65536
/** What the authenticator app needs; the secret is 20 random bytes in base32. */
const OtpauthUri = (options = {}) => Text(2048, { format: 'uri', ...options })
const TotpSecret = (options = {}) => Text(64, { pattern: '^[A-Z2-7]+=*$', ...options })

export const RegisterRequest = Type.Object(
  { username: Username, password: NewPassword },
  {
    $id: 'RegisterRequest',
    additionalProperties: false,
    examples: [{ username: 'testuser', password: 'securepassword' }]
  }
)

export const User = Type.Object(
  {
    id: RowId({ examples: [1] }),
    username: Text(50, { examples: ['testuser'] }),
    roles: RoleNames({ examples: [['editor']] }),
    created_at: Timestamp()
  },
  { $id: 'User', additionalProperties: false }
)

export const Enrollment = Type.Object(
  {
    otpauth_uri: OtpauthUri({
      description: 'otpauth:// URI to put in an authenticator app (what the QR code holds)',
      examples: [
        'otpauth://totp/secure-api:testuser?issuer=secure-api&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30'
      ]
    }),
    secret: TotpSecret({
      description: 'the base32 TOTP secret, for typing in by hand; never shown again once 2FA is confirmed'
    }),
    enrollment_token: IssuedToken(
      'bearer token for `GET /auth/generate_qr/{username}` and `POST /auth/2fa/verify`; nothing else accepts it'
    ),
    expires_in: Seconds
  },
  { $id: 'Enrollment', additionalProperties: false }
)

export const RegisterResponse = Type.Object(
  { user: Type.Ref('User'), enrollment: Type.Ref('Enrollment') },
  { $id: 'RegisterResponse', additionalProperties: false }
)

export const QrCode = Type.Object(
  {
    otpauth_uri: OtpauthUri(),
    secret: TotpSecret(),
    qr_png: Text(QR_MAX, { pattern: '^data:image/png;base64,', description: 'data: URL of the PNG QR code' }),
    qr_svg: Text(QR_MAX, { pattern: '^<svg', description: 'the QR code as an SVG document' })
  },
  { $id: 'QrCode', additionalProperties: false }
)

export const UsernameParams = Type.Object({ username: Username }, { additionalProperties: false })

export const codeOrRecovery = { code: Type.Optional(TotpCode), recovery_code: Type.Optional(RecoveryCode) }

export const EnrollmentVerifyRequest = Type.Object(
  { code: TotpCode },
  { $id: 'EnrollmentVerifyRequest', additionalProperties: false, examples: [{ code: '123456' }] }
)

export const RecoveryCodes = Type.Object(
  {
    recovery_codes: Type.Array(Type.String(RecoveryCodeText), {
      minItems: 10,
      maxItems: 10,
      description: 'shown once: store them somewhere safe; each works once in place of a code'
    })
  },
  { $id: 'RecoveryCodes', additionalProperties: false }
)

const LoginName = Type.String({
  minLength: 1,
  maxLength: 50,
  examples: ['testuser'],
  description:
    'any spelling of the username: width, case and composition are folded (RFC 8265 UsernameCaseMapped); what ' +
      'then is not a username is a 400'
})

export const LoginRequest = Type.Object(
  { username: LoginName, password: Password, ...codeOrRecovery },
  {
    $id: 'LoginRequest',
    additionalProperties: false,
    examples: [
      { username: 'testuser', password: 'securepassword' },
      { username: 'testuser', password: 'securepassword', code: '123456' }
    ]
  }
)

export const MfaChallenge = Type.Object(
  {
    mfa_required: Type.Literal(true),
    mfa_token: IssuedToken('send it with a code to `POST /auth/login/2fa`; single use; nothing else accepts it'),
    expires_in: Seconds,
    factors: Type.Array(Type.Union(['totp', 'webauthn', 'recovery_code'].map((f) => Type.Literal(f))), {
      maxItems: 3,
      uniqueItems: true,
      description: 'the second factors this account has'
    }),
    webauthn_options: Type.Optional(
      Type.Ref('PublicKeyCredentialRequestOptionsJSON', {
        description: 'when the account has passkeys: sign them and send the result as `webauthn`'
      })
    )
  },
  { $id: 'MfaChallenge', additionalProperties: false }
)

export const EnrollmentRequired = Type.Object(
  {
    enrollment_required: Type.Literal(true),
    enrollment_token: IssuedToken('fetch the QR code again with it, then log in with a code'),
    expires_in: Seconds
  },
  { $id: 'EnrollmentRequired', additionalProperties: false }
)

export const TokenResponse = Type.Object(
  {
    access_token: Text(4096, {
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      description: 'JWT (RS256, typ at+jwt) for `Authorization: Bearer`'
    }),
    refresh_token: IssuedToken('opaque; send it to `POST /auth/refresh` for new tokens; works once'),
    token_type: Type.Literal('Bearer'),
    expires_in: Int32({ description: 'access token lifetime in seconds' }),
    recovery_codes: Type.Optional(
      Type.Array(Type.String(RecoveryCodeText), {
        minItems: 10,
        maxItems: 10,
        description: 'present only when this login confirmed a pending 2FA enrollment; shown once'
      })
    )
  },
  { $id: 'TokenResponse', additionalProperties: false }
)

export const LoginResponse = Type.Union(
  [Type.Ref('TokenResponse'), Type.Ref('MfaChallenge'), Type.Ref('EnrollmentRequired')],
  { $id: 'LoginResponse', description: 'tokens when a code was sent, else what the second step needs' }
)

export const Login2faRequest = Type.Object(
  {
    mfa_token: Type.String({ minLength: 1, maxLength: 100 }),
    ...codeOrRecovery,
    webauthn: Type.Optional(
      Type.Ref('AuthenticationResponseJSON', {
        description: 'a passkey assertion for the `webauthn_options` of the mfa_required answer'
      })
    )
  },
  {
    $id: 'Login2faRequest',
    additionalProperties: false,
    examples: [{ mfa_token: '<mfa_token from /auth/login>', code: '123456' }]
  }
)

export const SecondFactorProof = Type.Object(
  { password: Password, ...codeOrRecovery },
  {
    $id: 'SecondFactorProof',
    additionalProperties: false,
    description: 'the password and a current code (or a recovery code)',
    examples: [{ password: 'securepassword', code: '123456' }]
  }
)

export const ChangePasswordRequest = Type.Object(
  { current_password: Password, new_password: NewPassword, ...codeOrRecovery },
  {
    $id: 'ChangePasswordRequest',
    additionalProperties: false,
    examples: [{ current_password: 'securepassword', new_password: 'a much longer passphrase', code: '123456' }]
  }
)
