import { randomBytes } from 'node:crypto'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import type { Driver } from '../db/driver.js'
import { isUniqueViolation } from '../db/errors.js'
import type { AuditEventName, AuditWho } from '../audit/audit-repository.js'
import type { ClientMeta } from '../sessions/client-meta.js'
import { sha256 } from '../auth/opaque.js'
import { createPasskeyRepository, type PasskeyRow } from './passkeys-repository.js'
import { createChallengeRepository, type Ceremony, type ChallengeBinding } from './challenges-repository.js'
import { PasskeyErrors, refusalReason } from './errors.js'

/** Challenges live 5 minutes; the browser's own timeout is the same. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000
/** Ed25519, ES256, RS256 (COSE algorithm ids), all verified by @simplewebauthn/server. */
export const PASSKEY_ALGORITHMS = [-8, -7, -257]
/** Passkeys one account may hold (each one is listed in every set of options). */
export const MAX_PASSKEYS = 20
/** The WebAuthn maximum credential id (1023 bytes) in base64url; the largest public key stored (RSA 4096 in COSE). */
const MAX_CREDENTIAL_ID = 1364
const MAX_PUBLIC_KEY = 2048
/** The transports WebAuthn defines; anything else a client sends is dropped. */
const TRANSPORTS = new Set(['usb', 'nfc', 'ble', 'internal', 'hybrid', 'smart-card', 'cable'])
const knownTransports = (list: readonly string[] = []) => [...new Set(list.filter((t) => TRANSPORTS.has(t)))]

export interface PasskeyConfig {
  rpId: string
  rpName: string
  origins: string[]
}

export interface PasskeyDeps {
  db: Driver
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
 * @simplewebauthn/server, loaded at the first ceremony: its CBOR, ASN.1 and COSE code is about 4 MB of heap that an
 * instance whose users never use passkeys does not keep. A failed load (out of file descriptors, say) is not kept:
 * the next ceremony tries again.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined
const webauthn = () => (library ??= import('@simplewebauthn/server').catch((err: unknown) => {
  library = undefined
  throw err
}))

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
  async function newChallenge (ceremony: Ceremony, to: ChallengeBinding) {
    const challenge = randomBytes(32)
    await challenges.create(sha256(challenge.toString('base64url')), ceremony, to, now() + CHALLENGE_TTL_MS)
    return challenge
  }

  /** The challenge check @simplewebauthn calls with the challenge the client signed: it is spent here. */
  const spend = (ceremony: Ceremony, to: ChallengeBinding) => (challenge: string) =>
    challenges.take(sha256(challenge), ceremony, to, now())

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

  /** `binding`: the hash of the mfa_token a second-step challenge belongs to. */
  async function assertionOptions (ceremony: Ceremony, userId: number | null, binding?: string) {
    const descriptor = (p: PasskeyRow) => ({ id: p.credential_id, transports: transportsOf(p) })
    const allow = userId === null ? [] : (await passkeys.listOf(userId)).map(descriptor)
    return (await webauthn()).generateAuthenticationOptions({
      rpID: config.rpId,
      challenge: await newChallenge(ceremony, { userId, binding }),
      allowCredentials: allow,
      userVerification: 'required',
      timeout: CHALLENGE_TTL_MS
    })
  }

  /**
   * Verifies an assertion for `ceremony`; `userId` is the account it must belong to (null:
   * usernameless login, where the credential names its owner). Returns the passkey's row.
   */
  async function verifyAssertion (
    ceremony: Ceremony, userId: number | null, response: AuthenticationResponseJSON, meta: ClientMeta, binding?: string
  ) {
    const row = await passkeys.findByCredentialHash(sha256(response.id))
    if (!row) throw await refused('unknown credential', meta, userId)
    if (userId !== null && row.user_id !== userId) throw await refused('credential of another account', meta, userId)
    const handle = await passkeys.userHandleOf(row.user_id)
    const given = response.response.userHandle
    if ((ceremony === 'login' && !given) || (given && given !== handle)) {
      throw await refused('user handle does not match the credential\'s owner', meta, row.user_id)
    }
    const { verifyAuthenticationResponse } = await webauthn()
    let info
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: spend(ceremony, { userId, binding }),
        expectedOrigin: config.origins,
        expectedRPID: config.rpId,
        expectedType: 'webauthn.get',
        // the counter is checked below, after the signature, so a regression is known to come from the key
        credential: {
          id: row.credential_id,
          publicKey: Buffer.from(row.public_key, 'base64url'),
          counter: 0,
          transports: transportsOf(row)
        },
        requireUserVerification: true
      })
      if (!result.verified) throw new Error('signature')
      info = result.authenticationInfo
    } catch (err) {
      throw await refused(refusalReason(err), meta, row.user_id)
    }
    const counter = info.newCounter
    if ((counter > 0 || row.sign_count > 0) && counter <= row.sign_count) {
      const details = `passkey ${row.id}: counter ${counter} after ${row.sign_count}, possibly cloned`
      await deps.audit('passkey_counter_anomaly', meta, { target: row.user_id, details })
      throw PasskeyErrors.passkeyRefused('The passkey was refused: its signature counter went back (cloned?)')
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
      return (await webauthn()).generateRegistrationOptions({
        rpName: config.rpName,
        rpID: config.rpId,
        userName: owner.username,
        userID: Buffer.from(await userHandle(owner.id), 'base64url'),
        userDisplayName: owner.username,
        challenge: await newChallenge('registration', { userId: owner.id }),
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: transportsOf(p) })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        supportedAlgorithmIDs: PASSKEY_ALGORITHMS
      })
    },

    async register (owner: PasskeyOwner, response: RegistrationResponseJSON, name: string | undefined,
      meta: ClientMeta) {
      const { verifyRegistrationResponse } = await webauthn()
      let info
      try {
        const result = await verifyRegistrationResponse({
          response,
          expectedChallenge: spend('registration', { userId: owner.id }),
          expectedOrigin: config.origins,
          expectedRPID: config.rpId,
          expectedType: 'webauthn.create',
          requireUserVerification: true,
          supportedAlgorithmIDs: PASSKEY_ALGORITHMS
        })
        if (!result.verified) throw new Error('signature')
        info = result.registrationInfo
        // the library bounds neither the id inside authData nor the key: what is stored must fit and be the id
        // the client named
        if (info.credential.id !== response.id) throw new Error('credential id differs from the response id')
        if (info.credential.id.length > MAX_CREDENTIAL_ID) throw new Error('credential id longer than 1023 bytes')
        const keyLength = Buffer.from(info.credential.publicKey).toString('base64url').length
        if (keyLength > MAX_PUBLIC_KEY) throw new Error('public key too large')
      } catch (err) {
        const ours = err instanceof Error && /^(credential id|public key)/.test(err.message)
        const reason = ours ? (err as Error).message : refusalReason(err)
        const details = `registration: ${reason}`
        await deps.audit('passkey_failed', meta, { actor: owner.id, target: owner.id, details })
        throw PasskeyErrors.registrationRefused(`The passkey registration was refused: ${reason}`)
      }
      const { credential } = info
      const at = now()
      let id: number
      try {
        id = await db.transaction(async (tx) => {
          const repo = createPasskeyRepository(tx)
          await repo.lockOwner(owner.id)
          if (await repo.countOf(owner.id) >= MAX_PASSKEYS) {
            throw PasskeyErrors.passkeyLimit(`An account holds at most ${MAX_PASSKEYS} passkeys: remove one first`)
          }
          return repo.create({
            user_id: owner.id,
            credential_hash: sha256(credential.id),
            credential_id: credential.id,
            public_key: Buffer.from(credential.publicKey).toString('base64url'),
            sign_count: credential.counter,
            transports: knownTransports(credential.transports).join(','),
            backed_up: info.credentialBackedUp,
            name: name ?? `passkey ${new Date(at).toISOString().slice(0, 10)}`,
            created_at: at
          })
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
