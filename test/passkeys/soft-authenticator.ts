import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { isoCBOR } from '@simplewebauthn/server/helpers'

/**
 * A software authenticator for the negative cases a browser will not produce on purpose (wrong
 * origin, no UV flag, counter going back, another account's handle). Test code only: the positive
 * flow is proven in Chromium (browser.test.ts).
 */
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url')
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest()

export interface SoftCredential {
  id: Buffer
  privateKey: KeyObject
  userHandle: string
  counter: number
}

export interface SoftOptions {
  origin?: string
  rpId?: string
  uv?: boolean
  counter?: number
  type?: string
  /**
   * Registration only: the credential id's length in bytes, another id in the JSON, transports, padding in the COSE
   * key.
   */
  idBytes?: number
  jsonId?: string
  transports?: string[]
  coseExtraBytes?: number
}

const flags = (uv: boolean, attested: boolean) => 0x01 | (uv ? 0x04 : 0) | (attested ? 0x40 : 0)
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const u16 = (n: number) => {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

export function softAuthenticator (defaults: { origin: string; rpId: string }) {
  const clientData = (type: string, challenge: string, origin: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }))

  return {
    /** A registration response for creation options (ES256, attestation none). */
    create (options: { challenge: string; user: { id: string } }, o: SoftOptions = {}) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const jwk = publicKey.export({ format: 'jwk' })
      const cose = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, Buffer.from(jwk.x!, 'base64url')],
          [-3, Buffer.from(jwk.y!, 'base64url')],
          ...(o.coseExtraBytes ? [[-100, Buffer.alloc(o.coseExtraBytes)] as [number, Uint8Array]] : [])
        ])
      )
      const id = randomBytes(o.idBytes ?? 32)
      const counter = o.counter ?? 0
      const authData = Buffer.concat([
        sha(o.rpId ?? defaults.rpId),
        Buffer.from([flags(o.uv ?? true, true)]),
        u32(counter),
        Buffer.alloc(16),
        u16(id.length),
        id,
        Buffer.from(cose)
      ])
      const attestationObject = isoCBOR.encode(
        new Map<string, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData]
        ]) as never
      )
      const credential: SoftCredential = { id, privateKey, userHandle: options.user.id, counter }
      const response = {
        id: o.jsonId ?? b64u(id),
        rawId: o.jsonId ?? b64u(id),
        response: {
          clientDataJSON: b64u(clientData(o.type ?? 'webauthn.create', options.challenge, o.origin ?? defaults.origin)),
          attestationObject: b64u(attestationObject),
          transports: o.transports ?? ['internal']
        },
        clientExtensionResults: {},
        type: 'public-key'
      }
      return { credential, response }
    },

    /** An assertion for request options; the counter goes up by one unless `counter` is given. */
    get (
      credential: SoftCredential,
      options: { challenge: string },
      o: SoftOptions & { userHandle?: string | null } = {}
    ) {
      credential.counter = o.counter ?? credential.counter + 1
      const authData = Buffer.concat([
        sha(o.rpId ?? defaults.rpId),
        Buffer.from([flags(o.uv ?? true, false)]),
        u32(credential.counter)
      ])
      const cd = clientData(o.type ?? 'webauthn.get', options.challenge, o.origin ?? defaults.origin)
      const signature = sign('sha256', Buffer.concat([authData, sha(cd)]), credential.privateKey)
      const handle = o.userHandle === undefined ? credential.userHandle : o.userHandle
      return {
        id: b64u(credential.id),
        rawId: b64u(credential.id),
        response: {
          clientDataJSON: b64u(cd),
          authenticatorData: b64u(authData),
          signature: b64u(signature),
          ...(handle !== null && { userHandle: handle })
        },
        clientExtensionResults: {},
        type: 'public-key'
      }
    }
  }
}
