import { createServer } from 'node:net'

const REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use (another instance?)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s'
}

/**
 * Whether `host:port` can be listened on, tried before the store is opened and keys are loaded,
 * so a taken port is one line at once. Resolves to undefined when it can, else to the reason.
 */
export function portProblem (host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(listenFailure(host, port, err)))
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)))
  })
}

/** One line for an error from listening on `host:port`. */
export function listenFailure (host: string, port: number, err: NodeJS.ErrnoException): string {
  const reason = REASONS[err.code ?? ''] ?? err.code ?? err.message
  return `Cannot listen on ${host}:${port}: ${reason}`
}
