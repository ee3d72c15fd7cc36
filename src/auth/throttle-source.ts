import { isIPv4, isIPv6 } from 'node:net'

/**
 * Whom a failed attempt is counted against besides the account: the client address (behind
 * TRUST_PROXY, the one X-Forwarded-For names), an IPv4 address as it is, an IPv6 one by its
 * /64 (one host usually holds a whole /64, so rotating within it is the same source).
 */
export function throttleSource (ip: string): string {
  const address = ip.replace(/%.*$/, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]!
  if (isIPv4(address) || !isIPv6(address)) return address.slice(0, 64)
  const [head = '', tail] = address.split('::')
  const groups = head === '' ? [] : head.split(':')
  if (tail !== undefined) groups.push(...Array<string>(8).fill('0')) // '::' stands for at least one zero group
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`
}
