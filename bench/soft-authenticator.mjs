// A software passkey for the bench (the same as test/passkeys/soft-authenticator.ts, ES256, attestation none):
// the bench logs in with passkeys at saturation, which a browser's authenticator could not do.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { isoCBOR } from '@simplewebauthn/server/helpers'

const b64u = (b) => Buffer.from(b).toString('base64url')
const sha = (b) => createHash('sha256').update(b).digest()
const u32 = (n) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const u16 = (n) => {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

export function softAuthenticator ({ origin, rpId }) {
  const clientData = (type, challenge) => Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
  return {
    create (options) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const jwk = publicKey.export({ format: 'jwk' })
      const cose = isoCBOR.encode(
        new Map([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, Buffer.from(jwk.x, 'base64url')],
          [-3, Buffer.from(jwk.y, 'base64url')]
        ])
      )
      const id = randomBytes(32)
      const authData = Buffer.concat([
        sha(rpId),
        Buffer.from([0x45]),
        u32(0),
        Buffer.alloc(16),
        u16(id.length),
        id,
        Buffer.from(cose)
      ])
      const attestationObject = isoCBOR.encode(
        new Map([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData]
        ])
      )
      return {
        credential: { id, privateKey, userHandle: options.user.id, counter: 0 },
        response: {
          id: b64u(id),
          rawId: b64u(id),
          response: {
            clientDataJSON: b64u(clientData('webauthn.create', options.challenge)),
            attestationObject: b64u(attestationObject),
            transports: ['internal']
          },
          clientExtensionResults: {},
          type: 'public-key'
        }
      }
    },
    get (credential, options) {
      credential.counter++
      const authData = Buffer.concat([sha(rpId), Buffer.from([0x05]), u32(credential.counter)])
      const cd = clientData('webauthn.get', options.challenge)
      return {
        id: b64u(credential.id),
        rawId: b64u(credential.id),
        response: {
          clientDataJSON: b64u(cd),
          authenticatorData: b64u(authData),
          signature: b64u(sign('sha256', Buffer.concat([authData, sha(cd)]), credential.privateKey)),
          userHandle: credential.userHandle
        },
        clientExtensionResults: {},
        type: 'public-key'
      }
    }
  }
}
