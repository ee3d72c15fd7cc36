import { connect, createServer, type Socket } from 'node:net'

type Test = { teardown: (fn: () => unknown) => void }

/**
 * A TCP relay to `target` that the test can cut (open connections destroyed, new ones reset)
 * and restore. It keeps its one port from start to teardown: nothing is ever rebound.
 */
export async function tcpRelay (t: Test, target: { host: string; port: number }, { up = true } = {}) {
  let open = up
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    client.on('error', () => client.destroy())
    if (!open) return client.resetAndDestroy()
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
      s.on('close', () => sockets.delete(s))
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  )
  return {
    port: (server.address() as { port: number }).port,
    cut () {
      open = false
      for (const s of sockets) s.destroy()
    },
    restore () {
      open = true
    }
  }
}
