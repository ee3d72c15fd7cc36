import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A TCP proxy in front of MariaDB that the test can cut and restore. */
export async function dbProxy (target: URL) {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const start = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 3306), target.hostname)
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('error', () => { client.destroy(); upstream.destroy() })
        s.on('close', () => sockets.delete(s))
      }
      client.pipe(upstream).pipe(client)
    })
    server.listen(port, '127.0.0.1', () => { port = (server!.address() as AddressInfo).port; resolve() })
  })
  await start()
  return {
    port: () => port,
    cut: async () => {
      await new Promise<void>((resolve) => { server!.close(() => resolve()); for (const s of sockets) s.destroy() })
    },
    restore: start
  }
}
