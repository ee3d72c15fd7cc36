import { defineError } from '../errors.js'

export const ApiKeyErrors = {
  notAllowed: defineError(
    403,
    'api_key_not_allowed',
    'API keys are not accepted here: sessions, passwords, second factors and keys are managed after an ' +
      'interactive login'
  ),
  permissionNotHeld: defineError(403, 'permission_not_held', 'A key can only be given permissions you hold'),
  notFound: defineError(404, 'api_key_not_found', 'No such API key'),
  tooMany: defineError(409, 'too_many_api_keys', 'Too many live API keys: revoke one first'),
  rateLimited: defineError(429, 'api_key_rate_limited', 'Too many requests with this API key')
}
