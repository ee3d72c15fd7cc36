import { defineError } from '../errors.js'

/** The account and 2FA errors, each with a stable code clients can switch on. */
export const AuthErrors = {
  weakPassword: defineError(400, 'weak_password', 'Password refused'),
  secondFactorConflict: defineError(400, 'second_factor_conflict', 'Send either code or recovery_code, not both'),
  secondFactorRequired: defineError(400, 'second_factor_required', 'A code or a recovery code is required'),
  invalidCredentials: defineError(401, 'invalid_credentials', 'Invalid username or password'),
  invalidCode: defineError(401, 'invalid_code', 'Invalid, expired or already used code'),
  mfaTokenInvalid: defineError(401, 'mfa_token_invalid', 'Invalid, expired or already used mfa_token'),
  enrollmentTokenInvalid: defineError(401, 'enrollment_token_invalid', 'Invalid or expired enrollment token'),
  registrationClosed: defineError(403, 'registration_closed', 'Registration is closed'),
  accountDisabled: defineError(403, 'account_disabled', 'This account is disabled'),
  usernameTaken: defineError(409, 'username_taken', 'Username already taken'),
  enrollmentConfirmed: defineError(
    409,
    'enrollment_already_confirmed',
    'Two-factor authentication is already confirmed'
  )
}
