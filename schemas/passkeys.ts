import { Type } from '@sinclair/typebox'
import { Int32, Label, Nullable, Page, RowId, Text, Timestamp } from './common.js'

/** The WebAuthn JSON forms (WebAuthn Level 3 §5.1.8–5.1.10), as @simplewebauthn writes and reads them. */
const B64u = (maxLength: number, description?: string) =>
  Type.String({ maxLength, pattern: '^[A-Za-z0-9_-]*$', ...(description && { description }) })
/** Credential ids are at most 1023 bytes. */
const CredentialId = B64u(1400, 'credential id, base64url')
const Transport = Type.String({
  maxLength: 32,
  pattern: '^[a-z-]+$',
  description: 'usb, nfc, ble, internal, hybrid, smart-card, cable'
})
const Transports = Type.Array(Transport, { maxItems: 8 })
const Descriptor = Type.Object(
  {
    id: CredentialId,
    type: Type.String({ maxLength: 16, examples: ['public-key'] }),
    transports: Type.Optional(Transports)
  },
  { additionalProperties: false }
)
const UV = Type.Union(['required', 'preferred', 'discouraged'].map((v) => Type.Literal(v)))
const Hints = Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 3 }))
const Extensions = (description: string) =>
  Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 16, description }))

export const PublicKeyCredentialCreationOptionsJSON = Type.Object(
  {
    rp: Type.Object({ name: Text(64), id: Type.Optional(Text(253)) }, { additionalProperties: false }),
    user: Type.Object(
      {
        id: B64u(128, "the account's WebAuthn user handle: random, stable, not the id or the name"),
        name: Text(64),
        displayName: Text(64)
      },
      { additionalProperties: false }
    ),
    challenge: B64u(128),
    pubKeyCredParams: Type.Array(
      Type.Object(
        { alg: Type.Integer({ format: 'int32', minimum: -65536, maximum: 65536 }), type: Type.Literal('public-key') },
        { additionalProperties: false }
      ),
      { maxItems: 8, description: 'Ed25519 (-8), ES256 (-7), RS256 (-257)' }
    ),
    timeout: Type.Optional(Int32({ description: 'milliseconds' })),
    excludeCredentials: Type.Optional(Type.Array(Descriptor, { maxItems: 100, description: "the account's passkeys" })),
    authenticatorSelection: Type.Optional(
      Type.Object(
        {
          authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
          requireResidentKey: Type.Optional(Type.Boolean()),
          residentKey: Type.Optional(Type.String({ maxLength: 32 })),
          userVerification: Type.Optional(UV)
        },
        { additionalProperties: false }
      )
    ),
    hints: Hints,
    attestation: Type.Optional(Type.String({ maxLength: 32 })),
    extensions: Extensions('e.g. credProps')
  },
  {
    $id: 'PublicKeyCredentialCreationOptionsJSON',
    additionalProperties: false,
    description: 'pass to navigator.credentials.create (PublicKeyCredential.parseCreationOptionsFromJSON)'
  }
)

export const PublicKeyCredentialRequestOptionsJSON = Type.Object(
  {
    challenge: B64u(128),
    timeout: Type.Optional(Int32({ description: 'milliseconds' })),
    rpId: Type.Optional(Text(253)),
    allowCredentials: Type.Optional(
      Type.Array(Descriptor, { maxItems: 100, description: 'empty for a usernameless (discoverable credential) login' })
    ),
    userVerification: Type.Optional(UV),
    hints: Hints,
    extensions: Extensions('client extension inputs')
  },
  {
    $id: 'PublicKeyCredentialRequestOptionsJSON',
    additionalProperties: false,
    description: 'pass to navigator.credentials.get (PublicKeyCredential.parseRequestOptionsFromJSON)'
  }
)

const Attachment = Type.Optional(Type.String({ maxLength: 32 }))
const ClientExtensionResults = Type.Object({}, { additionalProperties: true, maxProperties: 16 })

export const RegistrationResponseJSON = Type.Object(
  {
    id: CredentialId,
    rawId: CredentialId,
    response: Type.Object(
      {
        clientDataJSON: B64u(4096),
        attestationObject: B64u(16384),
        authenticatorData: Type.Optional(B64u(16384)),
        transports: Type.Optional(Transports),
        publicKeyAlgorithm: Type.Optional(Type.Integer({ format: 'int32', minimum: -65536, maximum: 65536 })),
        publicKey: Type.Optional(B64u(4096))
      },
      { additionalProperties: false }
    ),
    authenticatorAttachment: Attachment,
    clientExtensionResults: ClientExtensionResults,
    type: Type.Literal('public-key')
  },
  {
    $id: 'RegistrationResponseJSON',
    additionalProperties: false,
    description: 'the new credential, as PublicKeyCredential.toJSON() gives it'
  }
)

export const AuthenticationResponseJSON = Type.Object(
  {
    id: CredentialId,
    rawId: CredentialId,
    response: Type.Object(
      {
        clientDataJSON: B64u(4096),
        authenticatorData: B64u(16384),
        signature: B64u(1024),
        userHandle: Type.Optional(B64u(128))
      },
      { additionalProperties: false }
    ),
    authenticatorAttachment: Attachment,
    clientExtensionResults: ClientExtensionResults,
    type: Type.Literal('public-key')
  },
  {
    $id: 'AuthenticationResponseJSON',
    additionalProperties: false,
    description: 'the assertion, as PublicKeyCredential.toJSON() gives it'
  }
)

/** Printable text with something visible: no control, zero-width, bidi or lone surrogate characters. */
const PasskeyName = Label(64, { description: 'a label of your choice', examples: ['laptop'] })

export const Passkey = Type.Object(
  {
    id: RowId(),
    name: PasskeyName,
    created_at: Timestamp(),
    last_used_at: Nullable(Timestamp()),
    backed_up: Type.Boolean({ description: 'synced to other devices by its provider' }),
    transports: Transports
  },
  { $id: 'Passkey', additionalProperties: false }
)

export const PasskeyList = Type.Object(
  { items: Page(Type.Ref('Passkey')) },
  { $id: 'PasskeyList', additionalProperties: false }
)

export const PasskeyRegistrationRequest = Type.Object(
  {
    response: Type.Ref('RegistrationResponseJSON'),
    name: Type.Optional(PasskeyName)
  },
  { $id: 'PasskeyRegistrationRequest', additionalProperties: false }
)

export const PasskeyRenameRequest = Type.Object(
  { name: PasskeyName },
  { $id: 'PasskeyRenameRequest', additionalProperties: false }
)

export const PasskeyLoginRequest = Type.Object(
  { response: Type.Ref('AuthenticationResponseJSON') },
  { $id: 'PasskeyLoginRequest', additionalProperties: false }
)

export const EmptyRequest = Type.Object({}, { $id: 'EmptyRequest', additionalProperties: false })
