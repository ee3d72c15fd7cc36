import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes?: Array<{ key: string, value: Record<string, unknown> }>
}

/** An OTLP/HTTP receiver (JSON protocol): keeps every body posted to /v1/traces, as text and as spans. */
export async function otlpReceiver () {
  const bodies: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d) => { body += d })
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(body)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    spans (): OtlpSpan[] {
      type Resource = { scopeSpans: Array<{ spans: OtlpSpan[] }> }
      return bodies.flatMap((b) => (JSON.parse(b).resourceSpans as Resource[] ?? [])
        .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

/** A span's attributes as plain values. */
export const attributesOf = (span: OtlpSpan) =>
  Object.fromEntries((span.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]))
