import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net'
import type { Server as HttpServer } from 'node:http'

/** `listen({ reusePort })` arrived in Node 22.12 and 23.1; the kernel spreads connections over the sockets on Linux. */
export function reusePortAvailable (version = process.versions.node, platform = process.platform): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return platform === 'linux' && (major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12))
}

/** Node's own count of a server's open connections, and the server a socket counts against (net.js, since 0.x). */
type Counted = { _connections: number }
type CountedSocket = Socket & { _server: Counted | null, server: unknown }

/**
 * A listening socket whose connections the app's HTTP server takes as its own (its 'connection' event, as
 * Node documents for injecting connections): keep-alive, the header and request timeouts and client errors
 * apply to them as to the others. Each connection is also counted as the HTTP server's, not this listener's
 * (Node keeps that count in `_connections` and the socket's `_server`): the HTTP server's close waits for
 * it, so app.close() ends requests in flight on it before the store closes, as on the app's own socket.
 */
export function acceptInto (server: HttpServer): NetServer {
  const listener = createServer({ noDelay: true }, (socket: Socket) => {
    const counted = socket as CountedSocket
    ;(listener as unknown as Counted)._connections--
    ;(server as unknown as Counted)._connections++
    counted._server = server as unknown as Counted
    counted.server = server
    server.emit('connection', socket)
  })
  return listener
}

/** What of the app listen needs (a Fastify instance is one). */
export interface Listenable {
  listen: (options: { host: string; port: number; reusePort?: boolean }) => Promise<string>
  server: HttpServer
}

export interface Listening {
  url: string
  /** How many sockets listen on the port. */
  sockets: number
  /**
   * Stops the extra sockets from accepting, at once (before app.close(), which stops the app's own and ends the
   * connections, theirs too).
   */
  stopExtra: () => void
}

/**
 * Listens on host:port with `sockets` listening sockets where the platform allows (SO_REUSEPORT), else with
 * one. libuv accepts one connection per listening socket per event-loop turn (libuv pull request 3696): on a
 * busy instance (turns of about 10 ms) a burst of 500 new connections waited up to 5 s to be accepted, while
 * the requests themselves took under 2 s (docs/benchmarks.md, storm). With several sockets each turn takes
 * one from each.
 */
export async function listen (
  app: Listenable,
  { host, port, sockets }: { host: string; port: number; sockets: number },
  spread = sockets > 1 && reusePortAvailable()
): Promise<Listening> {
  const url = await app.listen({ host, port, ...(spread && { reusePort: true }) })
  const extra: NetServer[] = []
  if (spread) {
    const bound = (app.server.address() as AddressInfo).port
    for (let i = 1; i < sockets; i++) {
      const server = acceptInto(app.server)
      extra.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host, port: bound, reusePort: true }, () => {
          server.off('error', reject)
          resolve()
        })
      })
    }
  }
  return {
    url,
    sockets: 1 + extra.length,
    // their connections count as the app's HTTP server's (acceptInto): app.close() waits for them after this
    stopExtra: () => { for (const s of extra) s.close() }
  }
}
