import { createHmac, createSign, generateKeyPairSync, sign as edSign, type KeyObject } from 'node:crypto'

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** A JWT built by hand, as an attacker or a misconfigured issuer would. */
export function forge (
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key?: KeyObject | string
): string {
  const input = `${b64(header)}.${b64(payload)}`
  const alg = header.alg
  let sig = ''
  if (alg === 'RS256' || alg === 'RS384' || alg === 'PS256') {
    sig = createSign(alg === 'RS384' ? 'RSA-SHA384' : 'RSA-SHA256')
      .update(input)
      .sign(alg === 'PS256' ? { key: key as KeyObject, padding: 6 } : (key as KeyObject), 'base64url')
  } else if (alg === 'HS256') {
    sig = createHmac('sha256', key as string)
      .update(input)
      .digest('base64url')
  } else if (alg === 'ES256') {
    sig = createSign('SHA256')
      .update(input)
      .sign({ key: key as KeyObject, dsaEncoding: 'ieee-p1363' }, 'base64url')
  } else if (alg === 'EdDSA') {
    sig = edSign(null, Buffer.from(input), key as KeyObject).toString('base64url')
  }
  return `${input}.${sig}`
}

export const rsaKeyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 })
export const pem = (k: KeyObject) =>
  k.export({ type: k.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString()
export const decode = (token: string) =>
  token
    .split('.')
    .slice(0, 2)
    .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()))
