import fp from 'fastify-plugin'
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'

export interface VerificationKey {
  publicKey: KeyObject
  /** RFC 7638 thumbprint of the public key. */
  kid: string
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject
}

declare module 'fastify' {
  interface FastifyInstance {
    /** `verification` holds the signing key's public half first, then earlier keys still accepted. */
    keys: { totp: Buffer, signing: SigningKey, verification: VerificationKey[] }
  }
}

/** Reads a key file from the data dir, or creates it once (exclusive create, so two starting instances agree). */
function loadOrCreate (dir: string, file: string, create: () => string, log: FastifyBaseLogger, variable: string): string {
  const path = join(dir, file)
  mkdirSync(dir, { recursive: true })
  try {
    writeFileSync(path, create(), { flag: 'wx', mode: 0o600 })
    log.warn({ path }, `generated a new key because ${variable} is not set; set ${variable} in production (and share it between instances)`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return readFileSync(path, 'utf8').trim()
}

const decodeKey = (text: string) => Buffer.from(text, /^[0-9a-fA-F]{64}$/.test(text) ? 'hex' : 'base64')

function verificationKey (publicKey: KeyObject, variable: string): VerificationKey {
  if (publicKey.asymmetricKeyType !== 'rsa' || (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new Error(`${variable} must hold RSA keys of at least 2048 bits`)
  }
  const { e, n } = publicKey.export({ format: 'jwk' })
  return { publicKey, kid: createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url') }
}

export function signingKeyFromPem (pem: string): SigningKey {
  const privateKey = createPrivateKey(pem)
  return { privateKey, ...verificationKey(createPublicKey(privateKey), 'JWT_PRIVATE_KEY') }
}

/** Every PEM public key in a text (several may follow each other). */
export function publicKeysFromPem (text: string): VerificationKey[] {
  return (text.match(/-----BEGIN (RSA )?PUBLIC KEY-----[\s\S]+?-----END (RSA )?PUBLIC KEY-----/g) ?? [])
    .map((pem) => verificationKey(createPublicKey(pem), 'JWT_PREVIOUS_PUBLIC_KEYS'))
}

/** Key material: from configuration, else generated once into DATA_DIR with a warning. */
export default fp(async (app) => {
  const c = app.config
  const totp = decodeKey(c.TOTP_ENCRYPTION_KEY ||
    loadOrCreate(c.DATA_DIR, 'totp-encryption.key', () => randomBytes(32).toString('base64'), app.log, 'TOTP_ENCRYPTION_KEY'))
  const pem = c.JWT_PRIVATE_KEY ||
    (c.JWT_PRIVATE_KEY_FILE
      ? readFileSync(c.JWT_PRIVATE_KEY_FILE, 'utf8')
      : loadOrCreate(c.DATA_DIR, 'jwt-signing-key.pem', () =>
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), app.log, 'JWT_PRIVATE_KEY'))
  const signing = signingKeyFromPem(pem)
  const previous = publicKeysFromPem(c.JWT_PREVIOUS_PUBLIC_KEYS ||
    (c.JWT_PREVIOUS_PUBLIC_KEYS_FILE ? readFileSync(c.JWT_PREVIOUS_PUBLIC_KEYS_FILE, 'utf8') : ''))
  const verification = [signing, ...previous.filter((k) => k.kid !== signing.kid)]
  app.decorate('keys', { totp, signing, verification })
}, { name: 'keys', dependencies: ['config'] })
