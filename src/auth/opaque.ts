import { createHash, randomBytes } from 'node:crypto'

/** An opaque bearer value: 256 random bits, base64url. Only its hash is ever stored. */
export const newOpaqueToken = () => randomBytes(32).toString('base64url')

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
