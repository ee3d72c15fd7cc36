import { Type } from '@sinclair/typebox'

export const Username = Type.String({
  minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9._-]+$',
  description: '3 to 50 letters, digits, `.`, `_` or `-`; unique by its canonical form (case and width folded, RFC 8265)', examples: ['testuser']
})
export const NewPassword = Type.String({
  minLength: 8, maxLength: 128,
  description: '8 to 128 characters, any characters, no composition rules; common passwords and ones containing the username are refused',
  examples: ['securepassword']
})
const Password = Type.String({ minLength: 1, maxLength: 128, examples: ['securepassword'] })
const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code from the authenticator app', examples: ['123456'] })
const RecoveryCode = Type.String({ minLength: 16, maxLength: 64, description: 'one of the recovery codes, instead of `code`; each works once', examples: ['abcd-efgh-jkmn-pqrs'] })
const Seconds = Type.Integer({ minimum: 0, description: 'lifetime in seconds' })

export const RegisterRequest = Type.Object({ username: Username, password: NewPassword },
  { $id: 'RegisterRequest', additionalProperties: false, examples: [{ username: 'testuser', password: 'securepassword' }] })

export const User = Type.Object({
  id: Type.Integer({ examples: [1] }),
  username: Type.String({ examples: ['testuser'] }),
  roles: Type.Array(Type.String(), { examples: [['editor']] }),
  created_at: Type.String({ format: 'date-time' })
}, { $id: 'User', additionalProperties: false })

export const Enrollment = Type.Object({
  otpauth_uri: Type.String({ description: 'otpauth:// URI to put in an authenticator app (what the QR code holds)', examples: ['otpauth://totp/secure-api:testuser?issuer=secure-api&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30'] }),
  secret: Type.String({ description: 'the base32 TOTP secret, for typing in by hand; never shown again once 2FA is confirmed' }),
  enrollment_token: Type.String({ description: 'bearer token for `GET /auth/generate_qr/{username}` and `POST /auth/2fa/verify`; nothing else accepts it' }),
  expires_in: Seconds
}, { $id: 'Enrollment', additionalProperties: false })

export const RegisterResponse = Type.Object({ user: Type.Ref('User'), enrollment: Type.Ref('Enrollment') },
  { $id: 'RegisterResponse', additionalProperties: false })

export const QrCode = Type.Object({
  otpauth_uri: Type.String(),
  secret: Type.String(),
  qr_png: Type.String({ description: 'data: URL of the PNG QR code' }),
  qr_svg: Type.String({ description: 'the QR code as an SVG document' })
}, { $id: 'QrCode', additionalProperties: false })

export const UsernameParams = Type.Object({ username: Username }, { additionalProperties: false })

const codeOrRecovery = { code: Type.Optional(TotpCode), recovery_code: Type.Optional(RecoveryCode) }

export const EnrollmentVerifyRequest = Type.Object({ code: TotpCode },
  { $id: 'EnrollmentVerifyRequest', additionalProperties: false, examples: [{ code: '123456' }] })

export const RecoveryCodes = Type.Object({
  recovery_codes: Type.Array(Type.String(), { minItems: 10, maxItems: 10, description: 'shown once: store them somewhere safe; each works once in place of a code' })
}, { $id: 'RecoveryCodes', additionalProperties: false })

const LoginName = Type.String({
  minLength: 1, maxLength: 50, examples: ['testuser'],
  description: 'any spelling of the username: width, case and composition are folded (RFC 8265 UsernameCaseMapped); what then is not a username is a 400'
})

export const LoginRequest = Type.Object({ username: LoginName, password: Password, ...codeOrRecovery },
  { $id: 'LoginRequest', additionalProperties: false, examples: [{ username: 'testuser', password: 'securepassword' }, { username: 'testuser', password: 'securepassword', code: '123456' }] })

export const MfaChallenge = Type.Object({
  mfa_required: Type.Literal(true),
  mfa_token: Type.String({ description: 'send it with a code to `POST /auth/login/2fa`; single use; nothing else accepts it' }),
  expires_in: Seconds
}, { $id: 'MfaChallenge', additionalProperties: false })

export const EnrollmentRequired = Type.Object({
  enrollment_required: Type.Literal(true),
  enrollment_token: Type.String({ description: 'fetch the QR code again with it, then log in with a code' }),
  expires_in: Seconds
}, { $id: 'EnrollmentRequired', additionalProperties: false })

export const TokenResponse = Type.Object({
  access_token: Type.String({ description: 'JWT (RS256, typ at+jwt) for `Authorization: Bearer`' }),
  refresh_token: Type.String({ description: 'opaque; send it to `POST /auth/refresh` for new tokens; works once' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ minimum: 0, description: 'access token lifetime in seconds' }),
  recovery_codes: Type.Optional(Type.Array(Type.String(), { description: 'present only when this login confirmed a pending 2FA enrollment; shown once' }))
}, { $id: 'TokenResponse', additionalProperties: false })

export const LoginResponse = Type.Union([Type.Ref('TokenResponse'), Type.Ref('MfaChallenge'), Type.Ref('EnrollmentRequired')],
  { $id: 'LoginResponse', description: 'tokens when a code was sent, else what the second step needs' })

export const Login2faRequest = Type.Object({ mfa_token: Type.String({ minLength: 1, maxLength: 100 }), ...codeOrRecovery },
  { $id: 'Login2faRequest', additionalProperties: false, examples: [{ mfa_token: '<mfa_token from /auth/login>', code: '123456' }] })

export const SecondFactorProof = Type.Object({ password: Password, ...codeOrRecovery },
  { $id: 'SecondFactorProof', additionalProperties: false, description: 'the password and a current code (or a recovery code)', examples: [{ password: 'securepassword', code: '123456' }] })

export const ChangePasswordRequest = Type.Object({ current_password: Password, new_password: NewPassword, ...codeOrRecovery },
  { $id: 'ChangePasswordRequest', additionalProperties: false, examples: [{ current_password: 'securepassword', new_password: 'a much longer passphrase', code: '123456' }] })
