import { defineError } from '../errors.js'

export const PasskeyErrors = {
  registrationRefused: defineError(400, 'passkey_registration_refused', 'The passkey registration was refused'),
  passkeyRefused: defineError(401, 'passkey_refused', 'The passkey assertion was refused'),
  passkeyNotFound: defineError(404, 'passkey_not_found', 'No such passkey'),
  passkeyExists: defineError(409, 'passkey_exists', 'This passkey is already registered'),
  passkeyLimit: defineError(409, 'passkey_limit', 'Too many passkeys on this account')
}

/**
 * Why @simplewebauthn refused a response, in a few fixed words (its messages can echo what the
 * client sent, so they are never passed on).
 */
export function refusalReason (err: unknown): string {
  const message = err instanceof Error ? err.message : ''
  if (/challenge/i.test(message)) return 'challenge unknown, expired, used or for another ceremony'
  if (/origin/i.test(message)) return 'origin not allowed'
  if (/RP ID/i.test(message)) return 'RP ID hash does not match'
  if (/user verification|could not be verified/i.test(message)) return 'user not verified'
  if (/not present/i.test(message)) return 'user not present'
  if (/response type/i.test(message)) return 'wrong ceremony type'
  if (/signature/i.test(message)) return 'bad signature'
  return 'malformed or unverifiable response'
}
