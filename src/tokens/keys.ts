import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject
} from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Executor } from '../db/driver.js'
import { createKeyFingerprintRepository } from './key-fingerprints-repository.js'
import { MAX_VERIFICATION_KEYS, RSA_BITS } from '../../schemas/sessions.js'

export interface VerificationKey {
  publicKey: KeyObject
  /** RFC 7638 thumbprint of the public key. */
  kid: string
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject
}

/** `verification` holds the signing key's public half first, then earlier keys still accepted. */
export interface Keys {
  /** Seals TOTP secrets (AES-256-GCM) and keys the audit log's pseudonyms. */
  totp: Buffer
  signing: SigningKey
  verification: VerificationKey[]
}

/**
 * Reads a key file from the data dir, or creates it once: written to a temporary file,
 * then hard-linked into place, so a second instance starting at the same moment either
 * wins the link or reads the complete file of the first.
 */
function loadOrCreate (
  dir: string,
  file: string,
  create: () => string,
  log: FastifyBaseLogger,
  variable: string
): string {
  const path = join(dir, file)
  mkdirSync(dir, { recursive: true })
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    writeFileSync(tmp, create(), { mode: 0o600 })
    try {
      linkSync(tmp, path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      unlinkSync(tmp)
    }
  }
  log.warn(
    { path },
    `${variable} is not set: using a key generated into the data dir; ` +
      `set ${variable} in production, the same on every instance`
  )
  return readFileSync(path, 'utf8').trim()
}

function decodeKey (text: string): Buffer {
  const key = Buffer.from(text, /^[0-9a-fA-F]{64}$/.test(text) ? 'hex' : 'base64')
  if (key.length !== 32) throw new Error('the TOTP encryption key must be 32 bytes (base64 or hex)')
  return key
}

/**
 * Every instance on one database must seal TOTP secrets with the same key. The first
 * instance records a fingerprint of its key (an HMAC, which reveals nothing of the key);
 * an instance with another key refuses to start instead of failing logins later.
 */
async function checkSharedKey (db: Executor, name: string, key: Buffer, now: number) {
  const fingerprint = createHmac('sha256', key).update('secure-api key fingerprint').digest('hex')
  if ((await createKeyFingerprintRepository(db).recordOnce(name, fingerprint, now)) !== fingerprint) {
    throw new Error(
      'the TOTP encryption key differs from the one this database\'s TOTP secrets are sealed with: ' +
        'give every instance the same TOTP_ENCRYPTION_KEY'
    )
  }
}

function verificationKey (publicKey: KeyObject, variable: string): VerificationKey {
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0
  if (publicKey.asymmetricKeyType !== 'rsa' || bits < RSA_BITS.min || bits > RSA_BITS.max) {
    throw new Error(`${variable} must hold RSA keys of ${RSA_BITS.min} to ${RSA_BITS.max} bits`)
  }
  const { e, n } = publicKey.export({ format: 'jwk' })
  return {
    publicKey,
    kid: createHash('sha256')
      .update(JSON.stringify({ e, kty: 'RSA', n }))
      .digest('base64url')
  }
}

export function signingKeyFromPem (pem: string): SigningKey {
  const privateKey = createPrivateKey(pem)
  return { privateKey, ...verificationKey(createPublicKey(privateKey), 'JWT_PRIVATE_KEY') }
}

/** Every PEM public key in a text (several may follow each other). */
export function publicKeysFromPem (text: string): VerificationKey[] {
  return (text.match(/-----BEGIN (RSA )?PUBLIC KEY-----[\s\S]+?-----END (RSA )?PUBLIC KEY-----/g) ?? []).map((pem) =>
    verificationKey(createPublicKey(pem), 'JWT_PREVIOUS_PUBLIC_KEYS')
  )
}

type KeyConfig = Pick<
  Config,
  | 'DATA_DIR'
  | 'TOTP_ENCRYPTION_KEY'
  | 'JWT_PRIVATE_KEY'
  | 'JWT_PRIVATE_KEY_FILE'
  | 'JWT_PREVIOUS_PUBLIC_KEYS'
  | 'JWT_PREVIOUS_PUBLIC_KEYS_FILE'
>

/** Key material: from configuration, else generated once into DATA_DIR with a warning. */
export async function loadKeys (c: KeyConfig, db: Executor, now: number, log: FastifyBaseLogger): Promise<Keys> {
  const totp = decodeKey(
    c.TOTP_ENCRYPTION_KEY ||
      loadOrCreate(
        c.DATA_DIR,
        'totp-encryption.key',
        () => randomBytes(32).toString('base64'),
        log,
        'TOTP_ENCRYPTION_KEY'
      )
  )
  const pem =
    c.JWT_PRIVATE_KEY ||
    (c.JWT_PRIVATE_KEY_FILE
      ? readFileSync(c.JWT_PRIVATE_KEY_FILE, 'utf8')
      : loadOrCreate(
        c.DATA_DIR,
        'jwt-signing-key.pem',
        () =>
          generateKeyPairSync('rsa', { modulusLength: 2048 })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        log,
        'JWT_PRIVATE_KEY'
      ))
  await checkSharedKey(db, 'totp_encryption_key', totp, now)
  const signing = signingKeyFromPem(pem)
  const previous = publicKeysFromPem(
    c.JWT_PREVIOUS_PUBLIC_KEYS ||
      (c.JWT_PREVIOUS_PUBLIC_KEYS_FILE ? readFileSync(c.JWT_PREVIOUS_PUBLIC_KEYS_FILE, 'utf8') : '')
  )
  const verification = [signing, ...previous.filter((k) => k.kid !== signing.kid)]
  if (verification.length > MAX_VERIFICATION_KEYS) {
    throw new Error(
      `JWT_PREVIOUS_PUBLIC_KEYS holds too many keys: at most ${MAX_VERIFICATION_KEYS - 1} earlier keys are accepted`
    )
  }
  return { totp, signing, verification }
}
