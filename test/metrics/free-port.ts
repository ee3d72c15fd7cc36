import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A TCP port free right now on 127.0.0.1 (for a listener whose port 0 means "off"). */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** The exposition's samples of one metric, as { labels, value }. */
export function samples (exposition: string, name: string) {
  const out: Array<{ labels: Record<string, string>, value: number }> = []
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const labels: Record<string, string> = {}
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!
    out.push({ labels, value: Number(m[3]) })
  }
  return out
}
