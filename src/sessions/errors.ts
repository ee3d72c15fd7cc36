import { defineError } from '../errors.js'

export const SessionErrors = {
  refreshTokenInvalid: defineError(401, 'refresh_token_invalid', 'Invalid or expired refresh token; log in again'),
  refreshTokenReused: defineError(
    401,
    'refresh_token_reused',
    'Refresh token already used; the session has been revoked'
  ),
  sessionNotFound: defineError(404, 'session_not_found', 'No such session')
}
