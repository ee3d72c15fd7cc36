import { randomBytes } from 'node:crypto'
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type RegistrationResponseJSON
} from '@simplewebauthn/server'
import type { Executor } from '../db/driver.js'
import { isUniqueViolation } from '../db/errors.js'
import type { AuditEventName, AuditWho } from '../audit/audit-repository.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import { sha256 } from '../auth/opaque.js'
import { createPasskeyRepository, type PasskeyRow } from './passkeys-repository.js'
import { createChallengeRepository, type Ceremony } from './challenges-repository.js'
import { PasskeyErrors, refusalReason } from './errors.js'

/** Challenges live 5 minutes; the browser's own timeout is the same. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000
/** Ed25519, ES256, RS256 (COSE algorithm ids), all verified by @simplewebauthn/server. */
export const PASSKEY_ALGORITHMS = [-8, -7, -257]

export interface PasskeyConfig {
  rpId: string
  rpName: string
  origins: string[]
}

export interface PasskeyDeps {
  db: Executor
  now: () => number
  config: PasskeyConfig
  audit: (event: AuditEventName, meta: ClientMeta, who: AuditWho) => Promise<void>
}

export interface PasskeyOwner {
  id: number
  username: string
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const transportsOf = (row: PasskeyRow) => (row.transports ? row.transports.split(',') : [])

export const publicPasskey = (row: PasskeyRow) => ({
  id: row.id,
  name: row.name,
  created_at: iso(row.created_at)!,
  last_used_at: iso(row.last_used_at),
  backed_up: Boolean(row.backed_up),
  transports: transportsOf(row)
})

/**
 * WebAuthn ceremonies with @simplewebauthn/server. Every challenge is 32 random bytes, stored
 * hashed with its ceremony and (when known) its user, and spent by the check that reads it, so
 * it works once, for that ceremony, within CHALLENGE_TTL_MS. User verification is required.
 */
export function createPasskeyService (deps: PasskeyDeps) {
  const { db, now, config } = deps
  const passkeys = createPasskeyRepository(db)
  const challenges = createChallengeRepository(db)

  /** 32 random bytes (the library base64url-encodes them into the options, which is what the client signs). */
  async function newChallenge (ceremony: Ceremony, userId: number | null) {
    const challenge = randomBytes(32)
    await challenges.create(sha256(challenge.toString('base64url')), ceremony, userId, now() + CHALLENGE_TTL_MS)
    return challenge
  }

  /** The challenge check @simplewebauthn calls with the challenge the client signed: it is spent here. */
  const spend = (ceremony: Ceremony, userId: number | null) => (challenge: string) => challenges.take(sha256(challenge), ceremony, userId, now())

  /** The account's user handle: made once, at its first passkey registration. */
  async function userHandle (userId: number): Promise<string> {
    const existing = await passkeys.userHandleOf(userId)
    if (existing) return existing
    await passkeys.setUserHandle(userId, randomBytes(32).toString('base64url'))
    return (await passkeys.userHandleOf(userId))!
  }

  const refused = async (reason: string, meta: ClientMeta, userId: number | null) => {
    await deps.audit('passkey_failed', meta, { target: userId, details: reason })
    return PasskeyErrors.passkeyRefused(`The passkey was refused: ${reason}`)
  }

  async function assertionOptions (ceremony: Ceremony, userId: number | null) {
    const allow = userId === null ? [] : (await passkeys.listOf(userId)).map((p) => ({ id: p.credential_id, transports: transportsOf(p) }))
    return generateAuthenticationOptions({
      rpID: config.rpId,
      challenge: await newChallenge(ceremony, userId),
      allowCredentials: allow,
      userVerification: 'required',
      timeout: CHALLENGE_TTL_MS
    })
  }

  /**
   * Verifies an assertion for `ceremony`; `userId` is the account it must belong to (null:
   * usernameless login, where the credential names its owner). Returns the passkey's row.
   */
  async function verifyAssertion (ceremony: Ceremony, userId: number | null, response: AuthenticationResponseJSON, meta: ClientMeta) {
    const row = await passkeys.findByCredentialHash(sha256(response.id))
    if (!row) throw await refused('unknown credential', meta, userId)
    if (userId !== null && row.user_id !== userId) throw await refused('credential of another account', meta, userId)
    const handle = await passkeys.userHandleOf(row.user_id)
    const given = response.response.userHandle
    if ((ceremony === 'login' && !given) || (given && given !== handle)) throw await refused('user handle does not match the credential\'s owner', meta, row.user_id)
    let info
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: spend(ceremony, userId),
        expectedOrigin: config.origins,
        expectedRPID: config.rpId,
        expectedType: 'webauthn.get',
        // the counter is checked below, after the signature, so a regression is known to come from the key
        credential: { id: row.credential_id, publicKey: Buffer.from(row.public_key, 'base64url'), counter: 0, transports: transportsOf(row) },
        requireUserVerification: true
      })
      if (!result.verified) throw new Error('signature')
      info = result.authenticationInfo
    } catch (err) {
      throw await refused(refusalReason(err), meta, row.user_id)
    }
    const counter = info.newCounter
    if ((counter > 0 || row.sign_count > 0) && counter <= row.sign_count) {
      await deps.audit('passkey_counter_anomaly', meta, { target: row.user_id, details: `passkey ${row.id}: counter ${counter} after ${row.sign_count}, possibly cloned` })
      throw PasskeyErrors.passkeyRefused('The passkey was refused: its signature counter went back (a cloned authenticator?)')
    }
    if (!await passkeys.recordUse(row.id, counter, info.credentialBackedUp, now())) {
      throw await refused('used concurrently', meta, row.user_id)
    }
    return row
  }

  return {
    verifyAssertion,
    assertionOptions,

    /** The account a credential id belongs to, if any (to throttle a usernameless login per account). */
    async ownerOf (credentialId: string) {
      return (await passkeys.findByCredentialHash(sha256(credentialId)))?.user_id ?? null
    },

    async has (userId: number) {
      return await passkeys.countOf(userId) > 0
    },

    async registrationOptions (owner: PasskeyOwner) {
      const existing = await passkeys.listOf(owner.id)
      return generateRegistrationOptions({
        rpName: config.rpName,
        rpID: config.rpId,
        userName: owner.username,
        userID: Buffer.from(await userHandle(owner.id), 'base64url'),
        userDisplayName: owner.username,
        challenge: await newChallenge('registration', owner.id),
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: transportsOf(p) })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        supportedAlgorithmIDs: PASSKEY_ALGORITHMS
      })
    },

    async register (owner: PasskeyOwner, response: RegistrationResponseJSON, name: string | undefined, meta: ClientMeta) {
      let info
      try {
        const result = await verifyRegistrationResponse({
          response,
          expectedChallenge: spend('registration', owner.id),
          expectedOrigin: config.origins,
          expectedRPID: config.rpId,
          expectedType: 'webauthn.create',
          requireUserVerification: true,
          supportedAlgorithmIDs: PASSKEY_ALGORITHMS
        })
        if (!result.verified) throw new Error('signature')
        info = result.registrationInfo
      } catch (err) {
        const reason = refusalReason(err)
        await deps.audit('passkey_failed', meta, { actor: owner.id, target: owner.id, details: `registration: ${reason}` })
        throw PasskeyErrors.registrationRefused(`The passkey registration was refused: ${reason}`)
      }
      const { credential } = info
      const at = now()
      let id: number
      try {
        id = await passkeys.create({
          user_id: owner.id,
          credential_hash: sha256(credential.id),
          credential_id: credential.id,
          public_key: Buffer.from(credential.publicKey).toString('base64url'),
          sign_count: credential.counter,
          transports: (credential.transports ?? []).join(','),
          backed_up: info.credentialBackedUp,
          name: name ?? `passkey ${new Date(at).toISOString().slice(0, 10)}`,
          created_at: at
        })
      } catch (err) {
        if (isUniqueViolation(err)) throw PasskeyErrors.passkeyExists()
        throw err
      }
      await deps.audit('passkey_registered', meta, { actor: owner.id, target: owner.id, details: `passkey ${id}` })
      return publicPasskey((await passkeys.listOf(owner.id)).find((p) => p.id === id)!)
    },

    async list (userId: number) {
      return { items: (await passkeys.listOf(userId)).map(publicPasskey) }
    },

    /** Someone else's passkey is "not found". */
    async rename (userId: number, id: number, name: string) {
      if (!await passkeys.rename(userId, id, name)) throw PasskeyErrors.passkeyNotFound()
      return publicPasskey((await passkeys.listOf(userId)).find((p) => p.id === id)!)
    },

    async remove (userId: number, id: number, meta: ClientMeta) {
      if (!await passkeys.remove(userId, id)) throw PasskeyErrors.passkeyNotFound()
      await deps.audit('passkey_removed', meta, { actor: userId, target: userId, details: `passkey ${id}` })
    },

    purgeChallenges: () => challenges.purgeExpired(now())
  }
}

export type PasskeyService = ReturnType<typeof createPasskeyService>
